#!/usr/bin/env bash
kubectl delete namespace monitoring --ignore-not-found --wait=false
