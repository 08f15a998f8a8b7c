#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace payments --ignore-not-found --wait
kubectl create namespace payments
kubectl -n payments create configmap gateway-settings --from-literal=MODE=live --from-literal=REGION=eu
kubectl -n payments apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: gateway}
spec:
  replicas: 1
  selector: {matchLabels: {app: gateway}}
  template:
    metadata: {labels: {app: gateway}}
    spec:
      containers:
      - name: gateway
        image: busybox:1.36
        command: ["sh", "-c", "echo mode $MODE; sleep 3600"]
        envFrom: [{configMapRef: {name: gateway-setings}}]
Y
waitfor "kubectl -n payments get pods -l app=gateway -o jsonpath='{.items[*].status.containerStatuses[*].state.waiting.reason}' | grep -q CreateContainerConfigError"
