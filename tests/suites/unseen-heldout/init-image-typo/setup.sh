#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace pipeline --ignore-not-found --wait
kubectl create namespace pipeline
kubectl -n pipeline apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: etl}
spec:
  replicas: 1
  selector: {matchLabels: {app: etl}}
  template:
    metadata: {labels: {app: etl}}
    spec:
      initContainers:
      - name: prepare
        image: bussybox:1.36
        command: ["sh", "-c", "echo preparing"]
      containers:
      - name: etl
        image: python:3.12-slim
        command: ["python3", "-c", "import time; time.sleep(3600)"]
Y
waitfor "kubectl -n pipeline get pods -l app=etl -o jsonpath='{.items[*].status.initContainerStatuses[*].state.waiting.reason}' | grep -qE 'ErrImagePull|ImagePullBackOff'"
