#!/usr/bin/env bash
set -eu
test "$(kubectl -n store get sts db -o jsonpath='{.spec.replicas}')" = 5
kubectl -n store rollout status statefulset/db --timeout=180s
test "$(kubectl -n store get sts db -o jsonpath='{.status.readyReplicas}')" = 5
