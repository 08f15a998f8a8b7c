#!/usr/bin/env bash
set -eu
test "$(kubectl -n brokers get sts kafka -o jsonpath='{.spec.replicas}')" = 2
for _ in $(seq 60); do
  [ "$(kubectl -n brokers get pods -l app=kafka -o name | wc -l)" = 2 ] && exit 0; sleep 1
done
exit 1
