#!/usr/bin/env bash
set -euo pipefail
# Task: multi-tenant dev cluster for alice/bob/charlie: namespaces, per-developer ServiceAccounts, RBAC (admin on own
# namespace, view on dev-shared, nothing on staging/prod), ResourceQuotas, and NetworkPolicies (default deny everywhere,
# DNS/kube-system allowed, traffic only within a namespace plus dev -> dev-shared).
DEVS=(alice bob charlie)
ALL=(dev-alice dev-bob dev-charlie dev-shared staging prod)

for ns in "${ALL[@]}"; do kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f -; done

# RBAC: each developer (User) and their ServiceAccount get the built-in admin role in their own namespace
# and the read-only view role in dev-shared. No bindings in staging/prod: only cluster admins.
for dev in "${DEVS[@]}"; do
  ns=dev-$dev
  kubectl create serviceaccount "$dev-sa" -n "$ns" --dry-run=client -o yaml | kubectl apply -f -
  kubectl create rolebinding "$dev-admin" -n "$ns" --clusterrole=admin --user="$dev" \
    --serviceaccount="$ns:$dev-sa" --dry-run=client -o yaml | kubectl apply -f -
  kubectl create rolebinding "$dev-view" -n dev-shared --clusterrole=view --user="$dev" \
    --serviceaccount="$ns:$dev-sa" --dry-run=client -o yaml | kubectl apply -f -
done

# Resource quotas.
quota() {  # namespace cpu memory pods services
  kubectl create quota compute-quota -n "$1" --dry-run=client -o yaml \
    --hard="requests.cpu=$2,limits.cpu=$2,requests.memory=$3,limits.memory=$3,pods=$4,services=$5" | kubectl apply -f -
}
for dev in "${DEVS[@]}"; do quota "dev-$dev" 2 4Gi 10 5; done
quota dev-shared 4 8Gi 20 10
quota staging 8 16Gi 50 20
quota prod 8 16Gi 50 20

# Network policies: in every namespace deny all by default, allow DNS and kube-system, allow traffic inside the namespace.
for ns in "${ALL[@]}"; do
  kubectl apply -n "$ns" -f - <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns-and-system
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector: {}
  egress:
  - to:
    - podSelector: {}
YAML
done
# Developers may reach dev-shared: egress from each dev namespace, ingress into dev-shared from the dev namespaces.
for dev in "${DEVS[@]}"; do
  kubectl apply -n "dev-$dev" -f - <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-to-dev-shared
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: dev-shared
YAML
done
kubectl apply -n dev-shared -f - <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-from-developers
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: In
          values: [dev-alice, dev-bob, dev-charlie]
YAML

kubectl auth can-i create pods --as=alice -n dev-alice
kubectl auth can-i get pods --as=system:serviceaccount:dev-alice:alice-sa -n dev-shared
kubectl auth can-i get pods --as=alice -n prod || true
