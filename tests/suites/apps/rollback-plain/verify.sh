#!/usr/bin/env bash
set -euo pipefail
kubectl -n orders rollout status deployment/checkout --timeout=120s
test "$(kubectl -n orders get deployment checkout -o jsonpath='{.spec.template.spec.containers[0].command}')" = '["sleep","3600"]'
test "$(kubectl -n orders get deployment checkout -o jsonpath='{.status.availableReplicas}')" = 2
