#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace media --ignore-not-found --wait
kubectl create namespace media
# A claim naming a class that does not exist (a typo of the cluster's own), and the
# Deployment that mounts it.
kubectl -n media apply -f - <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: uploads
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: standrad
  resources:
    requests: {storage: 1Gi}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: uploader
spec:
  replicas: 1
  selector:
    matchLabels: {app: uploader}
  template:
    metadata:
      labels: {app: uploader}
    spec:
      containers:
      - name: uploader
        image: busybox:1.36
        command: ["sh", "-c", "touch /data/ready; exec sleep 3600"]
        volumeMounts:
        - {name: uploads, mountPath: /data}
      volumes:
      - name: uploads
        persistentVolumeClaim: {claimName: uploads}
YAML
for _ in $(seq 60); do
  kubectl -n media get events --field-selector involvedObject.name=uploads -o jsonpath='{.items[*].reason}' | grep -q ProvisioningFailed && exit 0
  sleep 1
done
echo "the claim never failed to provision" >&2; exit 1
