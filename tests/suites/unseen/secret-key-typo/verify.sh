#!/usr/bin/env bash
set -eu
kubectl -n accounts rollout status deployment/ledger --timeout=120s
test "$(kubectl -n accounts get deploy ledger -o jsonpath='{.spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key}')" = password
test "$(kubectl -n accounts get deploy ledger -o jsonpath='{.spec.template.spec.containers[0].env[1].name}')" = DB_PASSWORD
test "$(kubectl -n accounts get secret ledger-db -o jsonpath='{.data.password}' | base64 -d)" = s3cr3t-ledger
