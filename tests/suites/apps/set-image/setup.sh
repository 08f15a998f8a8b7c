#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace docs --ignore-not-found --wait
kubectl create namespace docs
kubectl -n docs create deployment renderer --image=busybox:1.36 --replicas=3 -- sleep 3600
kubectl -n docs rollout status deployment/renderer --timeout=120s
