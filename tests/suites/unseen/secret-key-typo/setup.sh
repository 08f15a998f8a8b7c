#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace accounts --ignore-not-found --wait
kubectl create namespace accounts
kubectl -n accounts create secret generic ledger-db --from-literal=username=ledger --from-literal=password=s3cr3t-ledger
kubectl -n accounts apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: ledger}
spec:
  replicas: 1
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers:
      - name: ledger
        image: busybox:1.36
        command: ["sh", "-c", "echo connecting as $DB_USER; sleep 3600"]
        env:
        - name: DB_USER
          valueFrom: {secretKeyRef: {name: ledger-db, key: username}}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: ledger-db, key: pasword}}
Y
waitfor "kubectl -n accounts get pods -l app=ledger -o jsonpath='{.items[*].status.containerStatuses[*].state.waiting.reason}' | grep -q CreateContainerConfigError"
