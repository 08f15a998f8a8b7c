#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace queue --ignore-not-found --wait
kubectl create namespace queue
kubectl -n queue apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: consumer
spec:
  replicas: 2
  selector:
    matchLabels: {app: consumer}
  template:
    metadata:
      labels: {app: consumer}
    spec:
      containers:
      - name: consumer
        image: busybox:1.36
        command: ["sh", "-c", "touch /tmp/ready; exec sleep 3600"]
        readinessProbe:
          exec: {command: ["cat", "/tmp/ready"]}
          periodSeconds: 2
YAML
kubectl -n queue rollout status deployment/consumer --timeout=120s
# The change: the probe now reads a file the program never writes.
kubectl -n queue patch deployment consumer --type=json \
  -p='[{"op":"replace","path":"/spec/template/spec/containers/0/readinessProbe/exec/command","value":["cat","/tmp/started"]}]'
kubectl -n queue wait deployment/consumer --for=jsonpath='{.status.updatedReplicas}'=1 --timeout=60s
