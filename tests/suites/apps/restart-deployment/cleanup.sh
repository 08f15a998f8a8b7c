#!/usr/bin/env bash
kubectl delete namespace cache --ignore-not-found --wait=false
