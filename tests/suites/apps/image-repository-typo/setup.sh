#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace billing --ignore-not-found --wait
kubectl create namespace billing
kubectl -n billing create deployment invoicer --image=busybox:1.36 --replicas=2 -- sleep 3600
kubectl -n billing rollout status deployment/invoicer --timeout=120s
# The release: a new tag with the repository misspelt.
kubectl -n billing set image deployment/invoicer busybox=bussybox:1.37
for _ in $(seq 60); do
  kubectl -n billing get pods -l app=invoicer -o jsonpath='{.items[*].status.containerStatuses[*].state.waiting.reason}' | grep -qE 'ErrImagePull|ImagePullBackOff' && exit 0
  sleep 1
done
echo "the bad image never failed to pull" >&2; exit 1
