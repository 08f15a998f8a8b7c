#!/usr/bin/env bash
kubectl delete namespace store --ignore-not-found --wait=false
