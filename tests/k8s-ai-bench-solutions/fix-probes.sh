#!/usr/bin/env bash
set -euo pipefail
# Task: webapp in orders is not working - its liveness/readiness probes hit paths nginx does not serve
# (/get_status, /is_ready -> 404), so it is never Ready and keeps restarting.
# Solution: point both httpGet probes at "/" (which nginx serves) and wait for the rollout.
NS=orders
kubectl get deployment webapp -n $NS -o jsonpath='{.spec.template.spec.containers[0].livenessProbe.httpGet.path} {.spec.template.spec.containers[0].readinessProbe.httpGet.path}{"\n"}' >&2
kubectl patch deployment webapp -n $NS --type=json -p '[
  {"op":"replace","path":"/spec/template/spec/containers/0/livenessProbe/httpGet/path","value":"/"},
  {"op":"replace","path":"/spec/template/spec/containers/0/readinessProbe/httpGet/path","value":"/"}]'
kubectl rollout status deployment/webapp -n $NS --timeout=120s
