#!/usr/bin/env bash
set -euo pipefail
kubectl -n ml rollout status deployment/trainer --timeout=120s
test "$(kubectl -n ml get deployment trainer -o jsonpath='{.status.availableReplicas}')" = 1
