#!/usr/bin/env bash
set -euo pipefail
# Task: create an HPA for deployment web-app in hpa-test (50% CPU, min 1, max 3).
# Uses `kubectl autoscale`, then waits until the HPA controller reports it is able to scale.
NS=hpa-test
kubectl autoscale deployment web-app -n "$NS" --cpu-percent=50 --min=1 --max=3
kubectl wait hpa/web-app -n "$NS" --for=condition=AbleToScale=true --timeout=120s
kubectl get hpa web-app -n "$NS"
