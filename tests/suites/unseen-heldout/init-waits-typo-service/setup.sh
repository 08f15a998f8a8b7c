#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace jobs --ignore-not-found --wait
kubectl create namespace jobs
kubectl -n jobs apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres}
spec:
  replicas: 1
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        env: [{name: POSTGRES_PASSWORD, value: example}]
        ports: [{containerPort: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: postgres}
spec:
  selector: {app: postgres}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: consumer}
spec:
  replicas: 1
  selector: {matchLabels: {app: consumer}}
  template:
    metadata: {labels: {app: consumer}}
    spec:
      initContainers:
      - name: wait-db
        image: busybox:1.36
        command: ["sh", "-c", "until nslookup postgress; do echo waiting for postgress; sleep 2; done"]
      containers:
      - name: consumer
        image: busybox:1.36
        command: ["sh", "-c", "echo consuming; sleep 3600"]
Y
waitfor "kubectl -n jobs logs deploy/consumer -c wait-db | grep -q waiting"
