#!/usr/bin/env bash
set -euo pipefail
# Task: the pod-reader SA cannot list pods in simple-rbac-setup. Diagnose with `auth can-i` and the Role,
# which grants `list` on deployments instead of pods; fix the Role's resource (namespace-scoped, least privilege).
NS=simple-rbac-setup
SA=system:serviceaccount:$NS:pod-reader
kubectl auth can-i list pods --as="$SA" -n "$NS" || true
ROLE=$(kubectl get rolebinding -n "$NS" -o jsonpath="{.items[?(@.subjects[0].name=='pod-reader')].roleRef.name}")
kubectl get role "$ROLE" -n "$NS" -o jsonpath='{.rules}{"\n"}'
kubectl patch role "$ROLE" -n "$NS" --type=json \
  -p '[{"op":"replace","path":"/rules","value":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]}]}]'
kubectl auth can-i list pods --as="$SA" -n "$NS"
echo "The Role $ROLE bound to pod-reader granted 'list' on deployments, not pods; it now grants get/list/watch on pods in $NS."
