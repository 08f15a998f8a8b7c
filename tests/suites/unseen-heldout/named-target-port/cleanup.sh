#!/usr/bin/env bash
kubectl delete namespace gallery --ignore-not-found --wait=false
