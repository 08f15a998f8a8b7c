#!/usr/bin/env bash
set -eu
kubectl -n finance rollout status deployment/reports --timeout=150s
kubectl -n finance wait pods -l app=reports --for=condition=Ready --timeout=90s
kubectl -n finance get deploy reports -o jsonpath='{.spec.template.spec.containers[0].livenessProbe.httpGet.port}' | grep -qx 8080
before=$(kubectl -n finance get pods -l app=reports -o jsonpath='{.items[*].status.containerStatuses[0].restartCount}')
sleep 10
after=$(kubectl -n finance get pods -l app=reports -o jsonpath='{.items[*].status.containerStatuses[0].restartCount}')
test "$before" = "$after"
