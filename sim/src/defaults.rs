//! Defaulting on create, as the API server's defaulters do for the types kubesim runs.

use serde_json::{Value, json};

use crate::resources::ResourceType;

fn default(obj: &mut Value, key: &str, v: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj[key] = v;
    }
}

/// A probe's defaults: the API server fills every threshold and the HTTP scheme, so
/// `describe` shows `http-get http://:8000/health … #success=1 #failure=3`.
fn probe(p: &mut Value) {
    if !p.is_object() {
        return;
    }
    default(p, "timeoutSeconds", json!(1));
    default(p, "periodSeconds", json!(10));
    default(p, "successThreshold", json!(1));
    default(p, "failureThreshold", json!(3));
    if p["httpGet"].is_object() {
        default(&mut p["httpGet"], "scheme", json!("HTTP"));
        default(&mut p["httpGet"], "path", json!("/"));
    }
}

fn volumes(spec: &mut Value) {
    for v in spec
        .get_mut("volumes")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for source in ["configMap", "secret"] {
            if v[source].is_object() {
                default(&mut v[source], "defaultMode", json!(420));
            }
        }
    }
}

fn pod_spec(spec: &mut Value) {
    default(spec, "restartPolicy", json!("Always"));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "schedulerName", json!("default-scheduler"));
    default(spec, "securityContext", json!({}));
    default(spec, "enableServiceLinks", json!(true));
    // `serviceAccount` is the deprecated alias the server keeps in step.
    let account = spec
        .get("serviceAccountName")
        .or(spec.get("serviceAccount"))
        .filter(|v| v.is_string())
        .cloned()
        .unwrap_or(json!("default"));
    spec["serviceAccountName"] = account.clone();
    spec["serviceAccount"] = account;
    volumes(spec);
    for list in ["initContainers", "containers"] {
        for c in spec
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let image = c["image"].as_str().unwrap_or_default().to_string();
            let latest = !image.rsplit('/').next().unwrap_or_default().contains(':')
                || image.ends_with(":latest");
            default(
                c,
                "imagePullPolicy",
                json!(if latest { "Always" } else { "IfNotPresent" }),
            );
            default(c, "terminationMessagePath", json!("/dev/termination-log"));
            default(c, "terminationMessagePolicy", json!("File"));
            default(c, "resources", json!({}));
            // A limit without a request: the request defaults to the limit.
            let limits = c["resources"]["limits"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (res, q) in limits {
                if c["resources"]["requests"]
                    .get(&res)
                    .is_none_or(Value::is_null)
                {
                    c["resources"]["requests"][&res] = q;
                }
            }
            for p in ["livenessProbe", "readinessProbe", "startupProbe"] {
                if let Some(p) = c.get_mut(p) {
                    probe(p);
                }
            }
            for p in c
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                default(p, "protocol", json!("TCP"));
            }
        }
    }
}

fn job_spec(spec: &mut Value) {
    default(spec, "backoffLimit", json!(6));
    default(spec, "completions", json!(1));
    default(spec, "parallelism", json!(1));
    default(spec, "completionMode", json!("NonIndexed"));
    default(spec, "suspend", json!(false));
    default(spec, "manualSelector", json!(false));
    default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    if spec["template"]["spec"].is_object() {
        pod_spec(&mut spec["template"]["spec"]);
    }
}

/// What the Job strategy adds unless `manualSelector` is set: a selector on the job's own
/// uid and the labels that carry it onto the pods.
fn job_selector(job: &mut Value) {
    if job["spec"]["manualSelector"] == true {
        return;
    }
    let uid = job["metadata"]["uid"].clone();
    let name = job["metadata"]["name"].clone();
    job["spec"]["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
    let labels = &mut job["spec"]["template"]["metadata"]["labels"];
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", &uid),
        ("batch.kubernetes.io/job-name", &name),
        ("controller-uid", &uid),
        ("job-name", &name),
    ] {
        labels[k] = v.clone();
    }
}

/// What the DefaultTolerationSeconds admission plugin adds to every pod: five minutes on a
/// node that is not ready or unreachable before eviction.
fn default_tolerations(spec: &mut Value) {
    if !spec["tolerations"].is_array() {
        spec["tolerations"] = json!([]);
    }
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let Some(list) = spec["tolerations"].as_array_mut() else {
            return;
        };
        if !list.iter().any(|t| t["key"] == key) {
            list.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
        }
    }
}

/// Fills the defaults of a new object.
pub fn on_create(rt: &ResourceType, obj: &mut Value, service_ip: impl FnOnce() -> String) {
    match (rt.group, rt.kind) {
        ("", "Namespace") => {
            obj["status"] = json!({"phase": "Active"});
            let name = obj["metadata"]["name"].clone();
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
        }
        ("", "Pod") => {
            pod_spec(&mut obj["spec"]);
            default(&mut obj["spec"], "priority", json!(0));
            default(
                &mut obj["spec"],
                "preemptionPolicy",
                json!("PreemptLowerPriority"),
            );
            default_tolerations(&mut obj["spec"]);
            obj["status"] = json!({"phase": "Pending", "qosClass": "Burstable"});
        }
        ("apps", "Deployment") | ("apps", "ReplicaSet") | ("apps", "StatefulSet") => {
            let spec = &mut obj["spec"];
            default(spec, "replicas", json!(1));
            if rt.kind == "Deployment" {
                // As the API server's SetDefaults_Deployment: by field, not by presence, since
                // clients send an empty `strategy: {}` (kubectl create deployment does).
                let strategy = &mut spec["strategy"];
                if strategy["type"].as_str().is_none_or(str::is_empty) {
                    strategy["type"] = json!("RollingUpdate");
                }
                if strategy["type"] == "RollingUpdate" {
                    let ru = &mut strategy["rollingUpdate"];
                    default(ru, "maxSurge", json!("25%"));
                    default(ru, "maxUnavailable", json!("25%"));
                }
                default(spec, "revisionHistoryLimit", json!(10));
                default(spec, "progressDeadlineSeconds", json!(600));
            }
            if rt.kind == "StatefulSet" {
                default(spec, "podManagementPolicy", json!("OrderedReady"));
                default(
                    spec,
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                );
                default(spec, "revisionHistoryLimit", json!(10));
                default(
                    spec,
                    "persistentVolumeClaimRetentionPolicy",
                    json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
                );
            }
            if spec["template"]["spec"].is_object() {
                pod_spec(&mut spec["template"]["spec"]);
            }
            obj["status"] = json!({});
        }
        ("apps", "DaemonSet") => {
            let spec = &mut obj["spec"];
            default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            default(spec, "revisionHistoryLimit", json!(10));
            if spec["template"]["spec"].is_object() {
                pod_spec(&mut spec["template"]["spec"]);
            }
            obj["status"] = json!({"currentNumberScheduled": 0, "desiredNumberScheduled": 0, "numberMisscheduled": 0, "numberReady": 0});
        }
        ("batch", "Job") => {
            job_spec(&mut obj["spec"]);
            job_selector(obj);
            obj["status"] = json!({});
        }
        ("batch", "CronJob") => {
            let spec = &mut obj["spec"];
            default(spec, "concurrencyPolicy", json!("Allow"));
            default(spec, "suspend", json!(false));
            default(spec, "successfulJobsHistoryLimit", json!(3));
            default(spec, "failedJobsHistoryLimit", json!(1));
            if spec["jobTemplate"]["spec"].is_object() {
                job_spec(&mut spec["jobTemplate"]["spec"]);
            }
            obj["status"] = json!({});
        }
        ("", "PersistentVolumeClaim") => {
            default(&mut obj["spec"], "volumeMode", json!("Filesystem"));
            obj["status"] = json!({"phase": "Pending"});
        }
        ("", "PersistentVolume") => {
            default(
                &mut obj["spec"],
                "persistentVolumeReclaimPolicy",
                json!("Retain"),
            );
            default(&mut obj["spec"], "volumeMode", json!("Filesystem"));
            obj["status"] = json!({"phase": "Pending"});
        }
        ("storage.k8s.io", "StorageClass") => {
            default(obj, "reclaimPolicy", json!("Delete"));
            default(obj, "volumeBindingMode", json!("Immediate"));
        }
        ("networking.k8s.io", "NetworkPolicy") => {
            let spec = &mut obj["spec"];
            if spec.get("policyTypes").is_none_or(Value::is_null) {
                let mut types = vec!["Ingress"];
                if spec.get("egress").is_some_and(|e| !e.is_null()) {
                    types.push("Egress");
                }
                spec["policyTypes"] = json!(types);
            }
        }
        ("networking.k8s.io", "Ingress") => obj["status"] = json!({"loadBalancer": {}}),
        ("scheduling.k8s.io", "PriorityClass") => {
            default(obj, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
        ("", "Service") => {
            let spec = &mut obj["spec"];
            default(spec, "type", json!("ClusterIP"));
            default(spec, "sessionAffinity", json!("None"));
            if spec.get("clusterIP").is_none_or(Value::is_null) {
                let ip = service_ip();
                spec["clusterIP"] = json!(ip);
                spec["clusterIPs"] = json!([ip]);
            }
            default(spec, "ipFamilies", json!(["IPv4"]));
            default(spec, "ipFamilyPolicy", json!("SingleStack"));
            default(spec, "internalTrafficPolicy", json!("Cluster"));
            for p in spec
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                default(p, "protocol", json!("TCP"));
                let port = p["port"].clone();
                default(p, "targetPort", port);
            }
            obj["status"] = json!({"loadBalancer": {}});
        }
        _ => {}
    }
}

/// What the API server does on every write, not only on create: a Secret's `stringData` is
/// write-only, merged into `data` (base64) and never stored.
pub fn on_write(rt: &ResourceType, obj: &mut Value) {
    if (rt.group, rt.kind) != ("", "Secret") {
        return;
    }
    use base64::Engine;
    let Some(string_data) = obj.as_object_mut().and_then(|o| o.remove("stringData")) else {
        return;
    };
    if !obj["data"].is_object() {
        obj["data"] = json!({});
    }
    for (k, v) in string_data.as_object().into_iter().flatten() {
        let text = v.as_str().unwrap_or_default();
        obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
}
