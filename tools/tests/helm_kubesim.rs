//! The Helm binding against kubesim: install both charts, upgrade with a values patch (the
//! pods roll), roll back, uninstall; the releases show in list and history with the right
//! revisions. The real Helm SDK is the client, so this also judges kubesim.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubesim::resources::{CONFIG_MAP, DEPLOYMENT, POD, REPLICA_SET, SECRET};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops_tools::helm::{self, ActionOptions, Chart, ClusterOptions, HelmClient};
use todo_ops_tools::values::ValuesPatch;

fn chart_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../charts")
        .join(name)
}

fn waiting() -> ActionOptions {
    ActionOptions {
        wait: Some("watcher".into()),
        timeout_secs: Some(60),
        ..Default::default()
    }
}

fn deployment(sim: &RunningSim, name: &str) -> Value {
    sim.store.get(&DEPLOYMENT, "default", name).unwrap()
}

fn replicasets_of(sim: &RunningSim, name: &str) -> Vec<Value> {
    let uid = deployment(sim, name)["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    sim.store
        .all(&REPLICA_SET)
        .into_iter()
        .filter(|r| kubesim::meta::owned_by(r, &uid))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_upgrade_rollback_uninstall_on_kubesim() {
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let kubeconfig = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("helm-kubesim-{}", sim.addr.port()));
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let client = Arc::new(
        HelmClient::new(&ClusterOptions {
            kubeconfig_path: Some(kubeconfig.clone()),
            namespace: Some("default".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let frontend = Arc::new(Chart::load(chart_dir("todo-frontend")).unwrap());
    let backend = Arc::new(Chart::load(chart_dir("todo-backend")).unwrap());
    let backend_values = helm::values_from_yaml(
        &std::fs::read_to_string(chart_dir("todo-backend").join("values-kubesim.yaml")).unwrap(),
    )
    .unwrap();

    // Install both, waiting for readiness the way `helm install --wait` does.
    let (c, ch, v) = (client.clone(), backend.clone(), backend_values.clone());
    let rel = helm::blocking("install todo-backend", move || {
        c.install(&ch, "todo-backend", &v, &waiting())
    })
    .await
    .unwrap();
    assert_eq!((rel.revision, rel.status.as_str()), (1, "deployed"));
    let (c, ch) = (client.clone(), frontend.clone());
    helm::blocking("install todo-frontend", move || {
        c.install(&ch, "todo-frontend", &json!({}), &waiting())
    })
    .await
    .unwrap();
    for name in ["todo-backend", "todo-frontend"] {
        let d = deployment(&sim, name);
        assert_eq!(d["status"]["readyReplicas"], 2, "{name}: {}", d["status"]);
    }
    let secret = sim
        .store
        .get(&SECRET, "default", "todo-backend-secrets")
        .unwrap();
    assert!(secret["data"]["BETTER_AUTH_SECRET"].is_string());
    let c = client.clone();
    let mut names: Vec<String> = helm::blocking("list", move || c.list(false, false))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    names.sort();
    assert_eq!(names, ["todo-backend", "todo-frontend"]);

    // Upgrade with a values patch: the config checksum changes, so a new ReplicaSet rolls out.
    let first_rs = replicasets_of(&sim, "todo-backend");
    assert_eq!(first_rs.len(), 1);
    let patch =
        ValuesPatch::new(json!({"replicaCount": 3, "config": {"logFormat": "text"}})).unwrap();
    let (c, ch) = (client.clone(), backend.clone());
    let rel = helm::blocking("upgrade todo-backend", move || {
        c.upgrade_with_patch(&ch, "todo-backend", &patch, &waiting())
    })
    .await
    .unwrap();
    assert_eq!(rel.revision, 2);
    let d = deployment(&sim, "todo-backend");
    assert_eq!(d["status"]["readyReplicas"], 3);
    assert_eq!(d["status"]["updatedReplicas"], 3);
    let rs = replicasets_of(&sim, "todo-backend");
    assert_eq!(rs.len(), 2, "a config change must roll the pods");
    let old = rs
        .iter()
        .find(|r| r["metadata"]["name"] == first_rs[0]["metadata"]["name"])
        .unwrap();
    assert_eq!(old["spec"]["replicas"], 0);
    let cm = sim
        .store
        .get(&CONFIG_MAP, "default", "todo-backend-config")
        .unwrap();
    assert_eq!(cm["data"]["LOG_FORMAT"], "text");
    let c = client.clone();
    let values = helm::blocking("get values", move || c.values("todo-backend", false, None))
        .await
        .unwrap();
    assert_eq!(values["replicaCount"], 3);
    assert_eq!(
        values["secrets"]["databaseUrl"], backend_values["secrets"]["databaseUrl"],
        "the patch keeps the other user values"
    );

    // Roll back to revision 1: revision 3 is created, the first ReplicaSet is active again.
    let c = client.clone();
    helm::blocking("rollback", move || {
        c.rollback("todo-backend", Some(1), Some(60))
    })
    .await
    .unwrap();
    let c = client.clone();
    let history = helm::blocking("history", move || c.history("todo-backend"))
        .await
        .unwrap();
    let revs: Vec<(u32, &str)> = history
        .iter()
        .map(|r| (r.revision, r.status.as_str()))
        .collect();
    assert_eq!(
        revs,
        [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    );
    let cm = sim
        .store
        .get(&CONFIG_MAP, "default", "todo-backend-config")
        .unwrap();
    assert_eq!(cm["data"]["LOG_FORMAT"], "json");
    // Rolled back: the first template is current again and scales back up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let rs = replicasets_of(&sim, "todo-backend");
        let first = rs
            .iter()
            .find(|r| r["metadata"]["name"] == first_rs[0]["metadata"]["name"])
            .unwrap();
        if first["status"]["readyReplicas"] == 2
            && deployment(&sim, "todo-backend")["status"]["updatedReplicas"] == 2
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "rollback did not converge: {rs:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Uninstall removes the objects and, through owner references, their ReplicaSets and pods.
    for name in ["todo-backend", "todo-frontend"] {
        let c = client.clone();
        helm::blocking("uninstall", move || c.uninstall(name))
            .await
            .unwrap();
    }
    assert!(sim.store.all(&DEPLOYMENT).is_empty());
    assert!(sim.store.all(&REPLICA_SET).is_empty());
    let c = client.clone();
    assert!(
        helm::blocking("list", move || c.list(false, false))
            .await
            .unwrap()
            .is_empty()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !sim.store.all(&POD).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "pods left after uninstall"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A chart as third parties write them: a ServiceAccount with a Role and RoleBinding, an
/// Ingress, a NetworkPolicy, a ConfigMap — installed and uninstalled by the real Helm SDK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_with_rbac_ingress_and_network_policy_installs() {
    use kubesim::resources::{INGRESS, NETWORK_POLICY, ROLE, ROLE_BINDING, SERVICE_ACCOUNT};
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("helm-rbac-{}", sim.addr.port()));
    let chart = dir.join("shop");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "host: shop.example.com\n").unwrap();
    std::fs::write(
        chart.join("templates/all.yaml"),
        r#"apiVersion: v1
kind: ServiceAccount
metadata: {name: {{ .Release.Name }}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: {{ .Release.Name }}-reader}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: {{ .Release.Name }}-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: {{ .Release.Name }}-reader}
subjects: [{kind: ServiceAccount, name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: {{ .Release.Name }}}
spec:
  rules:
  - host: {{ .Values.host }}
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: {{ .Release.Name }}, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: {{ .Release.Name }}}
spec:
  podSelector: {matchLabels: {app: {{ .Release.Name }}}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]
"#,
    )
    .unwrap();
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let client = Arc::new(
        HelmClient::new(&ClusterOptions {
            kubeconfig_path: Some(kubeconfig.clone()),
            namespace: Some("default".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let loaded = Arc::new(Chart::load(&chart).unwrap());
    let (c, ch) = (client.clone(), loaded.clone());
    let rel = helm::blocking("install shop", move || {
        c.install(&ch, "shop", &json!({}), &waiting())
    })
    .await
    .unwrap();
    assert_eq!((rel.revision, rel.status.as_str()), (1, "deployed"));
    let binding = sim
        .store
        .get(&ROLE_BINDING, "default", "shop-reader")
        .unwrap();
    assert_eq!(binding["subjects"][0]["name"], "shop");
    assert_eq!(
        sim.store.get(&ROLE, "default", "shop-reader").unwrap()["rules"][0]["resources"],
        json!(["configmaps"])
    );
    assert_eq!(
        sim.store.get(&INGRESS, "default", "shop").unwrap()["spec"]["rules"][0]["host"],
        "shop.example.com"
    );
    assert!(sim.store.get(&NETWORK_POLICY, "default", "shop").is_ok());
    assert!(sim.store.get(&SERVICE_ACCOUNT, "default", "shop").is_ok());

    // An upgrade changes the Ingress in place; uninstall removes everything.
    let (c, ch) = (client.clone(), loaded.clone());
    helm::blocking("upgrade shop", move || {
        c.upgrade(
            &ch,
            "shop",
            &json!({"host": "store.example.com"}),
            &waiting(),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        sim.store.get(&INGRESS, "default", "shop").unwrap()["spec"]["rules"][0]["host"],
        "store.example.com"
    );

    // Edited with kubectl, the rules belong to kubectl-patch: Helm 4 applies server-side, so
    // an upgrade that would put them back conflicts, as on a real cluster, until it forces.
    let patched = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["patch", "ingress", "shop", "--type=merge", "-p"])
        .arg(r#"{"spec":{"rules":[{"host":"edited.example.com"}]}}"#)
        .output()
        .unwrap();
    assert!(patched.status.success(), "{patched:?}");
    let (c, ch) = (client.clone(), loaded.clone());
    let refused = helm::blocking("upgrade shop", move || {
        c.upgrade(
            &ch,
            "shop",
            &json!({"host": "store.example.com"}),
            &waiting(),
        )
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(
        refused.contains("conflict with \"kubectl-patch\" using networking.k8s.io/v1")
            && refused.contains(".spec.rules"),
        "{refused}"
    );
    let (c, ch) = (client.clone(), loaded.clone());
    helm::blocking("upgrade shop", move || {
        c.upgrade(
            &ch,
            "shop",
            &json!({"host": "store.example.com"}),
            &ActionOptions {
                force_conflicts: Some(true),
                ..waiting()
            },
        )
    })
    .await
    .unwrap();
    assert_eq!(
        sim.store.get(&INGRESS, "default", "shop").unwrap()["spec"]["rules"][0]["host"],
        "store.example.com"
    );
    let c = client.clone();
    helm::blocking("uninstall shop", move || c.uninstall("shop"))
        .await
        .unwrap();
    assert!(
        sim.store
            .get(&ROLE_BINDING, "default", "shop-reader")
            .is_err()
    );
    assert!(sim.store.get(&NETWORK_POLICY, "default", "shop").is_err());
}

/// A release whose chart is nowhere on this machine (a chart someone else installed) is
/// diffed and upgraded with the chart Helm stored in the release itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_is_upgraded_with_the_chart_stored_in_it() {
    use todo_ops_tools::cluster::ClusterTarget;
    use todo_ops_tools::redact::Redactor;
    use todo_ops_tools::tool::{HelmAccess, ToolContext};
    use todo_ops_tools::tools::find;

    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("helm-stored-{}", sim.addr.port()));
    let chart = dir.join("someone-elses-chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: ledger\nversion: 1.2.3\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "greeting: hello\nreplicas: 1\n").unwrap();
    std::fs::write(
        chart.join("values.schema.json"),
        r#"{"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 0}}}"#,
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-config}\ndata: {greeting: {{ .Values.greeting | quote }}, replicas: {{ .Values.replicas | quote }}}\n",
    )
    .unwrap();
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let client = Arc::new(
        HelmClient::new(&ClusterOptions {
            kubeconfig_path: Some(kubeconfig.clone()),
            namespace: Some("default".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let loaded = Chart::load(&chart).unwrap();
    let c = client.clone();
    helm::blocking("install books", move || {
        c.install(&loaded, "books", &json!({}), &ActionOptions::default())
    })
    .await
    .unwrap();
    // The chart's folder goes away; the charts folder the tools know has no such chart.
    std::fs::remove_dir_all(&chart).unwrap();
    let empty = dir.join("charts");
    std::fs::create_dir_all(&empty).unwrap();
    let cluster = ClusterTarget {
        kubeconfig: Some(kubeconfig),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    let ctx = ToolContext {
        cluster,
        redactor: Arc::new(Redactor::default()),
        helm: Some(HelmAccess {
            client,
            charts: empty,
        }),
        results: Default::default(),
    };
    let args = json!({"release": "books", "patch": {"greeting": "bonjour"}});
    let diff = find("diff_manifest")
        .unwrap()
        .call(&ctx, args.clone())
        .await
        .unwrap();
    assert!(diff.text.contains("bonjour"), "{}", diff.text);
    // The stored schema still guards the values.
    let bad = find("diff_values")
        .unwrap()
        .call(&ctx, json!({"release": "books", "patch": {"replicas": -1}}))
        .await
        .unwrap_err();
    assert!(format!("{bad}").contains("replicas"), "{bad}");
    let out = find("helm_upgrade")
        .unwrap()
        .call(&ctx, args)
        .await
        .unwrap();
    assert!(out.text.contains("revision 2"), "{}", out.text);
    let cm = sim
        .store
        .get(&CONFIG_MAP, "default", "books-config")
        .unwrap();
    assert_eq!(cm["data"]["greeting"], "bonjour");
    // A release that does not exist is said to be missing.
    let none = find("helm_upgrade")
        .unwrap()
        .call(&ctx, json!({"release": "nope", "patch": {}}))
        .await
        .unwrap_err();
    assert!(format!("{none}").contains("not found"), "{none}");

    // A chart with a subchart: Helm keeps only the parent's files in the release, so the
    // tools say what is missing and where to put the chart, instead of a Helm error about a
    // charts/ folder nobody wrote.
    let parent = dir.join("shop-chart");
    std::fs::create_dir_all(parent.join("templates")).unwrap();
    std::fs::create_dir_all(parent.join("charts/cache/templates")).unwrap();
    std::fs::write(
        parent.join("Chart.yaml"),
        "apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n- name: cache\n  version: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        parent.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-shop}\ndata: {size: small}\n",
    )
    .unwrap();
    std::fs::write(
        parent.join("charts/cache/Chart.yaml"),
        "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        parent.join("charts/cache/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-cache}\n",
    )
    .unwrap();
    let loaded = Chart::load(&parent).unwrap();
    let c = ctx.helm.as_ref().unwrap().client.clone();
    helm::blocking("install shop", move || {
        c.install(&loaded, "shop", &json!({}), &ActionOptions::default())
    })
    .await
    .unwrap();
    assert!(sim.store.get(&CONFIG_MAP, "default", "shop-cache").is_ok());
    std::fs::remove_dir_all(&parent).unwrap();
    let e = find("diff_values")
        .unwrap()
        .call(&ctx, json!({"release": "shop", "patch": {"x": 1}}))
        .await
        .unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("subcharts (cache)") && e.contains("helm dependency build"),
        "{e}"
    );
    // Re-applying its current values needs no rendering: the subchart's deleted ConfigMap
    // and the parent's edited one come back from the stored rendering, as a new revision.
    sim.store
        .delete(&CONFIG_MAP, "default", "shop-cache")
        .unwrap();
    sim.store
        .modify(&CONFIG_MAP, "default", "shop-shop", |cm| {
            cm["data"] = json!({"size": "large"});
            Ok(())
        })
        .unwrap();
    let same = json!({"release": "shop", "patch": {}});
    let diff = find("diff_manifest")
        .unwrap()
        .call(&ctx, same.clone())
        .await
        .unwrap();
    assert_eq!(diff.text, "no change to the manifests");
    let out = find("helm_upgrade")
        .unwrap()
        .call(&ctx, same)
        .await
        .unwrap();
    assert!(out.text.contains("revision 2"), "{}", out.text);
    assert!(sim.store.get(&CONFIG_MAP, "default", "shop-cache").is_ok());
    let parent_cm = sim.store.get(&CONFIG_MAP, "default", "shop-shop").unwrap();
    assert_eq!(parent_cm["data"]["size"], "small", "{parent_cm}");
}
