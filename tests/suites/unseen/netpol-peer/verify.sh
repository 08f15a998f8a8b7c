#!/usr/bin/env bash
set -eu
kubectl -n intranet get networkpolicy db-ingress >/dev/null
test -n "$(kubectl -n intranet get networkpolicy db-ingress -o jsonpath='{.spec.ingress[0].from}')"
pod=$(kubectl -n intranet get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
for _ in $(seq 30); do
  kubectl -n intranet exec "$pod" -- sh -c "echo PING | nc -w 2 db 6379" | grep -q PONG && exit 0; sleep 1
done
echo "web still cannot reach db" >&2; exit 1
