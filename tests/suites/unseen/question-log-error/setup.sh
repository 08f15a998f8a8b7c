#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace etl --ignore-not-found --wait
kubectl create namespace etl
kubectl -n etl create deployment importer --image=busybox:1.36 -- sh -c 'while true; do echo "batch 17 read"; echo "ERROR: checksum mismatch in orders-2026-12.csv" >&2; sleep 5; done'
waitfor "kubectl -n etl logs deploy/importer | grep -q checksum"
