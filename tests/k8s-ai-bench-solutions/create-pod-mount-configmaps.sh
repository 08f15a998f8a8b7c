#!/usr/bin/env bash
set -euo pipefail
# Task: namespace color-size-settings, ConfigMaps color-settings (color=blue) and size-settings (size=medium),
# nginx:alpine pod pod1 with env COLOR from color-settings and size-settings mounted at /etc/sizes/.
# Solution: kubectl create for namespace/ConfigMaps, a pod manifest with configMapKeyRef + configMap volume.
NS=color-size-settings
kubectl create namespace $NS
kubectl create configmap color-settings --from-literal=color=blue -n $NS
kubectl create configmap size-settings --from-literal=size=medium -n $NS
kubectl apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: pod1
  namespace: $NS
spec:
  containers:
  - name: nginx
    image: nginx:alpine
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: color-settings
          key: color
    volumeMounts:
    - name: sizes
      mountPath: /etc/sizes/
  volumes:
  - name: sizes
    configMap:
      name: size-settings
YAML
kubectl wait --for=condition=Ready pod/pod1 -n $NS --timeout=120s
