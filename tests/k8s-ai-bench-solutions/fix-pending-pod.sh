#!/usr/bin/env bash
set -euo pipefail
# Task: homepage-pod in homepage-ns is Pending because its PVC asks for a StorageClass "sc" that does
# not exist. Solution: recreate the PVC (storageClassName is immutable) with the cluster's default
# StorageClass; the pod then gets scheduled once the claim binds.
NS=homepage-ns
PVC=$(kubectl get pod homepage-pod -n $NS -o jsonpath='{.spec.volumes[0].persistentVolumeClaim.claimName}')
kubectl get pvc "$PVC" -n $NS >&2
SC=$(kubectl get storageclass -o jsonpath='{.items[?(@.metadata.annotations.storageclass\.kubernetes\.io/is-default-class=="true")].metadata.name}')
kubectl get pvc "$PVC" -n $NS -o json \
  | jq --arg sc "$SC" '{apiVersion, kind, metadata: {name: .metadata.name, namespace: .metadata.namespace},
                         spec: (.spec | .storageClassName = $sc)}' \
  | kubectl replace --force -f -
kubectl wait --for=jsonpath='{.status.phase}'=Bound pvc/"$PVC" -n $NS --timeout=120s
kubectl wait --for=condition=Ready pod/homepage-pod -n $NS --timeout=120s
