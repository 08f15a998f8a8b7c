#!/usr/bin/env bash
kubectl delete namespace simple-rbac-setup --ignore-not-found
