#!/usr/bin/env bash
kubectl delete namespace warehouse --ignore-not-found --wait=false
