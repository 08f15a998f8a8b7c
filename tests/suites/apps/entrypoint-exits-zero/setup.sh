#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace reports --ignore-not-found --wait
kubectl create namespace reports
kubectl -n reports create deployment exporter --image=busybox:1.36 -- sleep 3600
kubectl -n reports rollout status deployment/exporter --timeout=120s
# The change: a command that does its work once and ends successfully.
kubectl -n reports patch deployment exporter --type=json \
  -p='[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sh","-c","echo exported 42 rows"]}]'
for _ in $(seq 60); do
  kubectl -n reports get pods -l app=exporter -o jsonpath='{.items[*].status.containerStatuses[*].lastState.terminated.exitCode}' | grep -qw 0 && exit 0
  sleep 1
done
echo "the exporter never finished with exit 0" >&2; exit 1
