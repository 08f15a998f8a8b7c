#!/usr/bin/env bash
kubectl delete namespace audit --ignore-not-found --wait=false
