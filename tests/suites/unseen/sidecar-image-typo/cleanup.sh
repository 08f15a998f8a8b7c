#!/usr/bin/env bash
kubectl delete namespace storefront --ignore-not-found --wait=false
