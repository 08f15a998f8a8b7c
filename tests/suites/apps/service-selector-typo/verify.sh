#!/usr/bin/env bash
set -euo pipefail
for _ in $(seq 60); do
  n=$(kubectl -n storefront get endpoints cart -o jsonpath='{.subsets[*].addresses[*].ip}' | wc -w)
  [ "$n" -eq 2 ] && exit 0
  sleep 1
done
echo "the cart service has $n ready endpoints, not 2" >&2; exit 1
