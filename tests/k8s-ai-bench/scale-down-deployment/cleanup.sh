#!/usr/bin/env bash
kubectl delete namespace scale-down-test 