#!/usr/bin/env bash
kubectl delete namespace billing --ignore-not-found --wait=false
