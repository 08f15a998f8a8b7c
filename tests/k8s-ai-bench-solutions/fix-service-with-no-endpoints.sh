#!/usr/bin/env bash
set -euo pipefail
# Task: web-app-service has no endpoints because the Deployment's pods are Pending: their nodeSelector
# (environment=production-gpu) matches no node. Remove the nodeSelector and wait for the rollout.
NS=webshop-frontend
kubectl get pods -n "$NS" -l app=web-app
kubectl get deployment web-app-deployment -n "$NS" -o jsonpath='{.spec.template.spec.nodeSelector}{"\n"}'
kubectl get nodes --show-labels
kubectl patch deployment web-app-deployment -n "$NS" --type=json \
  -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'
kubectl rollout status deployment/web-app-deployment -n "$NS" --timeout=180s
kubectl get endpoints web-app-service -n "$NS"
echo "Pods were Pending because no node has label environment=production-gpu; removed the nodeSelector, pods are running and the Service has endpoints."
