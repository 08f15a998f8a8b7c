#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace monitoring --ignore-not-found --wait
kubectl create namespace monitoring
kubectl -n monitoring apply -f - <<'Y'
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      containers:
      - name: agent
        image: busbox:1.36
        command: ["sh", "-c", "while true; do echo scrape; sleep 10; done"]
Y
waitfor "kubectl -n monitoring get pods -l app=node-agent -o jsonpath='{.items[*].status.containerStatuses[*].state.waiting.reason}' | grep -qE 'ErrImagePull|ImagePullBackOff'"
