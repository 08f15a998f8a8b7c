#!/usr/bin/env bash
set -euo pipefail
# Task: 3-replica StatefulSet db in statefulset-test, each pod with a 1Gi PVC at /data holding file `test` = initial_data,
# then scale down to 1. Headless Service + StatefulSet with a volumeClaimTemplate and an init container writing the file.
NS=statefulset-test
kubectl apply -f - <<YAML
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: $NS
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: $NS
spec:
  serviceName: db
  replicas: 3
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      initContainers:
      - name: init-data
        image: busybox
        command: ["sh", "-c", "[ -f /data/test ] || echo initial_data > /data/test"]
        volumeMounts:
        - name: data
          mountPath: /data
      containers:
      - name: db
        image: busybox
        command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
YAML
kubectl rollout status statefulset/db -n "$NS" --timeout=180s
for i in 0 1 2; do echo "db-$i: $(kubectl exec db-$i -n "$NS" -- cat /data/test)"; done
kubectl scale statefulset db -n "$NS" --replicas=1
kubectl rollout status statefulset/db -n "$NS" --timeout=120s
kubectl wait pod/db-1 pod/db-2 -n "$NS" --for=delete --timeout=120s
kubectl get statefulset,pods,pvc -n "$NS"
