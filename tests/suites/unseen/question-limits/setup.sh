#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace shop --ignore-not-found --wait
kubectl create namespace shop
kubectl -n shop apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache}
spec:
  replicas: 1
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - name: memcache
        image: redis:7
        resources:
          requests: {cpu: 150m, memory: 64Mi}
          limits: {cpu: 500m, memory: 192Mi}
Y
kubectl -n shop rollout status deployment/cache --timeout=120s
