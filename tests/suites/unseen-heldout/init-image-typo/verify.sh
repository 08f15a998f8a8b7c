#!/usr/bin/env bash
set -eu
kubectl -n pipeline rollout status deployment/etl --timeout=120s
test "$(kubectl -n pipeline get deploy etl -o jsonpath='{.spec.template.spec.initContainers[0].image}')" = busybox:1.36
test "$(kubectl -n pipeline get deploy etl -o jsonpath='{.spec.template.spec.containers[0].image}')" = python:3.12-slim
