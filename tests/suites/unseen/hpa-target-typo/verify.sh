#!/usr/bin/env bash
set -eu
test "$(kubectl -n media get hpa webfrontend -o jsonpath='{.spec.scaleTargetRef.name}')" = webfrontend
test "$(kubectl -n media get hpa webfrontend -o jsonpath='{.spec.minReplicas}')" = 2
for _ in $(seq 60); do
  r=$(kubectl -n media get deploy webfrontend -o jsonpath='{.status.readyReplicas}')
  [ "${r:-0}" -ge 2 ] && exit 0; sleep 1
done
echo "the autoscaler never scaled webfrontend to its minimum" >&2; exit 1
