#!/usr/bin/env bash
kubectl delete namespace session --ignore-not-found --wait=false
