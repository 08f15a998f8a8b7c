#!/usr/bin/env bash
# Clean up all resources
kubectl delete namespace webshop-frontend --ignore-not-found
