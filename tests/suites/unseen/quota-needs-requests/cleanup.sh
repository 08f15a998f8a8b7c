#!/usr/bin/env bash
kubectl delete namespace team-a --ignore-not-found --wait=false
