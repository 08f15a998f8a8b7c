#!/usr/bin/env bash
kubectl delete namespace catalog --ignore-not-found --wait=false
