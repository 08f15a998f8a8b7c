#!/usr/bin/env bash
kubectl delete namespace web 