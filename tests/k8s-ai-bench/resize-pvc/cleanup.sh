#!/usr/bin/env bash
kubectl delete namespace resize-pv --ignore-not-found=true