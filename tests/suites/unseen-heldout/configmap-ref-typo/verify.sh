#!/usr/bin/env bash
set -eu
kubectl -n payments rollout status deployment/gateway --timeout=120s
test "$(kubectl -n payments get deploy gateway -o jsonpath='{.spec.template.spec.containers[0].envFrom[0].configMapRef.name}')" = gateway-settings
test "$(kubectl -n payments get cm -o name | grep -c gateway)" = 1
