#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace catalog --ignore-not-found --wait
kubectl create namespace catalog
kubectl -n catalog create deployment search-api --image=busybox:1.36 --replicas=2 -- sleep 3600
kubectl -n catalog rollout status deployment/search-api --timeout=120s
