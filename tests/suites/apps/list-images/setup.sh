#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace inventory --ignore-not-found --wait
kubectl create namespace inventory
kubectl -n inventory create deployment stock-sync --image=busybox:1.36 -- sleep 3600
kubectl -n inventory run price-feed --image=python:3.12-slim --restart=Always -- python3 -c 'import time; time.sleep(3600)'
kubectl -n inventory rollout status deployment/stock-sync --timeout=120s
kubectl -n inventory wait pod/price-feed --for=condition=Ready --timeout=120s
