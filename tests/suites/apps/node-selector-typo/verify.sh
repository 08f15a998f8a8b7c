#!/usr/bin/env bash
set -euo pipefail
kubectl -n edge rollout status deployment/collector --timeout=120s
test "$(kubectl -n edge get deployment collector -o jsonpath='{.status.availableReplicas}')" = 2
