#!/usr/bin/env bash
set -eu
kubectl -n team-a rollout status deployment/notifier --timeout=120s
test "$(kubectl -n team-a get resourcequota compute -o jsonpath='{.spec.hard.requests\.cpu}')" = 1
test "$(kubectl -n team-a get resourcequota compute -o jsonpath='{.spec.hard.limits\.memory}')" = 2Gi
kubectl -n team-a get deploy notifier -o jsonpath='{.spec.template.spec.containers[0].command}' | grep -q 'echo notify'
