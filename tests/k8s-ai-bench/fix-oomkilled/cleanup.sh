#!/usr/bin/env bash
kubectl delete namespace webapp-backend --ignore-not-found=true
