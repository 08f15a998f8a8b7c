#!/usr/bin/env bash
# A program whose API client logs each refusal as client-go does (kubesim gives pods no
# service account token, so the refusal is the program's own log line here).
set -euo pipefail
kubectl delete namespace warehouse --ignore-not-found --wait
kubectl create namespace warehouse
kubectl -n warehouse create serviceaccount watcher
kubectl -n warehouse apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pod-watcher
spec:
  selector:
    matchLabels: {app: pod-watcher}
  template:
    metadata:
      labels: {app: pod-watcher}
    spec:
      serviceAccountName: watcher
      containers:
      - name: watcher
        image: busybox:1.36
        command:
        - sh
        - -c
        - |
          while true; do
            echo 'E1130 10:00:00.000000 1 reflector.go:158] "Unhandled Error" err="failed to list *v1.Pod: pods is forbidden: User \"system:serviceaccount:warehouse:watcher\" cannot list resource \"pods\" in API group \"\" in the namespace \"warehouse\""' >&2
            sleep 2
          done
YAML
kubectl -n warehouse rollout status deployment/pod-watcher --timeout=120s
for _ in $(seq 30); do kubectl -n warehouse logs deployment/pod-watcher | grep -q forbidden && exit 0; sleep 1; done
exit 1
