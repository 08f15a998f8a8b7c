#!/usr/bin/env bash
kubectl delete namespace reports --ignore-not-found --wait=false
