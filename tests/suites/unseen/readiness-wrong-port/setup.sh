#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace wiki --ignore-not-found --wait
kubectl create namespace wiki
kubectl -n wiki apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: docs}
spec:
  replicas: 1
  selector: {matchLabels: {app: docs}}
  template:
    metadata: {labels: {app: docs}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80, name: http}]
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 2
          failureThreshold: 2
Y
waitfor "kubectl -n wiki get events --field-selector reason=Unhealthy -o name | grep -q ."
