#!/usr/bin/env bash
set -euo pipefail
# Task: explain what is wrong with calc-app-pod in calc-app. Solution: check its status, then read its
# logs (waiting until a failure shows up, as it is intermittent) and report the error found there.
NS=calc-app; POD=calc-app-pod
kubectl get pod $POD -n $NS >&2
for _ in $(seq 60); do
  ERRS=$(kubectl logs $POD -n $NS | grep -i error) && break
  sleep 2
done
TOTAL=$(kubectl logs $POD -n $NS | grep -c '^Run ')
echo "calc-app-pod is running, but its app fails intermittently: $(wc -l <<<"$ERRS") of $TOTAL runs so far logged an error."
echo "Latest error from its log: \"$(tail -n1 <<<"$ERRS")\""
