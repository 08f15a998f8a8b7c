#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace media --ignore-not-found --wait
kubectl create namespace media
kubectl -n media apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: webfrontend}
spec:
  replicas: 1
  selector: {matchLabels: {app: webfrontend}}
  template:
    metadata: {labels: {app: webfrontend}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        resources: {requests: {cpu: 50m}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: webfrontend}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-frontend}
  minReplicas: 2
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
Y
kubectl -n media rollout status deployment/webfrontend --timeout=120s
