#!/usr/bin/env bash
set -euo pipefail
# Task: the nginx Service in 'web' is not reachable. Its selector (app=web) matches no pod, so it has no
# endpoints; point the selector at the labels the nginx Deployment actually gives its pods, then wait for endpoints.
NS=web
kubectl get endpoints nginx -n "$NS"
LABELS=$(kubectl get deployment nginx -n "$NS" -o jsonpath='{.spec.selector.matchLabels}')
kubectl patch service nginx -n "$NS" --type=merge -p "{\"spec\":{\"selector\":$LABELS}}"
kubectl wait endpoints/nginx -n "$NS" --for=jsonpath='{.subsets[0].addresses[0].ip}' --timeout=60s
kubectl get endpoints nginx -n "$NS"
echo "The Service selector did not match the pods' labels ($LABELS); it has been fixed and now has endpoints."
