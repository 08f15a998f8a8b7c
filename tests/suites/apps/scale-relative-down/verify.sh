#!/usr/bin/env bash
set -euo pipefail
test "$(kubectl -n reports get deployment pdf-worker -o jsonpath='{.spec.replicas}')" = 3
kubectl -n reports wait deployment/pdf-worker --for=jsonpath='{.status.replicas}'=3 --timeout=120s
kubectl -n reports wait deployment/pdf-worker --for=jsonpath='{.status.availableReplicas}'=3 --timeout=120s
