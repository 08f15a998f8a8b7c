//! The endpoints controller: each Service with a selector gets an Endpoints object and
//! EndpointSlices listing its ready (and not-ready) pods with the target port resolved per
//! pod (a named port may differ between pods, so pods are grouped by their ports). Where a
//! process really listens is the kubelet's business, as on a cluster.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::replicaset::pod_ready;
use crate::graceful::terminating;
use crate::meta::ident;
use crate::resources::ResourceType;
use crate::resources::{ENDPOINT_SLICE, ENDPOINTS, POD, SERVICE};
use crate::selector::LabelSelector;
use crate::store::Store;

/// The resolved ports of `pod` for a Service's ports: (name, port, protocol).
fn pod_ports(svc: &Value, pod: &Value) -> Vec<Value> {
    svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|sp| {
            let cport = match &sp["targetPort"] {
                Value::String(name) => pod["spec"]["containers"]
                    .as_array()?
                    .iter()
                    .flat_map(|c| c["ports"].as_array().into_iter().flatten())
                    .find(|p| p["name"] == name.as_str())
                    .and_then(|p| p["containerPort"].as_i64())?,
                Value::Number(n) => n.as_i64()?,
                _ => sp["port"].as_i64()?,
            };
            Some(json!({"name": sp["name"].as_str().unwrap_or(""), "port": cport, "protocol": sp["protocol"]}))
        })
        .collect()
}

fn sync(
    store: &Store,
    r: &'static ResourceType,
    ns: &str,
    name: &str,
    body: Value,
    compare: &[&str],
) {
    match store.get(r, ns, name) {
        Ok(cur) if compare.iter().all(|k| cur[*k] == body[*k]) => {}
        Ok(_) => {
            let _ = store.modify(r, ns, name, |o| {
                for k in compare {
                    // An empty list is left out, as the API server's encoding omits it.
                    match (&body[*k], o.as_object_mut()) {
                        (Value::Null, Some(fields)) => {
                            fields.remove(*k);
                        }
                        (v, _) => o[*k] = v.clone(),
                    }
                }
                Ok(())
            });
        }
        Err(_) => {
            let _ = store.create(r, ns, body);
        }
    }
}

/// An Endpoints object; without addresses it has no `subsets` at all, as on a cluster
/// (`kubectl get endpoints -o jsonpath='{.subsets}'` prints nothing).
fn endpoints_object(name: &str, labels: &Value, subsets: Vec<Value>) -> Value {
    let mut ep = json!({"metadata": {"name": name, "labels": labels}});
    if !subsets.is_empty() {
        ep["subsets"] = json!(subsets);
    }
    ep
}

/// One pass over Services.
pub fn reconcile(store: &Store) {
    let services = store.all(&SERVICE);
    let pods = store.all_shared(&POD);
    for svc in &services {
        let (name, ns, uid) = ident(svc);
        let Some(sel) = svc["spec"]["selector"]
            .as_object()
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let selector = LabelSelector::from_object(&json!({"matchLabels": sel}));
        // publishNotReadyAddresses: every pod is an address, even unready or terminating.
        let publish = svc["spec"]["publishNotReadyAddresses"] == true;
        // Pods grouped by their resolved ports.
        let mut groups: BTreeMap<String, (Vec<Value>, Vec<&Value>)> = BTreeMap::new();
        for p in pods.iter().filter(|p| {
            p["metadata"]["namespace"] == ns.as_str()
                && selector.matches(p["metadata"]["labels"].as_object())
                && p["status"]["podIP"].is_string()
        }) {
            let ports = pod_ports(svc, p);
            groups
                .entry(Value::Array(ports.clone()).to_string())
                .or_insert_with(|| (ports, Vec::new()))
                .1
                .push(p);
        }
        let mut subsets = Vec::new();
        let mut slices = Vec::new();
        for (ports, members) in groups.values() {
            let address = |p: &&Value| {
                json!({"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
                       "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
            };
            let ep_ports: Vec<Value> = ports
                .iter()
                .map(|p| {
                    let mut e = json!({"port": p["port"], "protocol": p["protocol"]});
                    if p["name"] != "" {
                        e["name"] = p["name"].clone();
                    }
                    e
                })
                .collect();
            let mut subset = json!({"ports": ep_ports});
            // A terminating pod leaves the Endpoints at once (EndpointSlices keep it,
            // marked terminating).
            let listed = |p: &&&Value| publish || !terminating(p);
            let ready: Vec<Value> = members
                .iter()
                .filter(listed)
                .filter(|p| publish || pod_ready(p))
                .map(address)
                .collect();
            let not_ready: Vec<Value> = members
                .iter()
                .filter(listed)
                .filter(|p| !publish && !pod_ready(p))
                .map(address)
                .collect();
            if !ready.is_empty() {
                subset["addresses"] = json!(ready);
            }
            if !not_ready.is_empty() {
                subset["notReadyAddresses"] = json!(not_ready);
            }
            subsets.push(subset);
            let endpoints: Vec<Value> = members
                .iter()
                .map(|p| {
                    let serving = pod_ready(p);
                    let gone = terminating(p);
                    let ready = publish || (serving && !gone);
                    json!({"addresses": [p["status"]["podIP"]], "conditions": {"ready": ready, "serving": serving, "terminating": gone},
                           "nodeName": p["spec"]["nodeName"],
                           "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
                })
                .collect();
            slices.push((json!(ports), json!(endpoints)));
        }
        sync(
            store,
            &ENDPOINTS,
            &ns,
            &name,
            endpoints_object(&name, &svc["metadata"]["labels"], subsets),
            &["subsets"],
        );
        let slices_rt = &ENDPOINT_SLICE;
        let wanted: Vec<String> = (0..slices.len().max(1))
            // Named as generateName names them (`web-` and five characters), but stable.
            .map(|i| {
                let hash = super::deployment::template_hash(&json!({"spec": [uid, i]}));
                format!("{name}-{}", &hash[..5])
            })
            .collect();
        if slices.is_empty() {
            slices.push((json!([]), json!([])));
        }
        for (i, (ports, endpoints)) in slices.into_iter().enumerate() {
            let body = json!({
                "metadata": {"name": wanted[i], "labels": {"kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
                "addressType": "IPv4", "endpoints": endpoints, "ports": ports,
            });
            sync(
                store,
                &ENDPOINT_SLICE,
                &ns,
                &wanted[i],
                body,
                &["endpoints", "ports"],
            );
        }
        for sl in store.all(slices_rt) {
            let (sl_name, sl_ns, _) = ident(&sl);
            if sl_ns == ns
                && sl["metadata"]["labels"]["kubernetes.io/service-name"] == name.as_str()
                && !wanted.contains(&sl_name)
            {
                let _ = store.delete(slices_rt, &ns, &sl_name);
            }
        }
    }
    // Endpoints and slices whose Service is gone go with it.
    let has_service = |ns: &str, name: &str| {
        services
            .iter()
            .any(|s| s["metadata"]["name"] == name && s["metadata"]["namespace"] == ns)
    };
    for ep in store.all(&ENDPOINTS) {
        let (name, ns, _) = ident(&ep);
        if !has_service(&ns, &name) {
            let _ = store.delete(&ENDPOINTS, &ns, &name);
        }
    }
    let slices_rt = &ENDPOINT_SLICE;
    for sl in store.all(slices_rt) {
        let (name, ns, _) = ident(&sl);
        if !has_service(
            &ns,
            sl["metadata"]["labels"]["kubernetes.io/service-name"]
                .as_str()
                .unwrap_or_default(),
        ) {
            let _ = store.delete(slices_rt, &ns, &name);
        }
    }
}
