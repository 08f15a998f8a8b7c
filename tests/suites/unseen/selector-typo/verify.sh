#!/usr/bin/env bash
set -eu
for _ in $(seq 30); do
  ips=$(kubectl -n orders get endpoints api -o jsonpath='{.subsets[*].addresses[*].ip}')
  [ -n "$ips" ] && break; sleep 1
done
want=$(kubectl -n orders get pods -l app=orders-api -o jsonpath='{.items[*].status.podIP}')
test -n "$ips" && test "$ips" = "$want"
test "$(kubectl -n orders get deploy orders-api -o jsonpath='{.spec.template.metadata.labels.app}')" = orders-api
test "$(kubectl -n orders get deploy cache -o jsonpath='{.spec.replicas}')" = 1
