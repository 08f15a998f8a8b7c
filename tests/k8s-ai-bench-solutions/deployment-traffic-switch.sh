#!/usr/bin/env bash
set -euo pipefail
# Task: switch Service traffic in e-commerce from checkout-service-blue to checkout-service-green.
# Solution: make sure green is rolled out, then repoint the Service's "version" selector to green's label.
NS=e-commerce
kubectl rollout status deployment/checkout-service-green -n $NS --timeout=120s
VERSION=$(kubectl get deployment checkout-service-green -n $NS -o jsonpath='{.spec.template.metadata.labels.version}')
kubectl patch service checkout-service -n $NS -p "{\"spec\":{\"selector\":{\"version\":\"$VERSION\"}}}"
kubectl get endpointslices -n $NS -l kubernetes.io/service-name=checkout-service -o wide
