#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace store --ignore-not-found --wait
kubectl create namespace store
kubectl -n store apply -f - <<'Y'
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 6379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: redis
        image: redis:7
        ports: [{containerPort: 6379}]
Y
kubectl -n store rollout status statefulset/db --timeout=120s
