#!/usr/bin/env bash
set -euo pipefail
kubectl -n ledger rollout status deployment/reconciler --timeout=120s
kubectl -n ledger wait pods -l app=reconciler --for=condition=Ready --timeout=60s
before=$(kubectl -n ledger get pods -l app=reconciler -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}')
sleep 5
after=$(kubectl -n ledger get pods -l app=reconciler -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}')
test "$before" = "$after"
