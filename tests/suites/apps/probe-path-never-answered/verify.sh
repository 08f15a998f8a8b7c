#!/usr/bin/env bash
set -euo pipefail
kubectl -n catalog rollout status deployment/search --timeout=120s
kubectl -n catalog wait pods -l app=search --for=condition=Ready --timeout=60s
