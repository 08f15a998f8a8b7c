#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace queue --ignore-not-found --wait
kubectl create namespace queue
kubectl -n queue apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: rabbit}
spec:
  replicas: 1
  selector: {matchLabels: {app: rabbit}}
  template:
    metadata: {labels: {app: rabbit}}
    spec:
      containers:
      - name: broker
        image: redis:7
        ports: [{containerPort: 6379, name: redis}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      initContainers:
      - name: wait-for-broker
        image: busybox:1.36
        command: ["sh", "-c", "until nslookup rabbit; do echo waiting for rabbit; sleep 2; done"]
      containers:
      - name: worker
        image: busybox:1.36
        command: ["sh", "-c", "echo working; sleep 3600"]
Y
kubectl -n queue rollout status deployment/rabbit --timeout=120s
waitfor "kubectl -n queue logs deploy/worker -c wait-for-broker | grep -q waiting"
