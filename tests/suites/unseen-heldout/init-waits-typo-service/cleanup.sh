#!/usr/bin/env bash
kubectl delete namespace jobs --ignore-not-found --wait=false
