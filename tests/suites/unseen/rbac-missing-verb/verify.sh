#!/usr/bin/env bash
set -eu
kubectl auth can-i list pods -n audit --as=system:serviceaccount:audit:watcher | grep -qx yes
kubectl auth can-i delete pods -n audit --as=system:serviceaccount:audit:watcher | grep -qx no
kubectl auth can-i list secrets -n audit --as=system:serviceaccount:audit:watcher | grep -qx no
! kubectl get clusterrolebindings -o jsonpath='{.items[*].subjects[*].name}' | grep -qw watcher
