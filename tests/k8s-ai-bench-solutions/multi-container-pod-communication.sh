#!/usr/bin/env bash
set -euo pipefail
# Task: pod communication-pod in multi-container-logging: nginx 'web-server' + busybox 'logger' tailing the access log
# from a shared emptyDir 'logs-volume' at /var/log/nginx. A readinessProbe gates pod readiness on nginx serving;
# the logger waits until nginx answers before starting its tail.
NS=multi-container-logging
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: communication-pod
  namespace: $NS
spec:
  volumes:
  - name: logs-volume
    emptyDir: {}
  containers:
  - name: web-server
    image: nginx
    ports:
    - containerPort: 80
    readinessProbe:
      httpGet:
        path: /
        port: 80
      periodSeconds: 5
    volumeMounts:
    - name: logs-volume
      mountPath: /var/log/nginx
  - name: logger
    image: busybox
    command: ["sh", "-c", "until wget -q -O /dev/null http://localhost:80/; do sleep 1; done; exec tail -f /var/log/nginx/access.log"]
    volumeMounts:
    - name: logs-volume
      mountPath: /var/log/nginx
YAML
kubectl wait --for=condition=Ready pod/communication-pod -n "$NS" --timeout=120s
