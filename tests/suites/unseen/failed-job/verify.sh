#!/usr/bin/env bash
set -eu
kubectl -n crm wait job/migrate --for=condition=Complete --timeout=120s
kubectl -n crm get job migrate -o jsonpath='{.spec.template.spec.containers[0].command}' | grep -q 'applying schema 42'
