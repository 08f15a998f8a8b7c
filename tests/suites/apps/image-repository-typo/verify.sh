#!/usr/bin/env bash
set -euo pipefail
kubectl -n billing rollout status deployment/invoicer --timeout=120s
image=$(kubectl -n billing get deployment invoicer -o jsonpath='{.spec.template.spec.containers[0].image}')
case "$image" in bussybox*) echo "still $image" >&2; exit 1;; esac
test "$(kubectl -n billing get deployment invoicer -o jsonpath='{.status.availableReplicas}')" = 2
