#!/usr/bin/env bash
set -eu
kubectl -n ml rollout status deployment/trainer --timeout=120s
! kubectl get nodes -o jsonpath='{.items[*].spec.taints[*].key}' | grep -q maintenance
