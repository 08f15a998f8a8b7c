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
