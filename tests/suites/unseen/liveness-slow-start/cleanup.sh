#!/usr/bin/env bash
kubectl delete namespace finance --ignore-not-found --wait=false
