#!/usr/bin/env bash
kubectl delete namespace inventory --ignore-not-found --wait=false
