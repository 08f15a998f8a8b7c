//! The typed tools against kubesim: their schemas (snapshot), reads, mutations, logs with
//! tail/grep/previous and masked Secret values, and argument errors the model can correct.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::resources::{DEPLOYMENT, EVENT, POD, REPLICA_SET, SECRET, SERVICE};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::redact::Redactor;
use todo_ops_tools::tool::{ToolContext, ToolError};
use todo_ops_tools::tools::{find, registry};

#[test]
fn tool_schemas_snapshot() {
    let all: Vec<Value> = registry()
        .iter()
        .map(|t| json!({"name": t.name(), "description": t.description(), "mutates": t.mutates(), "parameters": t.schema()}))
        .collect();
    let mut names: Vec<&str> = all.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.dedup();
    assert_eq!(names.len(), all.len(), "tool names must be unique");
    insta::assert_json_snapshot!("tool_schemas", all);
}

async fn ctx(runtime: PodRuntime, images: ImageTable) -> (RunningSim, ToolContext) {
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kc = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tools-{}", sim.addr.port()));
    sim.write_kubeconfig(&kc).unwrap();
    let cluster = ClusterTarget {
        kubeconfig: Some(kc),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    (
        sim,
        ToolContext {
            cluster,
            redactor: Arc::new(Redactor::default()),
            helm: None,
            results: Default::default(),
        },
    )
}

fn web(replicas: i64) -> Value {
    json!({"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
}

async fn until_tool(
    ctx: &ToolContext,
    name: &str,
    ok: impl Fn(&todo_ops_tools::tool::ToolOutput) -> bool,
) -> todo_ops_tools::tool::ToolOutput {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = find(name).unwrap().call(ctx, json!({})).await.unwrap();
        if ok(&out) {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never satisfied: {}",
            out.text
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn until<T>(what: &str, f: impl FnMut() -> Option<T>) -> T {
    todo_e2e::wait::until(what, Duration::from_secs(20), f).await
}

#[tokio::test]
async fn reads_and_mutations() {
    let (sim, ctx) = ctx(PodRuntime::Instant, ImageTable::default()).await;
    sim.store.create(&DEPLOYMENT, "default", web(2)).unwrap();
    until("2 pods", || (sim.store.all(&POD).len() == 2).then_some(())).await;

    let out = find("list_pods")
        .unwrap()
        .call(&ctx, json!({"label_selector": "app=web"}))
        .await
        .unwrap();
    assert_eq!(out.data.as_array().unwrap().len(), 2);
    // Just created: an age in seconds, as kubectl prints it.
    let age = out.data[0]["age"].as_str().unwrap();
    assert!(
        age.ends_with('s') && age[..age.len() - 1].parse::<u32>().is_ok(),
        "{age}"
    );
    assert!(
        out.text
            .lines()
            .all(|l| l.contains("1/1 Running restarts=0 age=")),
        "{}",
        out.text
    );

    let out = find("get_events")
        .unwrap()
        .call(&ctx, json!({"object": "web"}))
        .await
        .unwrap();
    assert!(out.text.contains("ScalingReplicaSet"), "{}", out.text);

    let recent = find("get_events")
        .unwrap()
        .call(&ctx, json!({"since_seconds": 600}))
        .await
        .unwrap();
    assert!(
        !recent.data.as_array().unwrap().is_empty(),
        "{}",
        recent.text
    );
    let out = find("scale")
        .unwrap()
        .call(&ctx, json!({"deployment": "web", "replicas": 3}))
        .await
        .unwrap();
    assert_eq!(out.text, "deployment web scaled to 3 replicas");
    until("3 pods", || (sim.store.all(&POD).len() == 3).then_some(())).await;

    find("rollout_restart")
        .unwrap()
        .call(&ctx, json!({"deployment": "web"}))
        .await
        .unwrap();
    until("a second ReplicaSet", || {
        (sim.store.all(&REPLICA_SET).len() == 2).then_some(())
    })
    .await;

    // Argument errors and missing objects go back to the model; it may retry.
    let e = find("scale")
        .unwrap()
        .call(&ctx, json!({"deployment": "web", "replicas": "three"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("invalid arguments for scale")),
        "{e}"
    );
    let e = find("scale")
        .unwrap()
        .call(&ctx, json!({"deployment": "nope", "replicas": 1}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("not found")),
        "{e}"
    );
    let e = find("list_pods")
        .unwrap()
        .call(&ctx, json!({"label": "x"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("unknown field")),
        "{e}"
    );
    // Deployments, Services with endpoints, config (Secret keys only), nodes.
    sim.store.create(&SERVICE, "default", json!({"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})).unwrap();
    sim.store
        .create(
            &SECRET,
            "default",
            json!({"metadata": {"name": "creds"}, "data": {"TOKEN": "c2VjcmV0LXZhbHVlLTEyMw=="}}),
        )
        .unwrap();
    let out = find("list_deployments")
        .unwrap()
        .call(&ctx, json!({}))
        .await
        .unwrap();
    assert_eq!(out.data[0]["desired"], 3);
    // Every cluster also has the `kubernetes` Service in `default`.
    let out = until_tool(&ctx, "list_services", |o| {
        o.data
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"] == "web" && s["ready_endpoints"] == 3)
    })
    .await;
    assert!(out.text.contains("selector"), "{}", out.text);
    let out = find("get_config")
        .unwrap()
        .call(&ctx, json!({"name": "creds"}))
        .await
        .unwrap();
    assert_eq!(out.data["secrets"][0]["keys"], json!(["TOKEN"]));
    assert!(
        !out.text.contains("c2VjcmV0") && !out.text.contains("secret-value-123"),
        "{}",
        out.text
    );
    let out = find("list_nodes")
        .unwrap()
        .call(&ctx, json!({}))
        .await
        .unwrap();
    assert_eq!(out.data[0]["cpu_allocatable_m"], 2000);

    let mutating: Vec<&str> = registry()
        .iter()
        .filter(|t| t.mutates())
        .map(|t| t.name())
        .collect();
    assert_eq!(
        mutating,
        [
            "scale",
            "patch",
            "rollout_restart",
            "rollout_undo",
            "set_image",
            "apply",
            "delete",
            "exec",
            "delete_pod",
            "helm_upgrade",
            "helm_rollback",
            "helm_install",
            "helm_uninstall"
        ]
    );

    // Any namespaced tool works in another namespace when asked; a bad name is the model's to fix.
    {
        use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
        use kube::api::{Api, PostParams};
        let client = ctx.cluster.client.clone();
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "shop"}})).unwrap();
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": "prices"}, "data": {"EUR": "1"}}))
                .unwrap();
        Api::<ConfigMap>::namespaced(client, "shop")
            .create(&PostParams::default(), &cm)
            .await
            .unwrap();
        let get = find("get_config").unwrap();
        let there = get
            .call(&ctx, json!({"name": "prices", "namespace": "shop"}))
            .await
            .unwrap();
        assert!(there.text.contains("EUR"), "{}", there.text);
        let here = get.call(&ctx, json!({"name": "prices"})).await.unwrap();
        assert!(
            !here.text.contains("EUR"),
            "the session's namespace is still default: {}",
            here.text
        );
        let bad = get.call(&ctx, json!({"namespace": "Shop!"})).await;
        assert!(
            matches!(&bad, Err(todo_ops_tools::tool::ToolError::Retry(m)) if m.contains("namespace must be")),
            "{:?}",
            bad.err()
        );
        assert!(get.schema()["properties"]["namespace"].is_object());
        assert!(find("helm_list").unwrap().schema()["properties"]["namespace"].is_object());
    }

    // diff_patch asks the server (dry run) and stores nothing; patch stores it.
    let change = json!({
        "object": "deployment/web",
        "patch": {"spec": {"template": {"spec": {"containers": [{"name": "web", "env": [{"name": "MODE", "value": "b"}]}]}}}}
    });
    let dry = find("diff_patch")
        .unwrap()
        .call(&ctx, change.clone())
        .await
        .unwrap();
    assert!(
        dry.text.contains("+") && dry.text.contains("MODE"),
        "{}",
        dry.text
    );
    assert!(
        sim_env_of(&sim_store_deployment(&sim.store)).is_none(),
        "a dry run stores nothing"
    );
    let out = find("patch").unwrap().call(&ctx, change).await.unwrap();
    assert!(out.text.contains("deployment/web patched"), "{}", out.text);
    assert_eq!(
        sim_env_of(&sim_store_deployment(&sim.store)).as_deref(),
        Some("b")
    );
    let bad = find("patch")
        .unwrap()
        .call(&ctx, json!({"object": "gizmo/web", "patch": {}}))
        .await;
    assert!(
        matches!(&bad, Err(todo_ops_tools::tool::ToolError::Retry(m)) if m.contains("no kind called \"gizmo\"")),
        "{:?}",
        bad.err()
    );

    let pod = sim.store.all(&POD)[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let out = find("describe")
        .unwrap()
        .call(&ctx, json!({"kind": "pod", "name": pod}))
        .await
        .unwrap();
    assert_eq!(out.data["details"]["phase"], "Running");
    assert!(
        out.data["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("Scheduled")),
        "{}",
        out.text
    );
    find("delete_pod")
        .unwrap()
        .call(&ctx, json!({"pod": pod}))
        .await
        .unwrap();
    assert!(sim.store.get(&POD, "default", &pod).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_tail_grep_previous_and_redaction() {
    let mut images = ImageTable::default();
    images.add("shell=/bin/sh").unwrap();
    let (sim, mut ctx) = ctx(PodRuntime::Processes, images).await;
    let mut r = Redactor::default();
    r.learn("s3cret-token-42");
    ctx.redactor = Arc::new(r);
    sim.store
        .create(
            &POD,
            "default",
            json!({"metadata": {"name": "talker"}, "spec": {"containers": [{"name": "c", "image": "shell:latest",
                   "args": ["-c", "for i in 1 2 3 4 5; do echo line $i; done; echo token s3cret-token-42; exit 2"]}]}}),
        )
        .unwrap();
    until("a restart", || {
        sim.store.get(&POD, "default", "talker").ok().filter(|p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0)
                >= 1
        })
    })
    .await;
    let logs = find("get_logs").unwrap();
    let out = logs
        .call(&ctx, json!({"pod": "talker", "previous": true, "tail": 3}))
        .await
        .unwrap();
    assert_eq!(
        out.data["lines"],
        json!(["line 4", "line 5", "token [REDACTED]"])
    );
    let out = logs
        .call(
            &ctx,
            json!({"pod": "talker", "previous": true, "grep": "line 2"}),
        )
        .await
        .unwrap();
    assert_eq!(out.text, "line 2");
    let e = logs.call(&ctx, json!({"pod": "ghost"})).await.unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("ghost")),
        "{e}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_tools_diff_upgrade_rollback() {
    let (sim, mut ctx) = ctx(PodRuntime::Instant, ImageTable::default()).await;
    let charts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../charts");
    let kc = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tools-{}", sim.addr.port()));
    let client = Arc::new(
        todo_ops_tools::helm::HelmClient::new(&todo_ops_tools::helm::ClusterOptions {
            kubeconfig_path: Some(kc),
            namespace: Some("default".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let (c, dir) = (client.clone(), charts.join("todo-backend"));
    todo_ops_tools::helm::blocking("install", move || {
        let chart = todo_ops_tools::helm::Chart::load(&dir)?;
        c.install(
            &chart,
            "todo-backend",
            &json!({"secrets": {"databaseUrl": "postgres://app:pw-9f8e7d@db/todo"}}),
            &Default::default(),
        )
    })
    .await
    .unwrap();
    ctx.helm = Some(todo_ops_tools::tool::HelmAccess { client, charts });

    let out = find("helm_list")
        .unwrap()
        .call(&ctx, json!({}))
        .await
        .unwrap();
    assert_eq!(out.data[0]["name"], "todo-backend");
    assert_eq!(out.data[0]["status"], "deployed");

    let out = find("helm_values")
        .unwrap()
        .call(&ctx, json!({"release": "todo-backend"}))
        .await
        .unwrap();
    assert_eq!(out.data["secrets"]["databaseUrl"], "[REDACTED]");
    assert!(!out.text.contains("pw-9f8e7d"));

    let out = find("diff_values")
        .unwrap()
        .call(
            &ctx,
            json!({"release": "todo-backend", "patch": {"replicaCount": 3}}),
        )
        .await
        .unwrap();
    assert!(out.text.contains("+  \"replicaCount\": 3"), "{}", out.text);
    assert!(!out.text.contains("pw-9f8e7d"), "{}", out.text);
    let e = find("diff_values")
        .unwrap()
        .call(
            &ctx,
            json!({"release": "todo-backend", "patch": {"replicaCount": "two"}}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("replicaCount")),
        "{e}"
    );

    let out = find("diff_manifest").unwrap().call(&ctx, json!({"release": "todo-backend", "patch": {"replicaCount": 3, "config": {"logFormat": "text"}}})).await.unwrap();
    assert!(
        out.text.contains("-      \"replicas\": 2") && out.text.contains("+      \"replicas\": 3"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("\"LOG_FORMAT\": \"text\""),
        "{}",
        out.text
    );
    assert!(!out.text.contains("pw-9f8e7d"), "{}", out.text);
    let unchanged = find("diff_manifest")
        .unwrap()
        .call(&ctx, json!({"release": "todo-backend", "patch": {}}))
        .await
        .unwrap();
    assert_eq!(
        unchanged.text, "no change to the manifests",
        "generated secrets must not make a diff"
    );

    let out = find("helm_upgrade")
        .unwrap()
        .call(
            &ctx,
            json!({"release": "todo-backend", "patch": {"replicaCount": 3}}),
        )
        .await
        .unwrap();
    assert_eq!(out.data["revision"], 2);
    assert_eq!(
        sim.store
            .get(&DEPLOYMENT, "default", "todo-backend")
            .unwrap()["spec"]["replicas"],
        3
    );
    find("helm_rollback")
        .unwrap()
        .call(&ctx, json!({"release": "todo-backend"}))
        .await
        .unwrap();
    let out = find("helm_history")
        .unwrap()
        .call(&ctx, json!({"release": "todo-backend"}))
        .await
        .unwrap();
    assert_eq!(out.data.as_array().unwrap().len(), 3, "{}", out.text);
    assert_eq!(
        sim.store
            .get(&DEPLOYMENT, "default", "todo-backend")
            .unwrap()["spec"]["replicas"],
        2
    );
    let out = find("helm_status")
        .unwrap()
        .call(&ctx, json!({"release": "todo-backend"}))
        .await
        .unwrap();
    assert_eq!(
        (out.data["revision"].as_u64(), out.data["status"].as_str()),
        (Some(3), Some("deployed"))
    );
    assert!(
        out.text.contains("kubectl port-forward"),
        "NOTES are part of the status: {}",
        out.text
    );
    find("helm_uninstall")
        .unwrap()
        .call(&ctx, json!({"release": "todo-backend"}))
        .await
        .unwrap();
    assert!(
        sim.store
            .get(&DEPLOYMENT, "default", "todo-backend")
            .is_err()
    );
    let out = find("helm_install")
        .unwrap()
        .call(
            &ctx,
            json!({"chart": "todo-frontend", "values": {"replicaCount": 3}}),
        )
        .await
        .unwrap();
    assert_eq!(out.data["status"], "deployed");
    assert_eq!(
        sim.store
            .get(&DEPLOYMENT, "default", "todo-frontend")
            .unwrap()["spec"]["replicas"],
        3
    );
    let e = find("helm_install")
        .unwrap()
        .call(&ctx, json!({"chart": "nginx"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("not a bundled chart")),
        "{e}"
    );
    let e = find("helm_install")
        .unwrap()
        .call(
            &ctx,
            json!({"chart": "todo-backend", "values": {"replicaCount": -1}}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ToolError::Retry(m) if m.contains("replicaCount")),
        "{e}"
    );
    let e = find("helm_history")
        .unwrap()
        .call(&ctx, json!({"release": "nope"}))
        .await
        .unwrap_err();
    assert!(matches!(e, ToolError::Retry(_)), "{e}");

    // Every Helm tool works on a release in another namespace, named per call; the
    // session's own release is left alone.
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(ctx.cluster.client.clone());
    namespaces
        .create(
            &Default::default(),
            &serde_json::from_value(json!({"metadata": {"name": "shop"}})).unwrap(),
        )
        .await
        .unwrap();
    let shop = |mut args: Value| {
        args["namespace"] = json!("shop");
        args
    };
    find("helm_install")
        .unwrap()
        .call(&ctx, shop(json!({"chart": "todo-frontend"})))
        .await
        .unwrap();
    let names = |out: &todo_ops_tools::tool::ToolOutput| -> Vec<String> {
        out.data
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    r["namespace"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                )
            })
            .collect()
    };
    let here = find("helm_list")
        .unwrap()
        .call(&ctx, shop(json!({})))
        .await
        .unwrap();
    assert_eq!(names(&here), ["shop/todo-frontend"]);
    let everywhere = find("helm_list")
        .unwrap()
        .call(&ctx, json!({"all_namespaces": true}))
        .await
        .unwrap();
    let mut all = names(&everywhere);
    all.sort();
    assert_eq!(all, ["default/todo-frontend", "shop/todo-frontend"]);
    assert!(
        everywhere.text.contains("shop/todo-frontend"),
        "{}",
        everywhere.text
    );
    let diff = find("diff_values")
        .unwrap()
        .call(
            &ctx,
            shop(json!({"release": "todo-frontend", "patch": {"replicaCount": 4}})),
        )
        .await
        .unwrap();
    assert!(diff.text.contains("\"replicaCount\": 4"), "{}", diff.text);
    find("helm_upgrade")
        .unwrap()
        .call(
            &ctx,
            shop(json!({"release": "todo-frontend", "patch": {"replicaCount": 4}})),
        )
        .await
        .unwrap();
    let replicas = |ns: &str| {
        sim.store.get(&DEPLOYMENT, ns, "todo-frontend").unwrap()["spec"]["replicas"].clone()
    };
    assert_eq!(
        (replicas("shop"), replicas("default")),
        (json!(4), json!(3))
    );
    find("helm_rollback")
        .unwrap()
        .call(&ctx, shop(json!({"release": "todo-frontend"})))
        .await
        .unwrap();
    let history = find("helm_history")
        .unwrap()
        .call(&ctx, shop(json!({"release": "todo-frontend"})))
        .await
        .unwrap();
    assert_eq!(
        history.data.as_array().unwrap().len(),
        3,
        "{}",
        history.text
    );
    assert_eq!(replicas("shop"), json!(2));
    let status = find("helm_status")
        .unwrap()
        .call(&ctx, json!({"release": "todo-frontend"}))
        .await
        .unwrap();
    assert_eq!(
        status.data["revision"], 1,
        "the session's release was not touched"
    );
    sim.stop().await;
}

/// A planted Secret value, printed by the app into its log and quoted by an event, appears in
/// no tool's output (data or text).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_secret_appears_in_no_tool_output() {
    const PLANTED: &str = "planted-9c1e77-secret";
    let mut images = ImageTable::default();
    images.add("shell=/bin/sh").unwrap();
    let (sim, mut ctx) = ctx(PodRuntime::Processes, images).await;
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(PLANTED)
    };
    sim.store
        .create(
            &SECRET,
            "default",
            json!({"metadata": {"name": "app-secrets"}, "data": {"API_KEY": encoded}}),
        )
        .unwrap();
    sim.store
        .create(
            &POD,
            "default",
            json!({"metadata": {"name": "leaky", "labels": {"app": "leaky"}}, "spec": {"containers": [{"name": "c", "image": "shell:latest",
                   "args": ["-c", "echo using $API_KEY; exit 1"],
                   "env": [{"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "app-secrets", "key": "API_KEY"}}}]}]}}),
        )
        .unwrap();
    sim.store
        .create(
            &EVENT,
            "default",
            json!({"metadata": {"name": "leaky.quote"}, "involvedObject": {"kind": "Pod", "name": "leaky", "namespace": "default"},
                   "reason": "Quoted", "message": format!("the app said {PLANTED}"), "type": "Warning", "count": 1}),
        )
        .unwrap();
    until("a restart", || {
        sim.store.get(&POD, "default", "leaky").ok().filter(|p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0)
                >= 1
        })
    })
    .await;
    // The session's redactor learns the namespace's Secret values, as diagnose's snapshot does.
    let (_, redactor) = todo_ops_tools::snapshot::Snapshot::read(&ctx.cluster)
        .await
        .unwrap();
    ctx.redactor = Arc::new(redactor);
    let calls = [
        ("list_pods", json!({})),
        ("diagnose", json!({})),
        ("get_events", json!({})),
        ("get_logs", json!({"pod": "leaky", "previous": true})),
        ("get_logs", json!({"pod": "leaky"})),
        ("describe", json!({"kind": "pod", "name": "leaky"})),
        ("list_deployments", json!({})),
        ("list_services", json!({})),
        ("get_config", json!({})),
        ("list_nodes", json!({})),
    ];
    let mut checked = 0;
    for (name, args) in calls {
        let out = find(name)
            .unwrap()
            .call(&ctx, args.clone())
            .await
            .unwrap_or_else(|e| panic!("{name} {args}: {e}"));
        let all = format!("{}\n{}", out.data, out.text);
        assert!(
            !all.contains(PLANTED) && !all.contains(&encoded),
            "{name} leaked the secret: {all}"
        );
        checked += 1;
    }
    assert_eq!(checked, 10);
    // The diagnose tool sees the crashing pod, and says so in words a model can act on.
    let out = find("diagnose")
        .unwrap()
        .call(&ctx, json!({}))
        .await
        .unwrap();
    assert!(
        out.data["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("pod/leaky") && out.text.contains("cause:"),
        "{}",
        out.text
    );
    // The value really is in the raw log and the raw event, so the test means something.
    let logs = find("get_logs")
        .unwrap()
        .call(&ctx, json!({"pod": "leaky", "previous": true}))
        .await
        .unwrap();
    assert!(logs.text.contains("using [REDACTED]"), "{}", logs.text);
    sim.stop().await;
}

fn sim_store_deployment(store: &kubesim::store::Store) -> serde_json::Value {
    store
        .get(&kubesim::resources::DEPLOYMENT, "default", "web")
        .unwrap()
}

/// The MODE variable of the `web` container, if set.
fn sim_env_of(d: &serde_json::Value) -> Option<String> {
    d["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == "MODE")?["value"]
        .as_str()
        .map(str::to_string)
}
