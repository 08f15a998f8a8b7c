#!/usr/bin/env bash
kubectl delete namespace brokers --ignore-not-found --wait=false
