#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace science --ignore-not-found --wait
kubectl create namespace science
kubectl -n science apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: simulator}
spec:
  replicas: 1
  selector: {matchLabels: {app: simulator}}
  template:
    metadata: {labels: {app: simulator}}
    spec:
      containers:
      - name: sim
        image: python:3.12-slim
        command: ["/bin/sh", "-c"]
        args: ["echo warming up && pyhton3 -c 'import time; time.sleep(3600)'"]
Y
waitfor "kubectl -n science get pods -l app=simulator -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}' | grep -qv '^0$'"
