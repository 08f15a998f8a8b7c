#!/usr/bin/env bash
kubectl delete namespace payments --ignore-not-found --wait=false
