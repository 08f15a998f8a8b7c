#!/usr/bin/env bash
set -euo pipefail
waitfor() { for _ in $(seq 90); do eval "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "never: $1" >&2; exit 1; }
kubectl delete namespace ml --ignore-not-found --wait
kubectl create namespace ml
kubectl taint nodes --all maintenance=planned:NoSchedule --overwrite
kubectl -n ml create deployment trainer --image=python:3.12-slim -- python3 -c "import time; time.sleep(3600)"
waitfor "kubectl -n ml get events --field-selector reason=FailedScheduling -o name | grep -q ."
