#!/usr/bin/env bash
set -eu
kubectl -n kv rollout status deployment/redis --timeout=120s
test "$(kubectl -n kv get deploy redis -o jsonpath='{.spec.template.spec.containers[0].livenessProbe.tcpSocket.port}')" = 6379
test "$(kubectl -n kv get deploy redis -o jsonpath='{.spec.replicas}')" = 1
before=$(kubectl -n kv get pods -l app=redis -o jsonpath='{.items[*].status.containerStatuses[0].restartCount}')
sleep 8
test "$before" = "$(kubectl -n kv get pods -l app=redis -o jsonpath='{.items[*].status.containerStatuses[0].restartCount}')"
