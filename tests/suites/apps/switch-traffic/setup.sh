#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace payments --ignore-not-found --wait
kubectl create namespace payments
for colour in blue green; do
kubectl -n payments apply -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway-$colour
spec:
  replicas: 2
  selector:
    matchLabels: {app: gateway, track: $colour}
  template:
    metadata:
      labels: {app: gateway, track: $colour}
    spec:
      containers:
      - name: gateway
        image: busybox:1.36
        command: ["sleep", "3600"]
        ports: [{containerPort: 9000}]
YAML
kubectl -n payments rollout status deployment/gateway-$colour --timeout=120s
done
kubectl -n payments apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: gateway
spec:
  selector: {app: gateway, track: blue}
  ports: [{port: 80, targetPort: 9000}]
YAML
