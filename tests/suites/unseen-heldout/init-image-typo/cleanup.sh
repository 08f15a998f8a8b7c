#!/usr/bin/env bash
kubectl delete namespace pipeline --ignore-not-found --wait=false
