#!/usr/bin/env bash
kubectl delete namespace crm --ignore-not-found --wait=false
