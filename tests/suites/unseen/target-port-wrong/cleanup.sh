#!/usr/bin/env bash
kubectl delete namespace portal --ignore-not-found --wait=false
