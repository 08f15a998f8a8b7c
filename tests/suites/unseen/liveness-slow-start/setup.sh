#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace finance --ignore-not-found --wait
kubectl create namespace finance
kubectl -n finance apply -f - <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: reports}
spec:
  replicas: 1
  selector: {matchLabels: {app: reports}}
  template:
    metadata: {labels: {app: reports}}
    spec:
      containers:
      - name: server
        image: busybox:1.36
        command: ["sh", "-c", "echo loading report templates; sleep 20; echo listening on 8080; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
        livenessProbe:
          httpGet: {path: /, port: 8080}
          initialDelaySeconds: 3
          periodSeconds: 3
          failureThreshold: 2
Y
waitfor "kubectl -n finance get pods -l app=reports -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}' | grep -qv '^0$'"
