#!/usr/bin/env bash
set -euo pipefail
test "$(kubectl -n catalog get deployment search-api -o jsonpath='{.spec.replicas}')" = 4
kubectl -n catalog wait deployment/search-api --for=jsonpath='{.status.availableReplicas}'=4 --timeout=120s
