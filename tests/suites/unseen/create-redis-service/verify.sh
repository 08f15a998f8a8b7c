#!/usr/bin/env bash
set -eu
kubectl -n session rollout status deployment/cache --timeout=120s
kubectl -n session get deploy cache -o jsonpath='{.spec.template.spec.containers[0].image}' | grep -q '^redis'
test "$(kubectl -n session get svc cache -o jsonpath='{.spec.ports[0].port}')" = 6379
for _ in $(seq 30); do
  test -n "$(kubectl -n session get endpoints cache -o jsonpath='{.subsets[*].addresses[*].ip}')" && break; sleep 1
done
kubectl -n session run ping --image=redis:7 --restart=Never --rm -i --command -- redis-cli -h cache ping | grep -q PONG
