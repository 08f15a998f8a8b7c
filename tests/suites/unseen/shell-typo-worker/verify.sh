#!/usr/bin/env bash
set -eu
kubectl -n billing rollout status deployment/invoicer --timeout=120s
kubectl -n billing wait pods -l app=invoicer --for=condition=Ready --timeout=60s
cmd=$(kubectl -n billing get deployment invoicer -o jsonpath='{.spec.template.spec.containers[0].command}')
echo "$cmd" | grep -q 'sleep 3600' && echo "$cmd" | grep -q 'echo invoicer starting'
test "$(kubectl -n billing get deployment invoicer -o jsonpath='{.spec.replicas}')" = 1
