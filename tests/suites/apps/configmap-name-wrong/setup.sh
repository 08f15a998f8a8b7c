#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace mail --ignore-not-found --wait
kubectl create namespace mail
kubectl -n mail create configmap relay-config --from-literal=RELAY_HOST=mx.example.org --from-literal=RELAY_PORT=2525
kubectl -n mail apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: smtp-relay
spec:
  replicas: 1
  selector:
    matchLabels: {app: smtp-relay}
  template:
    metadata:
      labels: {app: smtp-relay}
    spec:
      containers:
      - name: relay
        image: busybox:1.36
        command: ["sh", "-c", "echo relaying via $RELAY_HOST; sleep 3600"]
        env:
        - name: RELAY_HOST
          valueFrom:
            configMapKeyRef: {name: relay-cfg, key: RELAY_HOST}
YAML
kubectl -n mail wait pods -l app=smtp-relay --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=CreateContainerConfigError --timeout=60s
