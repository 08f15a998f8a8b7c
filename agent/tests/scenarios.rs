//! Every fault scenario on kubesim with real processes: it produces the real symptoms
//! (statuses, events, logs, failing requests), diagnose's suggested repair brings the chatbot
//! back to Ready and answering, and so does the scenario's playbook, run with no model.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use todo_e2e::chatbot as common;

use std::time::{Duration, Instant};

use common::{Env, chat, healthy, pods, rolled_out, setup, until};
use kubesim::resources::EVENT;
use serde_json::Value;
use todo_ops::ops::scenarios;

fn waiting(env: &Env, reason: &str) -> Option<Value> {
    pods(env, "todo-backend")
        .into_iter()
        .find(|p| p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == reason)
}

fn event(env: &Env, reason: &str, contains: &str) -> Option<Value> {
    env.sim.store.all(&EVENT).into_iter().find(|e| {
        e["reason"] == reason && e["message"].as_str().unwrap_or_default().contains(contains)
    })
}

fn kubectl_logs(env: &Env, pod: &str, previous: bool) -> String {
    let mut args = vec!["logs", pod];
    if previous {
        args.push("--previous");
    }
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env.kubeconfig)
        .args(&args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `diagnose` on the scenario's cluster.
async fn diagnosis(env: &Env) -> todo_ops_tools::diagnose::Diagnosis {
    let target = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(env.kubeconfig.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    };
    let cluster = target.connect().await.unwrap();
    todo_ops_tools::diagnose::diagnose(&cluster).await.unwrap()
}

/// The finding `diagnose` should report for each scenario, and words its summary must contain.
fn expected(name: &str) -> (&'static str, &'static str) {
    match name {
        "image-tag-missing" => ("image-pull", "todo-backend:v9.9.9"),
        "secret-key-missing" => ("container-config", "BETTER_AUTH_SECRET"),
        "database-url-wrong" => ("crash-loop", "could not connect to the database"),
        "auth-secret-short" => ("crash-loop", "BETTER_AUTH_SECRET is too short"),
        "memory-limit-low" => ("oom-killed", "4Mi"),
        "requests-too-large" => ("unschedulable", "Insufficient cpu"),
        "readiness-path-wrong" => ("readiness-failing", "never becomes Ready"),
        "liveness-too-aggressive" => ("liveness-failing", "liveness probe"),
        "service-selector-wrong" => ("service-selector", "selects no pod"),
        "backend-url-wrong" => ("backend-url", "todo-api"),
        "scaled-to-zero" => ("scaled-to-zero", "scaled to 0"),
        other => panic!("no expectation for {other}"),
    }
}

async fn run(name: &str) {
    let env = setup().await;
    let before = diagnosis(&env).await;
    assert!(
        before.findings.is_empty(),
        "false alarm on a healthy install: {:#?}",
        before.findings
    );
    let s = scenarios::find(name).unwrap();
    scenarios::apply(s, &env.kubeconfig, &env.charts)
        .await
        .unwrap();
    match name {
        "image-tag-missing" => {
            until("ImagePullBackOff", || waiting(&env, "ImagePullBackOff")).await;
            assert!(
                event(
                    &env,
                    "Failed",
                    "Failed to pull image \"todo-backend:v9.9.9\""
                )
                .is_some()
            );
        }
        "secret-key-missing" => {
            let p = until("CreateContainerConfigError", || {
                waiting(&env, "CreateContainerConfigError")
            })
            .await;
            assert_eq!(
                p["status"]["containerStatuses"][0]["state"]["waiting"]["message"],
                "couldn't find key BETTER_AUTH_SECRET in Secret default/todo-backend-partial"
            );
        }
        "database-url-wrong" | "auth-secret-short" => {
            let p = until("a backend that exited 1", || {
                pods(&env, "todo-backend").into_iter().find(|p| {
                    p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 1
                })
            })
            .await;
            let logs = kubectl_logs(&env, p["metadata"]["name"].as_str().unwrap(), true);
            let want = if name == "database-url-wrong" {
                "could not connect to the database"
            } else {
                "BETTER_AUTH_SECRET is too short"
            };
            assert!(logs.contains(want), "{logs}");
        }
        "memory-limit-low" => {
            until("OOMKilled", || {
                pods(&env, "todo-backend").into_iter().find(|p| {
                    let t = &p["status"]["containerStatuses"][0]["lastState"]["terminated"];
                    t["reason"] == "OOMKilled" && t["exitCode"] == 137
                })
            })
            .await;
        }
        "requests-too-large" => {
            until("FailedScheduling", || {
                event(&env, "FailedScheduling", "Insufficient cpu")
            })
            .await;
            assert!(
                pods(&env, "todo-backend")
                    .iter()
                    .any(|p| p["status"]["phase"] == "Pending")
            );
        }
        "readiness-path-wrong" => {
            until("readiness failures", || {
                event(
                    &env,
                    "Unhealthy",
                    "Readiness probe failed: HTTP probe failed with statuscode: 404",
                )
            })
            .await;
            assert!(!rolled_out(&env, "todo-backend"));
        }
        "liveness-too-aggressive" => {
            until("a liveness kill", || {
                event(&env, "Killing", "failed liveness probe, will be restarted")
            })
            .await;
        }
        "service-selector-wrong" | "backend-url-wrong" | "scaled-to-zero" => {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let (status, body) = chat(&env).await;
                if status >= 500 || status == 0 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the chat still works ({status}: {body})"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        other => panic!("no symptom check for {other}"),
    }
    // diagnose names the cause (events and logs may take a moment to show it).
    let (id, words) = expected(name);
    let deadline = Instant::now() + Duration::from_secs(30);
    let found = loop {
        let d = diagnosis(&env).await;
        if let Some(f) = d
            .findings
            .iter()
            .find(|f| f.id == id && f.summary.contains(words))
        {
            break f.clone();
        }
        assert!(
            Instant::now() < deadline,
            "diagnose did not report {id} ({words}) for {name}: {:#?}",
            d.findings
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(!found.cause.is_empty(), "{name}: no cause in plain words");
    let playbooks =
        todo_ops::core::playbook::load_dir(&todo_ops::core::playbook::playbooks_dir(None).unwrap())
            .unwrap();
    assert!(
        playbooks.iter().any(|p| p.name == found.playbook),
        "{name}: the finding points at playbook {:?}, which does not exist",
        found.playbook
    );
    assert!(
        found.suggested_patch.is_some() || found.suggested_action.is_some(),
        "{name}: neither a patch nor an action: {found:#?}"
    );
    // The fix: the suggested values patch itself when diagnose has one (its keys must be the
    // documented repair's), else the documented repair.
    match (&found.suggested_patch, &found.release) {
        (Some(patch), Some(release)) => {
            if let Some(repair) = scenarios::repairing_patch(name, &env.db_url) {
                for key in todo_ops_tools::values::ValuesPatch(patch.clone()).keys() {
                    assert!(
                        todo_ops_tools::values::ValuesPatch(repair.clone())
                            .keys()
                            .iter()
                            .any(|k| k == &key || key.starts_with(&format!("{k}."))),
                        "{name}: suggested {patch} vs documented {repair}"
                    );
                }
            }
            scenarios::upgrade(&env.kubeconfig, &env.charts, release, patch.clone())
                .await
                .unwrap();
        }
        _ => scenarios::repair(s, &env.kubeconfig, &env.charts, &env.db_url)
            .await
            .unwrap(),
    }
    healthy(&env, &format!("repairing {name}")).await;
    let after = diagnosis(&env).await;
    assert!(
        after.findings.is_empty(),
        "{name} still reported after the repair: {:#?}",
        after.findings
    );

    // Broken again, the scenario's playbooks repair it with no model: those that only look
    // first, then the one that changes something; every step must show what it should.
    scenarios::apply(s, &env.kubeconfig, &env.charts)
        .await
        .unwrap();
    let mut mine: Vec<_> = playbooks
        .into_iter()
        .filter(|p| p.scenario.as_deref() == Some(name))
        .collect();
    mine.sort_by_key(|p| p.repair().is_some());
    assert!(
        mine.last().is_some_and(|p| p.name == name),
        "{name}: no playbook named after the scenario repairs it"
    );
    for pb in &mine {
        let cluster = todo_ops::commands::cli::ClusterArgs {
            kubeconfig: Some(env.kubeconfig.clone()),
            context: None,
            namespace: Some("default".into()),
            ..Default::default()
        };
        let ctx = todo_ops::ops::connect::tool_context(&cluster.target(), Some(&env.charts))
            .await
            .unwrap();
        let dispatcher = todo_ops::core::dispatch::Dispatcher {
            ctx,
            policy: todo_ops::core::approval::MutationPolicy::AutoApprove,
            rules: Default::default(),
        };
        let mut seen = Vec::new();
        let run = todo_ops::core::playbook::run::run(
            pb,
            &dispatcher,
            &NoOne,
            Duration::from_millis(200),
            &mut |e| seen.push(e),
        )
        .await
        .unwrap();
        assert!(run.passed(), "playbook {} on {name}: {seen:#?}", pb.name);
    }
    healthy(&env, &format!("the {name} playbook")).await;
    if name == "scaled-to-zero" {
        // The verify playbook, chat round trip included, on the repaired chatbot.
        let all = todo_ops::core::playbook::load_dir(
            &todo_ops::core::playbook::playbooks_dir(None).unwrap(),
        )
        .unwrap();
        let verify = todo_ops::core::playbook::find(&all, "verify").unwrap();
        let cluster = todo_ops::commands::cli::ClusterArgs {
            kubeconfig: Some(env.kubeconfig.clone()),
            context: None,
            namespace: Some("default".into()),
            ..Default::default()
        };
        let dispatcher = todo_ops::core::dispatch::Dispatcher {
            ctx: todo_ops::ops::connect::tool_context(&cluster.target(), Some(&env.charts))
                .await
                .unwrap(),
            policy: todo_ops::core::approval::MutationPolicy::ReadOnly,
            rules: Default::default(),
        };
        let mut seen = Vec::new();
        let run = todo_ops::core::playbook::run::run(
            verify,
            &dispatcher,
            &NoOne,
            Duration::from_millis(200),
            &mut |e| seen.push(e),
        )
        .await
        .unwrap();
        assert!(run.passed(), "verify: {seen:#?}");
    }
    env.sim.stop().await;
}

/// Nobody to ask: the playbooks run with --yes, so this is never consulted.
struct NoOne;

impl todo_ops::core::dispatch::Confirm for NoOne {
    fn confirm<'a>(
        &'a self,
        _: &'a todo_ops::protocol::ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async { panic!("a playbook run with --yes asked the person") })
    }
}

macro_rules! scenario_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                run($name).await;
            }
        )*

        #[test]
        fn every_scenario_has_a_test() {
            let tested = [$($name),*];
            for s in scenarios::SCENARIOS {
                assert!(tested.contains(&s.name), "scenario {} has no test", s.name);
            }
        }
    };
}

scenario_tests! {
    image_tag_missing => "image-tag-missing",
    secret_key_missing => "secret-key-missing",
    database_url_wrong => "database-url-wrong",
    auth_secret_short => "auth-secret-short",
    memory_limit_low => "memory-limit-low",
    requests_too_large => "requests-too-large",
    readiness_path_wrong => "readiness-path-wrong",
    liveness_too_aggressive => "liveness-too-aggressive",
    service_selector_wrong => "service-selector-wrong",
    backend_url_wrong => "backend-url-wrong",
    scaled_to_zero => "scaled-to-zero",
}
