#!/usr/bin/env bash
kubectl delete namespace queue --ignore-not-found --wait=false
