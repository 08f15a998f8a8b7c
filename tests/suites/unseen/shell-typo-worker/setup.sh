#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace billing --ignore-not-found --wait
kubectl create namespace billing
kubectl -n billing apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: invoicer, labels: {app: invoicer}}
spec:
  replicas: 1
  selector: {matchLabels: {app: invoicer}}
  template:
    metadata: {labels: {app: invoicer}}
    spec:
      containers:
      - name: worker
        image: busybox:1.36
        command: ["sh", "-c", "echo invoicer starting; slep 3600"]
Y
waitfor "kubectl -n billing get pods -l app=invoicer -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}' | grep -qv '^0$'"
