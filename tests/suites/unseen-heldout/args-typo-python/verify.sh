#!/usr/bin/env bash
set -eu
kubectl -n science rollout status deployment/simulator --timeout=120s
kubectl -n science wait pods -l app=simulator --for=condition=Ready --timeout=60s
a=$(kubectl -n science get deploy simulator -o jsonpath='{.spec.template.spec.containers[0].args}')
echo "$a" | grep -q "python3 -c" && echo "$a" | grep -q 'warming up'
kubectl -n science get deploy simulator -o jsonpath='{.spec.template.spec.containers[0].command}' | grep -q '/bin/sh'
