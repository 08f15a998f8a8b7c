#!/usr/bin/env bash
kubectl delete namespace pipeline2 --ignore-not-found --wait=false
