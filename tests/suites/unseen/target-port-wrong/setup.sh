#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace portal --ignore-not-found --wait
kubectl create namespace portal
kubectl -n portal apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  replicas: 1
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80, name: web}]
---
apiVersion: v1
kind: Service
metadata: {name: frontend}
spec:
  selector: {app: frontend}
  ports: [{name: http, port: 80, targetPort: 8080}]
Y
kubectl -n portal rollout status deployment/frontend --timeout=120s
