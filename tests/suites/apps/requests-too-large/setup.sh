#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace ml --ignore-not-found --wait
kubectl create namespace ml
kubectl -n ml apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trainer
spec:
  replicas: 1
  selector:
    matchLabels: {app: trainer}
  template:
    metadata:
      labels: {app: trainer}
    spec:
      containers:
      - name: trainer
        image: busybox:1.36
        command: ["sleep", "3600"]
        resources:
          requests: {cpu: "12", memory: 512Mi}
YAML
kubectl -n ml wait pods -l app=trainer --for=jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}'=Unschedulable --timeout=60s
