#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace audit --ignore-not-found --wait
kubectl create namespace audit
kubectl -n audit apply -f - <<'Y'
apiVersion: v1
kind: ServiceAccount
metadata: {name: watcher}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: watcher-reads-pods}
subjects: [{kind: ServiceAccount, name: watcher, namespace: audit}]
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pod-watcher}
spec:
  replicas: 1
  selector: {matchLabels: {app: pod-watcher}}
  template:
    metadata: {labels: {app: pod-watcher}}
    spec:
      serviceAccountName: watcher
      containers:
      - name: watch
        image: bitnami/kubectl:1.32
        command: ["sh", "-c", "while true; do kubectl get pods -n audit || true; sleep 3; done"]
Y
waitfor "kubectl -n audit logs deploy/pod-watcher | grep -q Forbidden"
