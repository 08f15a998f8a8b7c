#!/usr/bin/env bash
set -euo pipefail
# Task: scale deployment web-service in scale-down-test down by 50%. Reads the current replica count,
# halves it, and waits for the rollout.
NS=scale-down-test
CUR=$(kubectl get deployment web-service -n "$NS" -o jsonpath='{.spec.replicas}')
kubectl scale deployment web-service -n "$NS" --current-replicas="$CUR" --replicas=$((CUR / 2))
kubectl rollout status deployment/web-service -n "$NS" --timeout=120s
