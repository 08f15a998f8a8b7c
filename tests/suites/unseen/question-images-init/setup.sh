#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace pipeline2 --ignore-not-found --wait
kubectl create namespace pipeline2
kubectl -n pipeline2 apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: loader}
spec:
  replicas: 1
  selector: {matchLabels: {app: loader}}
  template:
    metadata: {labels: {app: loader}}
    spec:
      initContainers:
      - name: fetch
        image: curlimages/curl:8.5.0
        command: ["sh", "-c", "echo fetched"]
      containers:
      - name: load
        image: python:3.11-slim
        command: ["python3", "-c", "import time; time.sleep(3600)"]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: httpd:2.4
Y
kubectl -n pipeline2 rollout status deployment/web --timeout=120s
kubectl -n pipeline2 rollout status deployment/loader --timeout=120s
