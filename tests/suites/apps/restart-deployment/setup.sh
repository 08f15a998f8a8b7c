#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace cache --ignore-not-found --wait
kubectl create namespace cache
kubectl -n cache create deployment cache-warmer --image=busybox:1.36 --replicas=2 -- sleep 3600
kubectl -n cache rollout status deployment/cache-warmer --timeout=120s
# The pods before the request, kept in the cluster for the verifier.
kubectl -n cache create configmap before-restart \
  --from-literal=pods="$(kubectl -n cache get pods -l app=cache-warmer -o jsonpath='{.items[*].metadata.name}')"
