#!/usr/bin/env bash
set -eu
test "$(kubectl -n ops get cronjob backup -o jsonpath='{.spec.suspend}')" != true
test "$(kubectl -n ops get cronjob backup -o jsonpath='{.spec.schedule}')" = '*/1 * * * *'
kubectl -n ops get cronjob backup -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[0].command}' | grep -q 'backing up'
