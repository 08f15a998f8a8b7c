#!/usr/bin/env bash
set -euo pipefail
# Task: grow the volume of storage-pod (namespace resize-pv) to 15Gi. Finds the pod's claim and its StorageClass,
# allows volume expansion on the class if it does not yet (a mutable field), then raises the claim's request.
NS=resize-pv
PVC=$(kubectl get pod storage-pod -n "$NS" -o jsonpath='{.spec.volumes[*].persistentVolumeClaim.claimName}')
SC=$(kubectl get pvc "$PVC" -n "$NS" -o jsonpath='{.spec.storageClassName}')
if [ "$(kubectl get storageclass "$SC" -o jsonpath='{.allowVolumeExpansion}')" != "true" ]; then
  kubectl patch storageclass "$SC" -p '{"allowVolumeExpansion":true}'
fi
kubectl patch pvc "$PVC" -n "$NS" -p '{"spec":{"resources":{"requests":{"storage":"15Gi"}}}}'
kubectl wait pvc/"$PVC" -n "$NS" --for=jsonpath='{.status.capacity.storage}'=15Gi --timeout=120s
kubectl get pvc "$PVC" -n "$NS"
