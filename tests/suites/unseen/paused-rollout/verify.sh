#!/usr/bin/env bash
set -eu
test "$(kubectl -n shop2 get deploy catalog -o jsonpath='{.spec.paused}')" != true
kubectl -n shop2 rollout status deployment/catalog --timeout=120s
imgs=$(kubectl -n shop2 get pods -l app=catalog -o jsonpath='{.items[*].spec.containers[0].image}')
for i in $imgs; do test "$i" = nginx:1.27; done
test "$(kubectl -n shop2 get deploy catalog -o jsonpath='{.spec.replicas}')" = 2
