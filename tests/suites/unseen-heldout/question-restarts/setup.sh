#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace batch --ignore-not-found --wait
kubectl create namespace batch
kubectl -n batch create deployment steady --image=busybox:1.36 -- sleep 3600
kubectl -n batch apply -f - <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: flaky-exporter}
spec:
  containers:
  - name: exporter
    image: busybox:1.36
    command: ["sh", "-c", "echo exporting; sleep 2; echo 'fatal: upstream closed connection'; exit 3"]
Y
waitfor "test \$(kubectl -n batch get pod flaky-exporter -o jsonpath='{.status.containerStatuses[0].restartCount}') -ge 2"
