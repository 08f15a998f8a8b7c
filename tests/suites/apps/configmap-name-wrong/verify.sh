#!/usr/bin/env bash
set -euo pipefail
kubectl -n mail rollout status deployment/smtp-relay --timeout=120s
pod=$(kubectl -n mail get pods -l app=smtp-relay --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}')
kubectl -n mail logs "$pod" | grep -q 'relaying via mx.example.org'
