#!/usr/bin/env bash
kubectl delete namespace kv --ignore-not-found --wait=false
