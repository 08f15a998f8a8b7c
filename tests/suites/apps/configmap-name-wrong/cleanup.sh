#!/usr/bin/env bash
kubectl delete namespace mail --ignore-not-found --wait=false
