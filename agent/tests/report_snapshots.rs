//! What a person sees from `diagnose`, snapshotted: text, markdown and JSON of a fixed report.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::json;
use todo_ops_tools::analyzers::{Finding, Severity};
use todo_ops_tools::diagnose::Diagnosis;
use todo_ops_tools::report::{Format, render, render_styled};

fn fixture() -> Diagnosis {
    Diagnosis {
        namespace: "default".into(),
        pods: 4,
        findings: vec![
            Finding {
                id: "oom-killed",
                severity: Severity::Error,
                object: "deployment/todo-backend".into(),
                summary: "container backend is killed for memory (limit 4Mi, exit 137, 2 restarts)"
                    .into(),
                evidence: vec![
                    "lastState.terminated: OOMKilled, exitCode 137; limits.memory=4Mi".into(),
                ],
                playbook: "oom-killed",
                release: Some("todo-backend".into()),
                cause: todo_ops_tools::analyzers::cause_of("oom-killed").into(),
                suggested_action: None,
                suggested_patch: Some(json!({"resources": {"limits": {"memory": "256Mi"}}})),
                changes: vec![],
            },
            Finding {
                id: "single-replica",
                severity: Severity::Warning,
                object: "deployment/todo-frontend".into(),
                summary:
                    "deployment todo-frontend runs 1 replica; the resilience rule is at least 2"
                        .into(),
                evidence: vec!["spec.replicas=1".into()],
                playbook: "scale",
                release: Some("todo-frontend".into()),
                cause: todo_ops_tools::analyzers::cause_of("single-replica").into(),
                suggested_action: Some(
                    "scale it: helm upgrade todo-frontend with replicaCount=2".into(),
                ),
                suggested_patch: Some(json!({"replicaCount": 2})),
                changes: vec![],
            },
        ],
    }
}

#[test]
fn text_report() {
    insta::assert_snapshot!("text", render(&fixture(), Format::Text));
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!("markdown", render(&fixture(), Format::Markdown));
}

#[test]
fn json_report() {
    insta::assert_snapshot!("json", render(&fixture(), Format::Json));
}

#[test]
fn colour_only_when_asked() {
    let plain = render(&fixture(), Format::Text);
    let coloured = render_styled(&fixture(), Format::Text, true);
    assert!(!plain.contains('\x1b'));
    assert!(coloured.contains("\x1b[1;31mERROR\x1b[0m") && coloured.contains("\x1b[1;33mWARN "));
}

#[test]
fn healthy_report() {
    let d = Diagnosis {
        namespace: "todo".into(),
        pods: 4,
        findings: vec![],
    };
    assert_eq!(
        render(&d, Format::Text),
        "todo-ops diagnose: namespace todo, 4 pods, healthy\n"
    );
}
