//! The endpoints controller: each Service with a selector gets an Endpoints object listing
//! its ready (and not-ready) pods and resolved target ports.

use serde_json::{Value, json};

use super::replicaset::pod_ready;
use super::{ident, rt};
use crate::selector::LabelSelector;
use crate::store::Store;

fn target_port(svc_port: &Value, pods: &[&Value]) -> Value {
    match &svc_port["targetPort"] {
        Value::String(name) => pods
            .iter()
            .flat_map(|p| p["spec"]["containers"].as_array().into_iter().flatten())
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .find(|p| p["name"] == name.as_str())
            .map(|p| p["containerPort"].clone())
            .unwrap_or(Value::Null),
        Value::Null => svc_port["port"].clone(),
        n => n.clone(),
    }
}

/// One pass over Services.
pub fn reconcile(store: &Store) {
    let eps_rt = rt("", "endpoints");
    let services = store.all(rt("", "services"));
    let pods = store.all(rt("", "pods"));
    for svc in &services {
        let (name, ns, _) = ident(svc);
        let Some(sel) = svc["spec"]["selector"]
            .as_object()
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let selector = LabelSelector::from_object(&json!({"matchLabels": sel}));
        let members: Vec<&Value> = pods
            .iter()
            .filter(|p| p["metadata"]["namespace"] == ns.as_str())
            .filter(|p| selector.matches(p["metadata"]["labels"].as_object()))
            .filter(|p| p["status"]["podIP"].is_string())
            .collect();
        let address = |p: &&Value| {
            json!({"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
                   "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
        };
        let ready: Vec<Value> = members
            .iter()
            .filter(|p| pod_ready(p))
            .map(address)
            .collect();
        let not_ready: Vec<Value> = members
            .iter()
            .filter(|p| !pod_ready(p))
            .map(address)
            .collect();
        let ports: Vec<Value> = svc["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let mut e = json!({"port": target_port(p, &members), "protocol": p["protocol"]});
                if let Some(n) = p["name"].as_str() {
                    e["name"] = json!(n);
                }
                e
            })
            .collect();
        let mut subset = json!({"ports": ports});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        let subsets = if members.is_empty() {
            json!([])
        } else {
            json!([subset])
        };
        let slice_endpoints: Vec<Value> = members
            .iter()
            .map(|p| {
                let ready = pod_ready(p);
                json!({"addresses": [p["status"]["podIP"]], "conditions": {"ready": ready, "serving": ready, "terminating": false},
                       "nodeName": p["spec"]["nodeName"],
                       "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
            })
            .collect();
        // Slices always name their ports ("" when unnamed); kubectl dereferences the name.
        let slice_ports: Vec<Value> = subset["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| json!({"name": p["name"].as_str().unwrap_or(""), "port": p["port"], "protocol": p["protocol"]}))
            .collect();
        sync_slice(
            store,
            svc,
            &name,
            &ns,
            json!(slice_endpoints),
            json!(slice_ports),
        );
        match store.get(eps_rt, &ns, &name) {
            Ok(cur) if cur["subsets"] == subsets => {}
            Ok(_) => {
                let _ = store.modify(eps_rt, &ns, &name, |e| {
                    e["subsets"] = subsets.clone();
                    Ok(())
                });
            }
            Err(_) => {
                let _ = store.create(eps_rt, &ns, json!({"metadata": {"name": name, "labels": svc["metadata"]["labels"]}, "subsets": subsets}));
            }
        }
    }
    // Endpoints and slices whose Service is gone go with it.
    let slices_rt = rt("discovery.k8s.io", "endpointslices");
    for sl in store.all(slices_rt) {
        let (name, ns, _) = ident(&sl);
        let svc = sl["metadata"]["labels"]["kubernetes.io/service-name"]
            .as_str()
            .unwrap_or_default();
        if !services
            .iter()
            .any(|s| s["metadata"]["name"] == svc && s["metadata"]["namespace"] == ns.as_str())
        {
            let _ = store.delete(slices_rt, &ns, &name);
        }
    }
    for ep in store.all(eps_rt) {
        let (name, ns, _) = ident(&ep);
        let has_service = services.iter().any(|s| {
            s["metadata"]["name"] == name.as_str() && s["metadata"]["namespace"] == ns.as_str()
        });
        if !has_service {
            let _ = store.delete(eps_rt, &ns, &name);
        }
    }
}

fn sync_slice(store: &Store, svc: &Value, name: &str, ns: &str, endpoints: Value, ports: Value) {
    let slices_rt = rt("discovery.k8s.io", "endpointslices");
    let slice_name = format!("{name}-kubesim");
    match store.get(slices_rt, ns, &slice_name) {
        Ok(cur) if cur["endpoints"] == endpoints && cur["ports"] == ports => {}
        Ok(_) => {
            let _ = store.modify(slices_rt, ns, &slice_name, |s| {
                s["endpoints"] = endpoints.clone();
                s["ports"] = ports.clone();
                Ok(())
            });
        }
        Err(_) => {
            let _ = store.create(
                slices_rt,
                ns,
                json!({
                    "metadata": {"name": slice_name, "labels": {"kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                                 "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name, "uid": svc["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}]},
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                }),
            );
        }
    }
}
