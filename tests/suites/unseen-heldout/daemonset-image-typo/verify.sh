#!/usr/bin/env bash
set -eu
kubectl -n monitoring rollout status daemonset/node-agent --timeout=120s
kubectl -n monitoring get ds node-agent -o jsonpath='{.spec.template.spec.containers[0].image}' | grep -q '^busybox'
kubectl -n monitoring get ds node-agent -o jsonpath='{.spec.template.spec.containers[0].command}' | grep -q scrape
