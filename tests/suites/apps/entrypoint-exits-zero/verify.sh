#!/usr/bin/env bash
set -euo pipefail
kubectl -n reports rollout status deployment/exporter --timeout=120s
kubectl -n reports wait pods -l app=exporter --for=condition=Ready --timeout=60s
before=$(kubectl -n reports get pods -l app=exporter -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}')
sleep 5
after=$(kubectl -n reports get pods -l app=exporter -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}')
test "$before" = "$after"
