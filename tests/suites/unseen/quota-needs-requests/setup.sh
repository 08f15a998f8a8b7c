#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace team-a --ignore-not-found --wait
kubectl create namespace team-a
kubectl -n team-a apply -f - <<'Y'
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec:
  hard: {requests.cpu: "1", requests.memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}
Y
kubectl -n team-a create deployment notifier --image=busybox:1.36 -- sh -c 'while true; do echo notify; sleep 30; done'
waitfor "kubectl -n team-a get events --field-selector reason=FailedCreate -o name | grep -q ."
