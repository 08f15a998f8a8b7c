#!/usr/bin/env bash
kubectl delete namespace ml --ignore-not-found --wait=false
