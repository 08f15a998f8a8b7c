#!/usr/bin/env bash
kubectl delete namespace create-simple-rbac --ignore-not-found=true
