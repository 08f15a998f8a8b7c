#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace storefront --ignore-not-found --wait
kubectl create namespace storefront
kubectl -n storefront create deployment cart --image=busybox:1.36 --replicas=2 --port=8080 -- sleep 3600
kubectl -n storefront rollout status deployment/cart --timeout=120s
kubectl -n storefront apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: cart
spec:
  selector: {app: carts}
  ports:
  - port: 80
    targetPort: 8080
YAML
