#!/usr/bin/env bash
set -euo pipefail
# Task: deploy image tag 1.29 as canary engine-v2-1 next to engine-v2-0 with ~50% of the traffic.
# Solution: clone the stable Deployment (same replica count, version label v2.1, tag 1.29) and drop the
# "version" key from the Service selector so it balances over both Deployments' pods.
NS=canary-deployment-ns
STABLE=$(kubectl get deployment engine-v2-0 -n $NS -o json)
IMAGE=$(jq -r '.spec.template.spec.containers[0].image' <<<"$STABLE")
jq --arg img "${IMAGE%:*}:1.29" '{apiVersion, kind,
    metadata: {name: "engine-v2-1", labels: (.metadata.labels + {version: "v2.1"})},
    spec: (.spec | .selector.matchLabels.version = "v2.1" | .template.metadata.labels.version = "v2.1"
                 | .template.spec.containers[0].image = $img)}' <<<"$STABLE" | kubectl apply -n $NS -f -
kubectl rollout status deployment/engine-v2-1 -n $NS --timeout=120s
kubectl patch service recommendation-engine -n $NS --type=json -p '[{"op":"remove","path":"/spec/selector/version"}]'
kubectl get endpoints recommendation-engine -n $NS
