#!/usr/bin/env bash
set -euo pipefail
# Task: fix the crash-looping Deployment "app" in crashloop-test. Its nginx container is given a bogus
# command (a malformed python3 one-liner; nginx image has no python3). Solution: remove the command/args
# override so the image's own nginx entrypoint runs, and wait for the rollout.
NS=crashloop-test
kubectl logs deployment/app -n $NS --tail=5 >&2 || true
kubectl patch deployment app -n $NS --type=json -p '[
  {"op":"remove","path":"/spec/template/spec/containers/0/command"},
  {"op":"remove","path":"/spec/template/spec/containers/0/args"}]'
kubectl rollout status deployment/app -n $NS --timeout=120s
