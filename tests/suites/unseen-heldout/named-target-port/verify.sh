#!/usr/bin/env bash
set -eu
t=$(kubectl -n gallery get svc images -o jsonpath='{.spec.ports[0].targetPort}')
test "$t" = http -o "$t" = 80
test "$(kubectl -n gallery get svc images -o jsonpath='{.spec.ports[0].port}')" = 8080
for _ in $(seq 30); do
  test -n "$(kubectl -n gallery get endpoints images -o jsonpath='{.subsets[*].ports[*].port}')" && exit 0; sleep 1
done
exit 1
