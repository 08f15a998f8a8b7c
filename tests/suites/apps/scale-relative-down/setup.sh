#!/usr/bin/env bash
# The prompt does not name the namespace: the agent has to find the Deployment.
set -euo pipefail
kubectl delete namespace reports --ignore-not-found --wait
kubectl create namespace reports
kubectl -n reports create deployment pdf-worker --image=busybox:1.36 --replicas=6 -- sleep 3600
kubectl -n reports rollout status deployment/pdf-worker --timeout=120s
