#!/usr/bin/env bash
kubectl delete namespace debug 