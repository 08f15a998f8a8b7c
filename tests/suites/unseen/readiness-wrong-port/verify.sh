#!/usr/bin/env bash
set -eu
kubectl -n wiki rollout status deployment/docs --timeout=120s
kubectl -n wiki wait pods -l app=docs --for=condition=Ready --timeout=60s
p=$(kubectl -n wiki get deploy docs -o jsonpath='{.spec.template.spec.containers[0].readinessProbe.httpGet.port}')
test "$p" = 80 -o "$p" = http
