#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace kv --ignore-not-found --wait
kubectl create namespace kv
kubectl -n kv apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis}
spec:
  replicas: 1
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
      - name: redis
        image: redis:7
        ports: [{containerPort: 6379}]
        livenessProbe:
          tcpSocket: {port: 6380}
          initialDelaySeconds: 2
          periodSeconds: 2
          failureThreshold: 2
Y
waitfor "kubectl -n kv get pods -l app=redis -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}' | grep -qv '^0$'"
