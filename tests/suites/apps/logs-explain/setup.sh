#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace etl --ignore-not-found --wait
kubectl create namespace etl
kubectl -n etl run loader --image=busybox:1.36 --restart=Always -- sh -c \
  'i=0; while true; do i=$((i+1)); echo "INFO batch $i read 500 rows"; echo "ERROR batch $i: row 42: unexpected column count (want 7, got 9)" >&2; sleep 2; done'
kubectl -n etl wait pod/loader --for=condition=Ready --timeout=120s
for _ in $(seq 30); do kubectl -n etl logs loader | grep -q ERROR && exit 0; sleep 1; done
exit 1
