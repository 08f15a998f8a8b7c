//! The bundled charts through the real Helm SDK: schemas equal the Rust types, defaults
//! equal `values.yaml`, lint is clean with every environment file, rendered manifests
//! (decoded into k8s-openapi types) keep the invariants, bad values name the key.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Container, Secret, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Value, json};
use todo_ops_tools::helm::{self, Chart, ErrorCode, LintOptions, RenderOptions, Severity};
use todo_ops_tools::values::{BackendValues, FrontendValues, schema_json};

fn chart_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../charts")
        .join(name)
}

fn env_values(chart: &str, env: &str) -> Value {
    let text =
        std::fs::read_to_string(chart_dir(chart).join(format!("values-{env}.yaml"))).unwrap();
    helm::values_from_yaml(&text).unwrap()
}

const ENVS: [&str; 3] = ["minikube", "kubesim", "production"];

#[test]
fn checked_in_schemas_equal_the_generated_ones() {
    // UPDATE_SCHEMAS=1 rewrites them (then review the diff).
    for (chart, generated) in [
        ("todo-backend", schema_json::<BackendValues>()),
        ("todo-frontend", schema_json::<FrontendValues>()),
    ] {
        todo_e2e::checked_in::assert_current(
            &chart_dir(chart).join("values.schema.json"),
            &generated,
            "cargo nextest run -p todo-ops-tools checked_in_schemas",
        );
    }
}

#[test]
fn values_yaml_equals_the_rust_defaults() {
    let backend = Chart::load(chart_dir("todo-backend")).unwrap();
    let parsed: BackendValues = serde_json::from_value(backend.default_values().unwrap()).unwrap();
    assert_eq!(parsed, BackendValues::default());
    let frontend = Chart::load(chart_dir("todo-frontend")).unwrap();
    let parsed: FrontendValues =
        serde_json::from_value(frontend.default_values().unwrap()).unwrap();
    assert_eq!(parsed, FrontendValues::default());
    // Every environment file also fits the types once merged.
    for env in ENVS {
        let merged = backend
            .merge_values(&env_values("todo-backend", env))
            .unwrap();
        serde_json::from_value::<BackendValues>(merged)
            .unwrap_or_else(|e| panic!("backend {env}: {e}"));
        let merged = frontend
            .merge_values(&env_values("todo-frontend", env))
            .unwrap();
        serde_json::from_value::<FrontendValues>(merged)
            .unwrap_or_else(|e| panic!("frontend {env}: {e}"));
    }
}

#[test]
fn both_charts_lint_clean_with_every_environment_file() {
    let opts = LintOptions {
        strict: Some(true),
        kube_version: Some("v1.32.0".into()),
        ..Default::default()
    };
    for chart in ["todo-backend", "todo-frontend"] {
        for env in ENVS {
            let report =
                helm::lint(&chart_dir(chart), Some(&env_values(chart, env)), &opts).unwrap();
            assert!(
                report.errors.is_empty(),
                "{chart} {env}: {:?}",
                report.errors
            );
            let bad = report.at_least(Severity::Warning);
            assert!(bad.is_empty(), "{chart} with values-{env}.yaml: {bad:#?}");
        }
    }
    // The frontend also lints clean on its defaults alone.
    let report = helm::lint(&chart_dir("todo-frontend"), None, &opts).unwrap();
    assert!(report.at_least(Severity::Warning).is_empty(), "{report:?}");
}

#[test]
fn backend_without_a_database_fails_naming_the_settings() {
    let chart = Chart::load(chart_dir("todo-backend")).unwrap();
    let err = chart
        .render(&json!({}), &RenderOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Render));
    let msg = err.to_string();
    for key in ["secrets.databaseUrl", "postgres.enabled", "existingSecret"] {
        assert!(msg.contains(key), "{msg}");
    }
}

/// Where the values require a pinned image, `latest` is refused unless a digest pins it;
/// the shipped production values pin one, and a digest reaches the pods.
#[test]
fn production_refuses_an_unpinned_image() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    for chart_name in ["todo-backend", "todo-frontend"] {
        let chart = Chart::load(chart_dir(chart_name)).unwrap();
        let mut production = env_values(chart_name, "production");
        assert_eq!(production["image"]["requirePinned"], true, "{chart_name}");
        chart.validate_values(&production).unwrap();
        production["image"]["tag"] = json!("latest");
        let err = chart
            .validate_values(&production)
            .expect_err("latest must be refused in production");
        assert_eq!(err.code(), Some(ErrorCode::Values), "{err}");
        assert!(err.to_string().contains("tag"), "{err}");
        production["image"]["digest"] = json!(digest);
        chart.validate_values(&production).unwrap();
        if chart_name == "todo-frontend" {
            let m = render(chart_name, &production);
            let dep: Deployment = one(&m, "Deployment");
            let image = dep.spec.unwrap().template.spec.unwrap().containers[0]
                .image
                .clone()
                .unwrap();
            assert_eq!(image, format!("todo-frontend@{digest}"));
        }
        // Elsewhere `latest` stays fine (Minikube builds images into the node).
        chart
            .validate_values(&env_values(chart_name, "minikube"))
            .unwrap();
        let bad_digest = json!({"image": {"digest": "sha256:xyz"}});
        assert!(chart.validate_values(&bad_digest).is_err(), "{chart_name}");
    }
}

#[test]
fn bad_values_are_rejected_naming_the_key() {
    let chart = Chart::load(chart_dir("todo-backend")).unwrap();
    let cases = [
        (json!({"replicaCount": "two"}), "replicaCount"),
        (
            json!({"resources": {"limits": {"memory": "-256Mi"}}}),
            "memory",
        ),
        (json!({"resources": {"limits": {"cpu": -1}}}), "cpu"),
        (json!({"replicas": 3}), "replicas"),
        (json!({"image": {"pullPolcy": "Never"}}), "pullPolcy"),
        (
            json!({"secrets": {"betterAuthSecret": "short"}}),
            "betterAuthSecret",
        ),
    ];
    for (values, key) in cases {
        let err = chart
            .validate_values(&values)
            .expect_err(&format!("{values} should be rejected"));
        assert_eq!(err.code(), Some(ErrorCode::Values), "{err}");
        assert!(
            err.to_string().contains(key),
            "{values}: message does not name {key}: {err}"
        );
    }
    chart
        .validate_values(&json!({"replicaCount": 3, "resources": {"limits": {"cpu": 1}}}))
        .unwrap();
}

/// Renders and sorts the manifests by kind.
fn render(chart: &str, values: &Value) -> BTreeMap<String, Vec<Value>> {
    let c = Chart::load(chart_dir(chart)).unwrap();
    c.validate_values(values).unwrap();
    let opts = RenderOptions {
        name: Some(chart.into()),
        namespace: Some("todo".into()),
        ..Default::default()
    };
    let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (path, text) in c.render(values, &opts).unwrap() {
        if path.ends_with("NOTES.txt") {
            continue;
        }
        for doc in helm::manifests_to_json(&text).unwrap() {
            let kind = doc["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no kind"))
                .to_string();
            by_kind.entry(kind).or_default().push(doc);
        }
    }
    by_kind
}

fn one<T: serde::de::DeserializeOwned>(m: &BTreeMap<String, Vec<Value>>, kind: &str) -> T {
    let docs = m.get(kind).unwrap_or_else(|| panic!("no {kind} rendered"));
    assert_eq!(docs.len(), 1, "exactly one {kind} expected");
    serde_json::from_value(docs[0].clone())
        .unwrap_or_else(|e| panic!("{kind} does not decode: {e}"))
}

/// The object of `kind` named `name`.
fn named<T: serde::de::DeserializeOwned>(
    m: &BTreeMap<String, Vec<Value>>,
    kind: &str,
    name: &str,
) -> T {
    let doc = m
        .get(kind)
        .and_then(|docs| docs.iter().find(|d| d["metadata"]["name"] == name))
        .unwrap_or_else(|| panic!("no {kind} named {name} rendered"));
    serde_json::from_value(doc.clone())
        .unwrap_or_else(|e| panic!("{kind} {name} does not decode: {e}"))
}

fn check_app(
    chart: &str,
    values: &Value,
    ready_path: &str,
    min_replicas: i32,
) -> BTreeMap<String, Vec<Value>> {
    let m = render(chart, values);
    let dep: Deployment = one(&m, "Deployment");
    let svc: Service = named(&m, "Service", chart);
    let cm: ConfigMap = one(&m, "ConfigMap");
    let spec = dep.spec.unwrap();
    if let Some(r) = spec.replicas {
        assert!(r >= min_replicas, "{chart}: {r} replicas");
    } else {
        let hpa = &m["HorizontalPodAutoscaler"][0];
        assert!(hpa["spec"]["minReplicas"].as_i64().unwrap() >= min_replicas as i64);
    }
    let tpl = spec.template;
    let labels = tpl.metadata.as_ref().unwrap().labels.clone().unwrap();
    for k in [
        "app.kubernetes.io/name",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/version",
        "app.kubernetes.io/managed-by",
    ] {
        assert!(labels.contains_key(k), "{chart}: pod label {k} missing");
    }
    let annotations = tpl.metadata.as_ref().unwrap().annotations.clone().unwrap();
    assert!(annotations.contains_key("checksum/config"));

    // Service selector matches the pods and its targetPort is the containerPort = PORT.
    let svc_spec = svc.spec.unwrap();
    for (k, v) in svc_spec.selector.clone().unwrap() {
        assert_eq!(
            labels.get(&k),
            Some(&v),
            "{chart}: selector {k}={v} matches no pod label"
        );
    }
    for (k, v) in spec.selector.match_labels.unwrap() {
        assert_eq!(labels.get(&k), Some(&v));
    }
    let pod = tpl.spec.unwrap();
    let c: &Container = &pod.containers[0];
    let port = &c.ports.as_ref().unwrap()[0];
    let svc_port = &svc_spec.ports.unwrap()[0];
    match svc_port.target_port.as_ref().unwrap() {
        IntOrString::String(name) => assert_eq!(Some(name), port.name.as_ref()),
        IntOrString::Int(n) => assert_eq!(*n, port.container_port),
    }
    assert_eq!(svc_port.port, port.container_port);
    assert_eq!(
        cm.data.as_ref().unwrap()["PORT"],
        port.container_port.to_string()
    );
    assert_eq!(svc_spec.type_.as_deref(), Some("ClusterIP"));

    // Probes on the right paths and the named port.
    let live = c
        .liveness_probe
        .as_ref()
        .unwrap()
        .http_get
        .as_ref()
        .unwrap();
    let ready = c
        .readiness_probe
        .as_ref()
        .unwrap()
        .http_get
        .as_ref()
        .unwrap();
    assert_eq!(live.path.as_deref(), Some("/health"));
    assert_eq!(ready.path.as_deref(), Some(ready_path));
    assert_eq!(live.port, IntOrString::String("http".into()));

    // Stopping loses nothing: the preStop sleep, the app's drain and its 15 s in-flight
    // limit fit the grace period.
    let pre_stop = c
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref())
        .and_then(|h| h.sleep.as_ref())
        .map_or(0, |s| s.seconds);
    let drain: i64 = cm.data.as_ref().unwrap()["SHUTDOWN_DRAIN_SECONDS"]
        .parse()
        .unwrap();
    let grace = pod.termination_grace_period_seconds.unwrap_or(30);
    assert!(
        pre_stop > 0 && drain > 0,
        "{chart}: preStop {pre_stop}, drain {drain}"
    );
    assert!(
        pre_stop + drain + 15 <= grace,
        "{chart}: {pre_stop}+{drain}+15 > {grace}"
    );

    // Env only through configMapKeyRef / secretKeyRef.
    for e in c.env.as_ref().unwrap() {
        assert!(
            e.value.is_none(),
            "{chart}: env {} has a literal value",
            e.name
        );
        let from = e.value_from.as_ref().unwrap();
        assert!(
            from.config_map_key_ref.is_some() || from.secret_key_ref.is_some(),
            "{}",
            e.name
        );
    }
    let res = c.resources.as_ref().unwrap();
    assert!(
        res.requests.as_ref().unwrap().contains_key("memory")
            && res.limits.as_ref().unwrap().contains_key("memory")
    );

    // Non-root, read-only, no escalation, no capabilities, RuntimeDefault seccomp.
    let psc = pod.security_context.unwrap();
    assert_eq!(psc.run_as_non_root, Some(true));
    assert!(psc.run_as_user.unwrap() > 0);
    assert_eq!(psc.seccomp_profile.unwrap().type_, "RuntimeDefault");
    let csc = c.security_context.as_ref().unwrap();
    assert_eq!(csc.read_only_root_filesystem, Some(true));
    assert_eq!(csc.allow_privilege_escalation, Some(false));
    assert_eq!(
        csc.capabilities.as_ref().unwrap().drop,
        Some(vec!["ALL".to_string()])
    );
    let affinity = pod.affinity.unwrap().pod_anti_affinity.unwrap();
    assert!(
        affinity
            .preferred_during_scheduling_ignored_during_execution
            .is_some()
    );
    assert!(m.contains_key("PodDisruptionBudget"), "{chart}: no PDB");
    m
}

const SENTINELS: [&str; 3] = [
    "pw-SENTINEL-db-0001",
    "auth-SENTINEL-secret-0123456789abcdef",
    "sk-SENTINEL-key",
];

#[test]
fn backend_manifests_keep_the_invariants() {
    for env in ENVS {
        let mut values = env_values("todo-backend", env);
        if env != "production" {
            values["secrets"]["databaseUrl"] =
                json!(format!("postgres://todo:{}@db:5432/todo", SENTINELS[0]));
            values["secrets"]["betterAuthSecret"] = json!(SENTINELS[1]);
            values["secrets"]["openaiApiKey"] = json!(SENTINELS[2]);
        }
        let m = check_app("todo-backend", &values, "/ready", 2);
        if env == "production" {
            assert!(
                !m.contains_key("Secret"),
                "existingSecret must not render a Secret"
            );
            assert!(m.contains_key("HorizontalPodAutoscaler"));
            continue;
        }
        // No secret value outside the Secret, in plain text or base64.
        for (kind, docs) in &m {
            if kind == "Secret" {
                continue;
            }
            let text = serde_json::to_string(docs).unwrap();
            for s in SENTINELS {
                assert!(!text.contains(s), "{kind} leaks a secret value");
            }
        }
        let secret: Secret = named(&m, "Secret", "todo-backend-secrets");
        let data = secret.data.unwrap();
        assert_eq!(
            String::from_utf8(data["BETTER_AUTH_SECRET"].0.clone()).unwrap(),
            SENTINELS[1]
        );
    }
}

#[test]
fn generated_secrets_and_config_changes_roll_the_pods() {
    let base = json!({"secrets": {"databaseUrl": "postgres://u@db/todo"}});
    let m = render("todo-backend", &base);
    let secret: Secret = one(&m, "Secret");
    let generated =
        String::from_utf8(secret.data.unwrap()["BETTER_AUTH_SECRET"].0.clone()).unwrap();
    assert!(generated.len() >= 32, "generated auth secret too short");
    let checksum = |m: &BTreeMap<String, Vec<Value>>| {
        m["Deployment"][0]["spec"]["template"]["metadata"]["annotations"]["checksum/config"].clone()
    };
    let mut changed = base.clone();
    changed["config"] = json!({"logFormat": "text"});
    assert_ne!(checksum(&m), checksum(&render("todo-backend", &changed)));
}

#[test]
fn in_cluster_postgres_is_a_statefulset_the_backend_points_at() {
    let m = render("todo-backend", &env_values("todo-backend", "minikube"));
    let sts: StatefulSet = one(&m, "StatefulSet");
    let spec = sts.spec.unwrap();
    assert_eq!(
        spec.volume_claim_templates.unwrap()[0]
            .spec
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .requests
            .as_ref()
            .unwrap()["storage"]
            .0,
        "1Gi"
    );
    let secrets: Vec<Secret> = m["Secret"]
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let app = secrets
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("todo-backend-secrets"))
        .unwrap();
    let url = String::from_utf8(app.data.as_ref().unwrap()["DATABASE_URL"].0.clone()).unwrap();
    assert!(
        url.starts_with("postgres://todo:") && url.ends_with("@todo-backend-postgres:5432/todo"),
        "{url}"
    );
    let pg = secrets
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("todo-backend-postgres"))
        .unwrap();
    let pw = String::from_utf8(pg.data.as_ref().unwrap()["POSTGRES_PASSWORD"].0.clone()).unwrap();
    assert!(
        url.contains(&format!(":{pw}@")),
        "the app and Postgres must share one password"
    );
    let pod = spec.template.spec.unwrap();
    let security = pod.security_context.clone().unwrap();
    assert_eq!(security.run_as_non_root, Some(true));
    assert!(
        security.run_as_user.unwrap() >= 10000,
        "Postgres runs as a high UID"
    );
    // The password reaches Postgres as a file from the Secret, never as a variable.
    let pg_container = &pod.containers[0];
    let env = pg_container.env.clone().unwrap();
    assert!(env.iter().all(|e| e.name != "POSTGRES_PASSWORD"), "{env:?}");
    let file = env
        .iter()
        .find(|e| e.name == "POSTGRES_PASSWORD_FILE")
        .and_then(|e| e.value.clone())
        .unwrap();
    let mount = pg_container
        .volume_mounts
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| file.starts_with(&format!("{}/", m.mount_path)))
        .unwrap();
    let volume = pod
        .volumes
        .as_ref()
        .unwrap()
        .iter()
        .find(|v| v.name == mount.name)
        .unwrap();
    let secret = volume.secret.as_ref().unwrap();
    assert_eq!(secret.secret_name.as_deref(), Some("todo-backend-postgres"));
    let item = &secret.items.as_ref().unwrap()[0];
    assert_eq!(item.key, "POSTGRES_PASSWORD");
    assert_eq!(format!("{}/{}", mount.mount_path, item.path), file);
}

#[test]
fn frontend_manifests_keep_the_invariants() {
    for env in ENVS {
        let m = check_app(
            "todo-frontend",
            &env_values("todo-frontend", env),
            "/ready",
            2,
        );
        assert!(!m.contains_key("Secret"));
        let cm: ConfigMap = one(&m, "ConfigMap");
        assert_eq!(cm.data.unwrap()["BACKEND_URL"], "http://todo-backend:8000");
    }
}

#[test]
fn handles_are_freed() {
    let before = helm::open_handles().unwrap();
    {
        let c = Chart::load(chart_dir("todo-frontend")).unwrap();
        c.render(&json!({}), &RenderOptions::default()).unwrap();
        assert_eq!(helm::open_handles().unwrap(), before + 1);
    }
    assert_eq!(helm::open_handles().unwrap(), before);
    let (c, sdk) = helm::versions().unwrap();
    assert!(c.starts_with("0.2") && sdk.starts_with("v4"), "{c} {sdk}");
}

#[tokio::test]
async fn async_callers_run_helm_off_the_workers() {
    let dir = chart_dir("todo-frontend");
    let rendered = helm::blocking("template todo-frontend", move || {
        Chart::load(&dir)?.render(&json!({}), &RenderOptions::default())
    })
    .await
    .unwrap();
    assert!(rendered.keys().any(|k| k.ends_with("deployment.yaml")));
}

#[test]
fn install_dry_run_renders_a_release_without_a_cluster() {
    use todo_ops_tools::helm::{ActionOptions, ClusterOptions, HelmClient};
    let client = HelmClient::new(&ClusterOptions {
        namespace: Some("todo".into()),
        storage_driver: Some("memory".into()),
        ..Default::default()
    })
    .unwrap();
    let chart = Chart::load(chart_dir("todo-frontend")).unwrap();
    let rel = client
        .install(
            &chart,
            "todo-frontend",
            &json!({"replicaCount": 3}),
            &ActionOptions {
                dry_run: Some("client".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (rel.name.as_str(), rel.namespace.as_str(), rel.revision),
        ("todo-frontend", "todo", 1)
    );
    assert!(rel.manifest.unwrap().contains("replicas: 3"));
    assert!(
        rel.notes
            .unwrap()
            .contains("kubectl port-forward -n todo svc/todo-frontend 3000:3000")
    );
}

#[test]
fn cluster_errors_name_the_server() {
    use todo_ops_tools::helm::{ActionOptions, ClusterOptions, HelmClient};
    use todo_ops_tools::values::ValuesPatch;
    let dir = std::env::temp_dir().join(format!("kubeconfig-{}", std::process::id()));
    std::fs::write(
        &dir,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:9\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    let client = HelmClient::new(&ClusterOptions {
        kubeconfig_path: Some(dir.clone()),
        ..Default::default()
    })
    .unwrap();
    let chart = Chart::load(chart_dir("todo-frontend")).unwrap();
    let patch = ValuesPatch::set("replicaCount", json!(3)).unwrap();
    let err = client
        .upgrade_with_patch(&chart, "todo-frontend", &patch, &ActionOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Kube), "{err}");
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
    let _ = std::fs::remove_file(dir);
}

/// Whether `selector` (a NetworkPolicy peer's `matchLabels`) selects a pod with `labels`.
fn selects(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .unwrap()
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

fn egress_ports(policy: &Value) -> Vec<i64> {
    policy["spec"]["egress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["ports"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["port"].as_i64())
        .collect()
}

#[test]
fn network_policies_let_through_only_what_the_chatbot_needs() {
    let backend = render(
        "todo-backend",
        &json!({"postgres": {"enabled": true}, "config": {"openaiBaseUrl": "http://ollama.models:11434/v1"}}),
    );
    let frontend = render("todo-frontend", &json!({}));
    let policies = &backend["NetworkPolicy"];
    assert_eq!(policies.len(), 2, "the backend's and Postgres's");
    let by_name = |name: &str| {
        policies
            .iter()
            .find(|p| p["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no NetworkPolicy {name}"))
            .clone()
    };
    let be_policy = by_name("todo-backend");
    let pg_policy = by_name("todo-backend-postgres");
    let fe_policy = frontend["NetworkPolicy"][0].clone();
    let pod_labels = |m: &BTreeMap<String, Vec<Value>>, kind: &str| {
        m[kind][0]["spec"]["template"]["metadata"]["labels"].clone()
    };
    let (be_pods, fe_pods, pg_pods) = (
        pod_labels(&backend, "Deployment"),
        pod_labels(&frontend, "Deployment"),
        pod_labels(&backend, "StatefulSet"),
    );
    // Each policy is about its own pods.
    assert!(selects(
        &be_policy["spec"]["podSelector"]["matchLabels"],
        &be_pods
    ));
    assert!(selects(
        &pg_policy["spec"]["podSelector"]["matchLabels"],
        &pg_pods
    ));
    assert!(selects(
        &fe_policy["spec"]["podSelector"]["matchLabels"],
        &fe_pods
    ));
    assert!(!selects(
        &be_policy["spec"]["podSelector"]["matchLabels"],
        &pg_pods
    ));
    // The backend takes traffic from the frontend's pods only, on its port.
    let from = &be_policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"];
    assert!(selects(from, &fe_pods) && !selects(from, &be_pods) && !selects(from, &pg_pods));
    assert_eq!(be_policy["spec"]["ingress"][0]["ports"][0]["port"], 8000);
    // It reaches DNS, its Postgres (by its pods) and the model's port, nothing else.
    let mut ports = egress_ports(&be_policy);
    ports.sort();
    assert_eq!(ports, [53, 53, 5432, 11434]);
    let to_db = be_policy["spec"]["egress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ports"][0]["port"] == 5432)
        .unwrap();
    assert!(selects(
        &to_db["to"][0]["podSelector"]["matchLabels"],
        &pg_pods
    ));
    // Postgres: only from the backend's pods, and no way out.
    let pg_from = &pg_policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"];
    assert!(selects(pg_from, &be_pods) && !selects(pg_from, &fe_pods));
    assert_eq!(pg_policy["spec"]["egress"], json!([]));
    // The frontend reaches the backend's pods and DNS only.
    let fe_to = &fe_policy["spec"]["egress"][1]["to"][0]["podSelector"]["matchLabels"];
    assert!(selects(fe_to, &be_pods) && !selects(fe_to, &pg_pods));
    assert_eq!(egress_ports(&fe_policy), [53, 53]);

    // An external database and OpenAI: port 5432 and 443 anywhere; turned off: no policy.
    let external = render(
        "todo-backend",
        &json!({"secrets": {"databaseUrl": "postgres://u@db.neon.tech/todo", "openaiApiKey": "sk-x"}}),
    );
    let mut ports = egress_ports(&external["NetworkPolicy"][0]);
    ports.sort();
    assert_eq!(ports, [53, 53, 443, 5432]);
    let off = render(
        "todo-frontend",
        &json!({"networkPolicy": {"enabled": false}}),
    );
    assert!(!off.contains_key("NetworkPolicy"));
}
