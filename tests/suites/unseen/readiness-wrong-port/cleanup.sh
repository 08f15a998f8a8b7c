#!/usr/bin/env bash
kubectl delete namespace wiki --ignore-not-found --wait=false
