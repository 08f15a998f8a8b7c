#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace edge --ignore-not-found --wait
kubectl create namespace edge
kubectl -n edge apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: collector
spec:
  replicas: 2
  selector:
    matchLabels: {app: collector}
  template:
    metadata:
      labels: {app: collector}
    spec:
      nodeSelector:
        kubernetes.io/os: linx
      containers:
      - name: collector
        image: busybox:1.36
        command: ["sleep", "3600"]
YAML
kubectl -n edge wait pods -l app=collector --for=jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}'=Unschedulable --timeout=60s
