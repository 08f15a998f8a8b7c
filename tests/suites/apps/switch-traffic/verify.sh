#!/usr/bin/env bash
set -euo pipefail
test "$(kubectl -n payments get service gateway -o jsonpath='{.spec.selector.track}')" = green
test "$(kubectl -n payments get service gateway -o jsonpath='{.spec.selector.app}')" = gateway
green=$(kubectl -n payments get pods -l track=green -o jsonpath='{.items[*].status.podIP}' | tr ' ' '\n' | sort)
for _ in $(seq 60); do
  served=$(kubectl -n payments get endpoints gateway -o jsonpath='{.subsets[*].addresses[*].ip}' | tr ' ' '\n' | sort)
  [ -n "$served" ] && [ "$served" = "$green" ] && exit 0
  sleep 1
done
echo "endpoints are [$served], green pods are [$green]" >&2; exit 1
