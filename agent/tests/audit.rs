//! The audit log: every call through the gate is recorded — declined, approved,
//! refused by the policy, or a read — with who decided, the versions of what changed, and no
//! Secret value; `todo-ops audit` reads it back and filters it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use std::process::Command;
use std::sync::Arc;

use chat_support::*;
use serde_json::json;
use todo_ops::core::approval::MutationPolicy;
use todo_ops::core::audit::{AuditLog, Decision, read};
use todo_ops::core::dispatch::{Dispatcher, SessionRules};
use todo_ops::core::policy::Policy;
use todo_ops::protocol::CallStatus;

/// A value only the model's new Secret holds: the redactor has never seen it.
const NEW_SECRET: &str = "fresh-token-93f1c2d7e8";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_decision_is_recorded_with_versions_and_no_secret_value() {
    let (_sim, ctx) = setup().await;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("audit.jsonl");
    let policy: Policy =
        toml::from_str("[[rule]]\nverb = \"delete\"\ndecision = \"deny\"\n").unwrap();
    let d = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::Ask,
        rules: SessionRules {
            policy: Arc::new(policy),
            in_playbook: false,
            audit: Some(Arc::new(AuditLog::open(&path, "s-audit-1").unwrap())),
        },
    };
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-token\nstringData:\n  token: {NEW_SECRET}\n"
    );
    // read; declined scale; approved scale; approved Helm upgrade; approved new Secret;
    // denied delete.
    let calls = [
        ("list_pods", json!({})),
        (
            "scale",
            json!({"deployment": "todo-backend", "replicas": 4}),
        ),
        (
            "scale",
            json!({"deployment": "todo-backend", "replicas": 3}),
        ),
        (
            "helm_upgrade",
            json!({"release": "todo-backend", "patch": {"replicaCount": 2}}),
        ),
        ("apply", json!({"manifest": secret})),
        ("delete", json!({"object": "secret/api-token"})),
    ];
    let person = Person::answering(&[false, true, true, true]);
    for (i, (tool, args)) in calls.iter().enumerate() {
        let r = d
            .dispatch(&call(&i.to_string(), tool, args.clone()), &person)
            .await
            .unwrap();
        let expected = match i {
            1 => CallStatus::Declined,
            5 => CallStatus::Forbidden,
            _ => CallStatus::Done,
        };
        assert_eq!(r.status, expected, "{tool}: {}", r.content);
    }
    assert_eq!(
        person.shown().len(),
        4,
        "the denied delete is never asked about"
    );

    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [PLANTED, NEW_SECRET] {
        assert!(
            !text.contains(secret),
            "a Secret value reached the audit log"
        );
    }
    let log = read(&path).unwrap();
    assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    let e = &log.entries;
    assert_eq!(e.len(), 6);
    assert!(
        e.iter()
            .all(|e| e.session == "s-audit-1" && !e.context.is_empty())
    );
    assert_eq!(
        e.iter().map(|e| e.decision).collect::<Vec<_>>(),
        [
            Decision::Run,
            Decision::Declined,
            Decision::Approved,
            Decision::Approved,
            Decision::Approved,
            Decision::Refused
        ]
    );
    assert_eq!(e[0].decided_by, "reads run");
    assert!(
        e[1].decided_by.starts_with("the person (no"),
        "{}",
        e[1].decided_by
    );
    assert!(
        e[2].decided_by.starts_with("the person (yes"),
        "{}",
        e[2].decided_by
    );
    assert!(
        e[5].decided_by.contains("policy rule 1"),
        "{}",
        e[5].decided_by
    );
    assert_eq!(e[5].verb, "delete");
    // The declined change changed nothing and names no versions; the approved ones do.
    assert!(e[1].changed.is_empty());
    let scaled = &e[2].changed[0];
    assert_eq!(
        (scaled.object.kind.as_str(), scaled.object.name.as_str()),
        ("deployment", "todo-backend")
    );
    assert!(scaled.before.is_some() && scaled.after.is_some());
    assert_ne!(scaled.before, scaled.after, "{scaled:?}");
    let upgraded = &e[3].changed[0];
    assert_eq!(
        (upgraded.before.as_deref(), upgraded.after.as_deref()),
        (Some("revision 1"), Some("revision 2"))
    );
    assert!(
        e[3].preview.as_ref().unwrap().manifest_diff.is_some(),
        "the diffs the person saw are kept"
    );
    let created = &e[4].changed[0];
    assert_eq!(created.object.name, "api-token");
    assert!(
        created.before.is_none() && created.after.is_some(),
        "{created:?}"
    );

    // The reader: text and JSON, by session and time; bad input named.
    let bin = env!("CARGO_BIN_EXE_todo-ops");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(["audit", "--audit"])
            .arg(&path)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--session", "s-audit-1"]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(shown.lines().count(), 6, "{shown}");
    assert!(shown.lines().nth(5).unwrap().contains("Refused"), "{shown}");
    let out = run(&["--session", "another", "-o", "json"]);
    assert!(out.status.success() && out.stdout.is_empty());
    let out = run(&["--since", "1h", "-o", "json"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 6);
    let out = run(&["--since", "2999-01-01T00:00:00Z"]);
    assert!(out.status.success() && out.stdout.is_empty());
    let out = run(&["--since", "last tuesday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("last tuesday"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Applies RBAC objects with the real kubectl.
fn kubectl_apply(kubeconfig: &std::path::Path, manifest: &str) {
    use std::io::Write;
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["apply", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(manifest.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const VIEWER: &str = "system:serviceaccount:default:viewer";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_rbac_refuses_is_never_put_to_the_person() {
    let (_sim, admin, kc) = setup_with_kubeconfig().await;
    kubectl_apply(
        &kc,
        r#"apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-deployments, namespace: default}
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer-reads, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-deployments}
subjects:
- {kind: ServiceAccount, name: viewer, namespace: default}
"#,
    );
    let target = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(kc.clone()),
        namespace: Some("default".into()),
        impersonate: Some(VIEWER.into()),
        ..Default::default()
    };
    let viewer_ctx = todo_ops::ops::connect::tool_context(&target, None)
        .await
        .unwrap();
    assert!(
        viewer_ctx.cluster.user.starts_with(VIEWER)
            && viewer_ctx.cluster.user.contains("impersonated by"),
        "{}",
        viewer_ctx.cluster.user
    );
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("audit-as-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let d = Dispatcher {
        ctx: viewer_ctx,
        policy: MutationPolicy::Ask,
        rules: SessionRules {
            audit: Some(Arc::new(AuditLog::open(&path, "s-as").unwrap())),
            ..Default::default()
        },
    };
    let person = Person::answering(&[true, true, true]);
    // Reads run as the viewer.
    let r = d
        .dispatch(&call("1", "list_deployments", json!({})), &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    // Helm acts as the viewer too (the kubeconfig with the identity written in).
    let r = d
        .dispatch(&call("2", "helm_list", json!({})), &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    assert!(r.content.contains("todo-backend"), "{}", r.content);
    // A scale, a Helm upgrade and a delete are refused before anyone is asked.
    let changes = [
        (
            "scale",
            json!({"deployment": "todo-backend", "replicas": 5}),
            "patch deployments/scale \"todo-backend\"",
        ),
        (
            "helm_upgrade",
            json!({"release": "todo-backend", "patch": {"replicaCount": 3}}),
            "create secrets",
        ),
        (
            "delete",
            json!({"object": "deployment/todo-backend"}),
            "delete deployments",
        ),
    ];
    for (i, (tool, args, words)) in changes.iter().enumerate() {
        let r = d
            .dispatch(&call(&format!("c{i}"), tool, args.clone()), &person)
            .await
            .unwrap();
        assert_eq!(r.status, CallStatus::Forbidden, "{tool}: {}", r.content);
        assert!(
            r.content.contains(VIEWER) && r.content.contains(words),
            "{tool}: {}",
            r.content
        );
    }
    assert!(
        person.shown().is_empty(),
        "the person was asked about a change RBAC refuses"
    );
    assert_eq!(replicas(&admin).await, 2);
    let log = read(&path).unwrap();
    assert_eq!(log.entries.len(), 5);
    assert!(log.entries.iter().all(|e| e.identity.starts_with(VIEWER)));
    assert!(
        log.entries[2..]
            .iter()
            .all(|e| e.decision == Decision::Refused && e.decided_by.contains("access review")),
        "{:?}",
        log.entries
    );

    // Granted the scale subresource, the same identity's scale goes to the person.
    kubectl_apply(
        &kc,
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-deployments, namespace: default}
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  verbs: ["get", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list"]
"#,
    );
    let r = d
        .dispatch(
            &call(
                "s",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 3}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    assert_eq!(person.shown().len(), 1);
    assert_eq!(replicas(&admin).await, 3);

    // Without the right to list Secrets, Helm (acting as the viewer) cannot read releases.
    kubectl_apply(
        &kc,
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-deployments, namespace: default}
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]
"#,
    );
    let listed = d
        .dispatch(&call("h", "helm_list", json!({})), &person)
        .await;
    let text = match listed {
        Ok(r) => {
            assert_ne!(r.status, CallStatus::Done, "{}", r.content);
            r.content
        }
        Err(fatal) => fatal.to_string(),
    };
    assert!(
        text.contains("forbidden") && text.contains(VIEWER),
        "{text}"
    );

    // The flag reaches the client: diagnose as the viewer is refused what the viewer may not read.
    let out = Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args(["diagnose", "--kubeconfig"])
        .arg(&kc)
        .args(["-n", "default", "--as", VIEWER])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(VIEWER) && err.contains("forbidden"), "{err}");
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_least_privilege_roles_are_enough_and_no_more() {
    let (_sim, admin, kc) = setup_with_kubeconfig().await;
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rbac");
    let read_role = std::fs::read_to_string(docs.join("todo-ops-read.yaml")).unwrap();
    let repair_role = std::fs::read_to_string(docs.join("todo-ops-repair.yaml")).unwrap();
    kubectl_apply(&kc, &format!("{read_role}\n---\n{repair_role}"));
    let binding = |name: &str, role: &str| {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {name}, namespace: default}}\n\
             roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\n\
             subjects:\n- {{kind: ServiceAccount, name: todo-ops, namespace: default}}\n"
        )
    };
    kubectl_apply(
        &kc,
        &format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: todo-ops, namespace: default}}\n---\n{}",
            binding("todo-ops-read", "todo-ops-read")
        ),
    );
    let sa = "system:serviceaccount:default:todo-ops";
    // Read-only: diagnose runs (0 healthy or 1 findings, never 2), a change is refused.
    let out = Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args(["diagnose", "--kubeconfig"])
        .arg(&kc)
        .args(["-n", "default", "--as", sa])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(kc.clone()),
        namespace: Some("default".into()),
        impersonate: Some(sa.into()),
        ..Default::default()
    };
    let d = Dispatcher {
        ctx: todo_ops::ops::connect::tool_context(&target, None)
            .await
            .unwrap(),
        policy: MutationPolicy::AutoApprove,
        rules: Default::default(),
    };
    let person = Person::answering(&[]);
    let upgrade = call(
        "u",
        "helm_upgrade",
        json!({"release": "todo-backend", "patch": {"replicaCount": 3}}),
    );
    let r = d.dispatch(&upgrade, &person).await.unwrap();
    assert_eq!(r.status, CallStatus::Forbidden, "{}", r.content);
    // With the repair role: a Helm upgrade, a scale and a restart of the chatbot all go.
    kubectl_apply(&kc, &binding("todo-ops-repair", "todo-ops-repair"));
    let r = d.dispatch(&upgrade, &person).await.unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    assert_eq!(replicas(&admin).await, 3);
    for (tool, args) in [
        (
            "scale",
            json!({"deployment": "todo-backend", "replicas": 2}),
        ),
        ("rollout_restart", json!({"deployment": "todo-backend"})),
    ] {
        let r = d.dispatch(&call(tool, tool, args), &person).await.unwrap();
        assert_eq!(r.status, CallStatus::Done, "{tool}: {}", r.content);
    }
    // exec is not part of it.
    let r = d
        .dispatch(
            &call("e", "exec", json!({"pod": "any", "command": ["true"]})),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Forbidden, "{}", r.content);
}
