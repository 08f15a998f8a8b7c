#!/usr/bin/env bash
kubectl delete namespace calc-app
