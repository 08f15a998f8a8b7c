#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace orders --ignore-not-found --wait
kubectl create namespace orders
kubectl -n orders create deployment checkout --image=busybox:1.36 --replicas=2 -- sleep 3600
kubectl -n orders rollout status deployment/checkout --timeout=120s
# The new version: a start-up that fails its work and exits.
kubectl -n orders patch deployment checkout --type=json \
  -p='[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sh","-c","echo payment provider unreachable >&2; exit 1"]}]'
kubectl -n orders wait deployment/checkout --for=jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}'=2 --timeout=60s
