#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace shop2 --ignore-not-found --wait
kubectl create namespace shop2
kubectl -n shop2 create deployment catalog --image=nginx:1.25 --replicas=2
kubectl -n shop2 rollout status deployment/catalog --timeout=120s
kubectl -n shop2 rollout pause deployment/catalog
kubectl -n shop2 set image deployment/catalog nginx=nginx:1.27
