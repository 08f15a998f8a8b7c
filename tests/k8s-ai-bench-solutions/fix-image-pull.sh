#!/usr/bin/env bash
set -euo pipefail
# Task: fix Deployment "app" in namespace debug, whose pod is in ImagePullBackOff because the image tag
# does not exist. Solution: point the container at a valid tag of the same image and wait for the rollout.
NS=debug
CONTAINER=$(kubectl get deployment app -n $NS -o jsonpath='{.spec.template.spec.containers[0].name}')
IMAGE=$(kubectl get deployment app -n $NS -o jsonpath='{.spec.template.spec.containers[0].image}')
kubectl get pods -n $NS -l app=nginx >&2
kubectl set image deployment/app -n $NS "$CONTAINER=${IMAGE%:*}:latest"
kubectl rollout status deployment/app -n $NS --timeout=120s
