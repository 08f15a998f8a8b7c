#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace search --ignore-not-found --wait
kubectl create namespace search
kubectl -n search apply -f - <<'Y'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: indexer}
spec:
  serviceName: indexer
  replicas: 1
  selector: {matchLabels: {app: indexer}}
  template:
    metadata: {labels: {app: indexer}}
    spec:
      containers:
      - name: indexer
        image: busybox:1.36
        command: ["sh", "-c", "mkdir -p /tmp/idx && ech indexing && sleep 3600"]
Y
waitfor "kubectl -n search get pods -l app=indexer -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}' | grep -qv '^0$'"
