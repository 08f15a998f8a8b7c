#!/usr/bin/env bash
kubectl delete namespace data --ignore-not-found --wait=false
