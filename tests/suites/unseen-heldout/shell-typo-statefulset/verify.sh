#!/usr/bin/env bash
set -eu
kubectl -n search rollout status statefulset/indexer --timeout=120s
kubectl -n search wait pods -l app=indexer --for=condition=Ready --timeout=60s
c=$(kubectl -n search get sts indexer -o jsonpath='{.spec.template.spec.containers[0].command}')
echo "$c" | grep -q 'echo indexing' && echo "$c" | grep -q 'sleep 3600' && echo "$c" | grep -q 'mkdir -p /tmp/idx'
