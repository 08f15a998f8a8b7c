#!/usr/bin/env bash
set -euo pipefail
# Task: NetworkPolicy "np" in ns1 restricting egress to pods in ns2 plus DNS (53 TCP/UDP), ingress untouched.
# Solution: Egress-only policy selecting all pods, with a namespaceSelector rule and a port-53 rule.
kubectl apply -f - <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
  namespace: ns1
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: ns2
  - ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
YAML
