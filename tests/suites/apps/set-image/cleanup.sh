#!/usr/bin/env bash
kubectl delete namespace docs --ignore-not-found --wait=false
