#!/usr/bin/env bash
set -euo pipefail
kubectl -n media wait pvc/uploads --for=jsonpath='{.status.phase}'=Bound --timeout=60s
kubectl -n media rollout status deployment/uploader --timeout=120s
kubectl -n media wait pods -l app=uploader --for=condition=Ready --timeout=60s
