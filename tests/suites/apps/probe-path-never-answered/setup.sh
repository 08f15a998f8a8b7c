#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace catalog --ignore-not-found --wait
kubectl create namespace catalog
# Wrong from the start: no earlier revision to go back to. The server answers /healthz only.
kubectl -n catalog apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: search
spec:
  replicas: 1
  selector:
    matchLabels: {app: search}
  template:
    metadata:
      labels: {app: search}
    spec:
      containers:
      - name: search
        image: busybox:1.36
        command: ["sh", "-c", "d=$(mktemp -d); echo ok > $d/healthz; exec httpd -f -p ${PORT:-8080} -h $d"]
        ports:
        - {name: http, containerPort: 8080}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 5
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 2
YAML
for _ in $(seq 60); do
  kubectl -n catalog get events --field-selector reason=Unhealthy -o jsonpath='{.items[*].message}' | grep -q 'statuscode: 404' && exit 0
  sleep 1
done
echo "the readiness probe never failed" >&2; exit 1
