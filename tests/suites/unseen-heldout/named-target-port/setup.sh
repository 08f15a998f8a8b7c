#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace gallery --ignore-not-found --wait
kubectl create namespace gallery
kubectl -n gallery apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: images}
spec:
  replicas: 1
  selector: {matchLabels: {app: images}}
  template:
    metadata: {labels: {app: images}}
    spec:
      containers:
      - name: httpd
        image: httpd:2.4
        ports: [{containerPort: 80, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: images}
spec:
  selector: {app: images}
  ports: [{port: 8080, targetPort: htp}]
Y
kubectl -n gallery rollout status deployment/images --timeout=120s
