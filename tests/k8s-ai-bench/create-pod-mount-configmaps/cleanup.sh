#!/usr/bin/env bash

kubectl delete namespace color-size-settings --ignore-not-found
echo "Cleanup completed" 