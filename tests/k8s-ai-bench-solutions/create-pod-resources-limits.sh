#!/usr/bin/env bash
set -euo pipefail
# Task: namespace limits-test with pod resource-limits-pod (httpd:alpine, container my-container,
# cpu 60m/600m, memory 62Mi/62Mi). Solution: create the namespace, apply a pod manifest, wait Ready.
kubectl create namespace limits-test
kubectl apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: resource-limits-pod
  namespace: limits-test
spec:
  containers:
  - name: my-container
    image: httpd:alpine
    resources:
      requests:
        cpu: 60m
        memory: 62Mi
      limits:
        cpu: 600m
        memory: 62Mi
YAML
kubectl wait --for=condition=Ready pod/resource-limits-pod -n limits-test --timeout=120s
