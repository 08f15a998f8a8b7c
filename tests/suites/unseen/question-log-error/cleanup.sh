#!/usr/bin/env bash
kubectl delete namespace etl --ignore-not-found --wait=false
