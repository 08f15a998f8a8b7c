#!/usr/bin/env bash
set -eu
t=$(kubectl -n portal get svc frontend -o jsonpath='{.spec.ports[0].targetPort}')
test "$t" = 80 -o "$t" = web
test "$(kubectl -n portal get svc frontend -o jsonpath='{.spec.ports[0].port}')" = 80
kubectl -n portal run probe --image=busybox:1.36 --restart=Never --rm -i --command -- wget -q -O- http://frontend >/dev/null
