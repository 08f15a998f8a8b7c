#!/usr/bin/env bash
set -euo pipefail
# Task: create an nginx pod "web-server" in namespace web-server (the task has no set-up:
# the namespace may not exist). Solution: make sure the namespace exists, run the pod with
# the nginx image, and wait for it to become Ready.
kubectl create namespace web-server --dry-run=client -o yaml | kubectl apply -f -
kubectl run web-server --image=nginx -n web-server
kubectl wait --for=condition=Ready pod/web-server -n web-server --timeout=120s
