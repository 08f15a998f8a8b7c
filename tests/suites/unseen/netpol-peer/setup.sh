#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace intranet --ignore-not-found --wait
kubectl create namespace intranet
kubectl -n intranet apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: redis
        image: redis:7
        ports: [{containerPort: 6379}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 6379}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, role: web}}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        command: ["sh", "-c", "while true; do if echo PING | nc -w 2 db 6379 | grep -q PONG; then echo db reachable; else echo cannot reach db:6379; fi; sleep 3; done"]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-ingress}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {role: frontend}}
    ports: [{port: 6379}]
Y
kubectl -n intranet rollout status deployment/db --timeout=120s
kubectl -n intranet rollout status deployment/web --timeout=120s
