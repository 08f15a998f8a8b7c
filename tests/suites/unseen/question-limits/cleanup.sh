#!/usr/bin/env bash
kubectl delete namespace shop --ignore-not-found --wait=false
