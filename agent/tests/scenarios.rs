//! Every fault scenario on kubesim with real processes: it produces the real symptoms
//! (statuses, events, logs, failing requests) and its documented repair brings the chatbot
//! back to Ready and answering.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use std::time::{Duration, Instant};

use common::{Env, chat, healthy, pods, rolled_out, setup, until};
use kubesim::controllers::rt;
use serde_json::Value;
use todo_ops::scenarios;

fn waiting(env: &Env, reason: &str) -> Option<Value> {
    pods(env, "todo-backend")
        .into_iter()
        .find(|p| p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == reason)
}

fn event(env: &Env, reason: &str, contains: &str) -> Option<Value> {
    env.sim.store.all(rt("", "events")).into_iter().find(|e| {
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

async fn run(name: &str) {
    let env = setup().await;
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
    scenarios::repair(s, &env.kubeconfig, &env.charts, &env.db_url)
        .await
        .unwrap();
    healthy(&env, &format!("repairing {name}")).await;
    env.sim.stop().await;
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
