#!/usr/bin/env bash
set -euo pipefail
# Task: scale deployment web-app in scale-test up by 100%. Reads the current replica count,
# doubles it, and waits for the rollout.
NS=scale-test
CUR=$(kubectl get deployment web-app -n "$NS" -o jsonpath='{.spec.replicas}')
kubectl scale deployment web-app -n "$NS" --current-replicas="$CUR" --replicas=$((CUR * 2))
kubectl rollout status deployment/web-app -n "$NS" --timeout=120s
