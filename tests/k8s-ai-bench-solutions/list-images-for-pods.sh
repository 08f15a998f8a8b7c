#!/usr/bin/env bash
set -euo pipefail
# Task: answer which images all pods in the cluster run. Lists every pod in all namespaces
# with its container (and init container) images, then the distinct images.
kubectl get pods -A -o custom-columns='NAMESPACE:.metadata.namespace,POD:.metadata.name,IMAGES:.spec.containers[*].image,INIT-IMAGES:.spec.initContainers[*].image'
echo
echo "Distinct images running in the cluster:"
kubectl get pods -A -o jsonpath='{range .items[*]}{range .spec.initContainers[*]}{.image}{"\n"}{end}{range .spec.containers[*]}{.image}{"\n"}{end}{end}' | sort -u
