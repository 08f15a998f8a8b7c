#!/usr/bin/env bash
set -euo pipefail
kubectl -n cache rollout status deployment/cache-warmer --timeout=120s
test -n "$(kubectl -n cache get deployment cache-warmer -o jsonpath='{.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}')"
test "$(kubectl -n cache get deployment cache-warmer -o jsonpath='{.spec.replicas}')" = 2
# The old pods go once their grace period ends; every one of them must.
for old in $(kubectl -n cache get configmap before-restart -o jsonpath='{.data.pods}'); do
  kubectl -n cache wait pod/"$old" --for=delete --timeout=60s
done
