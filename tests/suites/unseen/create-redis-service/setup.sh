#!/usr/bin/env bash
set -euo pipefail
kubectl delete namespace session --ignore-not-found --wait
kubectl create namespace session
