#!/usr/bin/env bash
set -eu
kubectl -n jobs rollout status deployment/consumer --timeout=120s
c=$(kubectl -n jobs get deploy consumer -o jsonpath='{.spec.template.spec.initContainers[0].command}')
echo "$c" | grep -q 'nslookup postgres;'
test "$(kubectl -n jobs get svc -o name | wc -l)" = 1
