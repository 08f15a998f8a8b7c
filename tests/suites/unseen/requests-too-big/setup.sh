#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace data --ignore-not-found --wait
kubectl create namespace data
kubectl -n data apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: analytics}
spec:
  replicas: 1
  selector: {matchLabels: {app: analytics}}
  template:
    metadata: {labels: {app: analytics}}
    spec:
      containers:
      - name: analytics
        image: python:3.12-slim
        command: ["python3", "-c", "import time\nwhile True: time.sleep(5)"]
        resources:
          requests: {cpu: 100m, memory: 200Gi}
          limits: {memory: 200Gi}
Y
waitfor "kubectl -n data get events --field-selector reason=FailedScheduling -o name | grep -q ."
