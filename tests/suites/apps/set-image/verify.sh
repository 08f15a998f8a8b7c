#!/usr/bin/env bash
set -euo pipefail
kubectl -n docs rollout status deployment/renderer --timeout=120s
test "$(kubectl -n docs get deployment renderer -o jsonpath='{.spec.template.spec.containers[0].image}')" = busybox:1.37
# Still a rolling update (no downtime) and still three replicas.
test "$(kubectl -n docs get deployment renderer -o jsonpath='{.spec.strategy.type}')" = RollingUpdate
test "$(kubectl -n docs get deployment renderer -o jsonpath='{.status.availableReplicas}')" = 3
# Old pods leave after their grace period; then every pod runs the new image.
for _ in $(seq 60); do
  images=$(kubectl -n docs get pods -l app=renderer -o jsonpath='{.items[*].spec.containers[0].image}')
  [ "$(echo "$images" | tr ' ' '\n' | sort -u)" = busybox:1.37 ] && exit 0
  sleep 1
done
echo "pods run: $images" >&2; exit 1
