#!/usr/bin/env bash
set -euo pipefail
# Task: update web-app in rollout-test to version 1.22 with zero downtime. Makes the RollingUpdate
# strategy surge-only (maxUnavailable 0), sets the new image tag, and waits for the rollout.
NS=rollout-test
C=$(kubectl get deployment web-app -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].name}')
IMG=$(kubectl get deployment web-app -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].image}')
kubectl patch deployment web-app -n "$NS" --type=merge \
  -p '{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}'
kubectl set image deployment/web-app -n "$NS" "$C=${IMG%:*}:1.22"
kubectl rollout status deployment/web-app -n "$NS" --timeout=180s
