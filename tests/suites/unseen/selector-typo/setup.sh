#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace orders --ignore-not-found --wait
kubectl create namespace orders
kubectl -n orders apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders-api}
spec:
  replicas: 1
  selector: {matchLabels: {app: orders-api}}
  template:
    metadata: {labels: {app: orders-api, tier: backend}}
    spec:
      containers:
      - name: api
        image: httpd:2.4
        ports: [{containerPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache}
spec:
  replicas: 1
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache, tier: backend}}
    spec:
      containers:
      - name: redis
        image: redis:7
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: order-api}
  ports: [{port: 80, targetPort: 80}]
Y
kubectl -n orders rollout status deployment/orders-api --timeout=120s
