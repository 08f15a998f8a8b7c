#!/usr/bin/env bash
set -eu
kubectl -n storefront rollout status deployment/shop --timeout=120s
kubectl -n storefront wait pods -l app=shop --for=condition=Ready --timeout=60s
test "$(kubectl -n storefront get deploy shop -o jsonpath='{.spec.template.spec.containers[0].image}')" = nginx:1.25
test "$(kubectl -n storefront get deploy shop -o jsonpath='{.spec.template.spec.containers[1].image}')" = busybox:1.36
kubectl -n storefront get deploy shop -o jsonpath='{.spec.template.spec.containers[1].command}' | grep -q 'sleep 10'
