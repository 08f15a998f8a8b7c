#!/usr/bin/env bash
set -eu
kubectl -n queue rollout status deployment/worker --timeout=120s
kubectl -n queue get svc rabbit -o jsonpath='{.spec.selector.app}' | grep -qx rabbit
kubectl -n queue get deploy worker -o jsonpath='{.spec.template.spec.initContainers[0].command}' | grep -q 'nslookup rabbit'
test "$(kubectl -n queue get deploy rabbit -o jsonpath='{.spec.replicas}')" = 1
