#!/usr/bin/env bash
set -euo pipefail
kubectl -n queue rollout status deployment/consumer --timeout=120s
test "$(kubectl -n queue get deployment consumer -o jsonpath='{.status.readyReplicas}')" = 2
test -n "$(kubectl -n queue get deployment consumer -o jsonpath='{.spec.template.spec.containers[0].readinessProbe}')"
