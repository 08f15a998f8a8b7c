#!/usr/bin/env bash

# Delete the namespace if it exists to ensure a clean state
kubectl delete namespace color-size-settings --ignore-not-found