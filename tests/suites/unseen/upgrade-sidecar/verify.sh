#!/usr/bin/env bash
set -eu
kubectl -n edge rollout status deployment/gateway --timeout=120s
test "$(kubectl -n edge get deploy gateway -o jsonpath='{.spec.template.spec.containers[?(@.name=="proxy")].image}')" = nginx:1.27
test "$(kubectl -n edge get deploy gateway -o jsonpath='{.spec.template.spec.containers[?(@.name=="metrics-agent")].image}')" = busybox:1.36
test "$(kubectl -n edge get deploy gateway -o jsonpath='{.spec.strategy.rollingUpdate.maxUnavailable}')" = "0" -o "$(kubectl -n edge get deploy gateway -o jsonpath='{.spec.replicas}')" -ge 2
