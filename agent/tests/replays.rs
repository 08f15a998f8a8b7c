//! Recorded chat sessions in `tests/replays/`, one per kubesim scenario: each diagnoses the
//! broken chatbot and repairs it. Each replays green against a fresh kubesim broken the same
//! way (the model's turns from the file, every tool for real), and the chatbot is healthy
//! afterwards. `record_replays` (ignored) records them again:
//! `cargo nextest run -p todo-ops --test replays --run-ignored only`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use todo_e2e::chatbot as common;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Env, healthy, setup};
use todo_ops::brains::replay::Replay;
use todo_ops::core::approval::MutationPolicy;
use todo_ops::core::brain::{Brain, BrainTurn};
use todo_ops::core::dispatch::{Confirm, Dispatcher};
use todo_ops::core::playbook::{Playbook, load_dir, playbooks_dir};
use todo_ops::core::session::{Limits, Session};
use todo_ops::ops::scenarios;
use todo_ops::protocol::ChangePreview;
use todo_ops::protocol::ModelTurn;
use todo_ops::protocol::ToolCall;

const PROMPT: &str = "the chatbot is broken: find out why and fix it";

fn replay_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/replays")
        .join(format!("{name}.jsonl"))
}

fn playbook(name: &str) -> Playbook {
    let all = load_dir(&playbooks_dir(None).unwrap()).unwrap();
    todo_ops::core::playbook::find(&all, name).unwrap().clone()
}

async fn dispatcher(env: &Env, policy: MutationPolicy) -> Dispatcher {
    let cluster = todo_ops::commands::cli::ClusterArgs {
        kubeconfig: Some(env.kubeconfig.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    };
    let ctx = todo_ops::ops::connect::tool_context(&cluster.target(), Some(&env.charts))
        .await
        .unwrap();
    Dispatcher {
        ctx,
        policy,
        rules: Default::default(),
    }
}

/// A fresh chatbot broken by `name`, once diagnose reports it (the playbook's first step).
async fn broken(name: &str) -> Env {
    let env = setup().await;
    scenarios::apply(scenarios::find(name).unwrap(), &env.kubeconfig, &env.charts)
        .await
        .unwrap();
    let mut look = playbook(name);
    look.steps.truncate(1);
    let d = dispatcher(&env, MutationPolicy::ReadOnly).await;
    let run = todo_ops::core::playbook::run::run(
        &look,
        &d,
        &Yes,
        Duration::from_millis(200),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert!(run.passed(), "{name}: diagnose never reported it: {run:?}");
    env
}

/// The person, saying yes.
struct Yes;

impl Confirm for Yes {
    fn confirm<'a>(
        &'a self,
        _: &'a ChangePreview,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async { true })
    }
}

/// The recording's model: looks with diagnose, applies the repair its playbook names, says so.
struct FollowsThePlaybook(Mutex<Vec<ModelTurn>>);

impl FollowsThePlaybook {
    fn new(pb: &Playbook) -> Self {
        let repair = pb.repair().expect("a scenario playbook changes something");
        let call = |id: &str, name: &str, args: &serde_json::Value| ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: args.to_string(),
        };
        let turns = vec![
            ModelTurn {
                tool_calls: vec![call("call_1", "diagnose", &serde_json::json!({}))],
                ..Default::default()
            },
            ModelTurn {
                text: format!(
                    "diagnose points at playbook {}; applying its repair.",
                    pb.name
                ),
                tool_calls: vec![call("call_2", &repair.tool, &repair.args)],
                ..Default::default()
            },
            ModelTurn {
                text: format!(
                    "Applied {} ({}); the pods are rolling.",
                    repair.tool, pb.title
                ),
                ..Default::default()
            },
        ];
        Self(Mutex::new(turns.into_iter().rev().collect()))
    }
}

impl Brain for FollowsThePlaybook {
    fn name(&self) -> &str {
        "follows the playbook"
    }
    fn turn<'a>(
        &'a self,
        _: &'a [todo_ops::protocol::Message],
        _: &'a [todo_ops::protocol::ToolSpec],
        _: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        let next = self.0.lock().unwrap().pop().unwrap_or_default();
        Box::pin(async move { Ok(next) })
    }
}

async fn record(name: &str) {
    let env = broken(name).await;
    let mut session = Session::new(
        Box::new(FollowsThePlaybook::new(&playbook(name))),
        dispatcher(&env, MutationPolicy::Ask).await,
        Limits::default(),
        "",
    );
    let path = replay_file(name);
    session.add_observer(Arc::new(
        todo_ops::core::transcript::Recorder::create(&path).unwrap(),
    ));
    session.turn(PROMPT, &Yes, &mut |_| {}).await.unwrap();
    healthy(&env, &format!("the recorded repair of {name}")).await;
    env.sim.stop().await;
}

async fn replay(name: &str) {
    let env = broken(name).await;
    let entries = todo_ops::core::transcript::read(&replay_file(name)).unwrap();
    let replay = Replay::new(entries);
    let mut session = Session::new(
        replay.brain(),
        dispatcher(&env, MutationPolicy::Ask).await,
        Limits::default(),
        "",
    );
    let report = replay.run(&mut session, &mut |_| {}).await.unwrap();
    assert!(report.passed(), "{}", report.render(name));
    assert_eq!(report.checked, 2, "{name}: diagnose and the repair");
    healthy(&env, &format!("replaying the repair of {name}")).await;
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "records tests/replays/ again; run on purpose"]
async fn record_replays() {
    for s in scenarios::SCENARIOS {
        record(s.name).await;
    }
}

macro_rules! replay_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                replay($name).await;
            }
        )*

        #[test]
        fn every_scenario_has_a_replay() {
            let tested = [$($name),*];
            for s in scenarios::SCENARIOS {
                assert!(tested.contains(&s.name), "scenario {} has no replay test", s.name);
                assert!(replay_file(s.name).is_file(), "tests/replays/{}.jsonl is missing", s.name);
            }
        }
    };
}

replay_tests! {
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
