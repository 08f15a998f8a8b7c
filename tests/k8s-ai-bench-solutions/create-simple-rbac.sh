#!/usr/bin/env bash
set -euo pipefail
# Task: read-only access to pods for ServiceAccount reader-sa in namespace create-simple-rbac.
# Solution: a namespaced Role (get/list/watch pods) and a RoleBinding to the ServiceAccount.
NS=create-simple-rbac
kubectl create role pod-reader --verb=get,list,watch --resource=pods -n $NS
kubectl create rolebinding pod-reader-binding --role=pod-reader --serviceaccount=$NS:reader-sa -n $NS
kubectl auth can-i list pods --as=system:serviceaccount:$NS:reader-sa -n $NS
