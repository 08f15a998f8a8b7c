#!/usr/bin/env bash
kubectl delete namespace accounts --ignore-not-found --wait=false
