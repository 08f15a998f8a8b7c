#!/usr/bin/env bash
kubectl delete namespace homepage-ns --ignore-not-found=true