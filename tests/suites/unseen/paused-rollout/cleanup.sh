#!/usr/bin/env bash
kubectl delete namespace shop2 --ignore-not-found --wait=false
