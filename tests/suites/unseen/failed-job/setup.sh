#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace crm --ignore-not-found --wait
kubectl create namespace crm
kubectl -n crm apply -f - <<'Y'
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox:1.36
        command: ["sh", "-c", "echo applying schema 42; sleep 1; ech done"]
Y
waitfor "kubectl -n crm get job migrate -o jsonpath='{.status.conditions[*].type}' | grep -q Failed"
