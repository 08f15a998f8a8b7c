#!/usr/bin/env bash
set -eu
kubectl -n data rollout status deployment/analytics --timeout=120s
kubectl -n data wait pods -l app=analytics --for=condition=Ready --timeout=60s
kubectl -n data get deploy analytics -o jsonpath='{.spec.template.spec.containers[0].command}' | grep -q 'time.sleep'
test "$(kubectl -n data get deploy analytics -o jsonpath='{.spec.template.spec.containers[0].image}')" = python:3.12-slim
