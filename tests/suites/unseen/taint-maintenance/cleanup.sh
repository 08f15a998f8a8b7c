#!/usr/bin/env bash
kubectl taint nodes --all maintenance- 2>/dev/null
kubectl delete namespace ml --ignore-not-found --wait=false
