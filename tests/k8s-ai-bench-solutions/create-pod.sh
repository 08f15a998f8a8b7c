#!/usr/bin/env bash
set -euo pipefail
# Task: create an nginx pod "web-server" in namespace web-server.
# Solution: kubectl run with the nginx image, then wait for it to become Ready.
kubectl run web-server --image=nginx -n web-server
kubectl wait --for=condition=Ready pod/web-server -n web-server --timeout=120s
