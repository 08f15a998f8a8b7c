#!/usr/bin/env bash
kubectl delete namespace intranet --ignore-not-found --wait=false
