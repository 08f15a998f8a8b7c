#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace ledger --ignore-not-found --wait
kubectl create namespace ledger
kubectl -n ledger create deployment reconciler --image=busybox:1.36 -- sleep 3600
kubectl -n ledger rollout status deployment/reconciler --timeout=120s
# The change: a program the image does not have.
kubectl -n ledger patch deployment reconciler --type=json \
  -p='[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["/usr/local/bin/reconcile","--once"]}]'
for _ in $(seq 60); do
  kubectl -n ledger get pods -l app=reconciler -o jsonpath='{.items[*].status.containerStatuses[*].lastState.terminated.reason}{.items[*].status.containerStatuses[*].state.waiting.reason}' | grep -qE 'StartError|RunContainerError|CrashLoopBackOff|ContainerCannotRun' && exit 0
  sleep 1
done
echo "the broken command never showed" >&2; exit 1
