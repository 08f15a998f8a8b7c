//! The chat loop end to end: the scripted model over real HTTP/SSE, the confirmation gate,
//! and kubesim with the backend chart installed by the Helm SDK.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};
use todo_ops::approval::{DECLINED, MutationPolicy};
use todo_ops::dispatch::{CallStatus, ChangePreview, Confirm, Dispatcher, ToolCall};
use todo_ops::model::{Model, ModelConfig};
use todo_ops::protocol::{Event, TurnEnd};
use todo_ops::session::{Limits, Session};
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::helm::{Chart, ClusterOptions, HelmClient, blocking};
use todo_ops_tools::redact::Redactor;
use todo_ops_tools::tool::{HelmAccess, ToolContext};

/// Answers from a script and records what the person was shown.
struct Person {
    answers: Mutex<Vec<bool>>,
    shown: Mutex<Vec<ChangePreview>>,
}

impl Person {
    fn answering(answers: &[bool]) -> Self {
        Self {
            answers: Mutex::new(answers.iter().rev().copied().collect()),
            shown: Mutex::new(Vec::new()),
        }
    }
    fn shown(&self) -> Vec<ChangePreview> {
        self.shown.lock().unwrap().clone()
    }
}

impl Confirm for Person {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        self.shown.lock().unwrap().push(preview.clone());
        let answer = self
            .answers
            .lock()
            .unwrap()
            .pop()
            .expect("the person was asked more often than the test expected");
        Box::pin(async move { answer })
    }
}

const PLANTED: &str = "pw-5c4b3a2918";

async fn setup() -> (RunningSim, ToolContext) {
    let (sim, ctx, _) = setup_with_kubeconfig().await;
    (sim, ctx)
}

async fn setup_with_kubeconfig() -> (RunningSim, ToolContext, PathBuf) {
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Instant,
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kc =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("dispatch-{}", sim.addr.port()));
    sim.write_kubeconfig(&kc).unwrap();
    let cluster = ClusterTarget {
        kubeconfig: Some(kc.clone()),
        context: None,
        namespace: Some("default".into()),
    }
    .connect()
    .await
    .unwrap();
    let client = Arc::new(
        HelmClient::new(&ClusterOptions {
            kubeconfig_path: Some(kc.clone()),
            namespace: Some("default".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let charts = todo_ops::deploy::charts_dir(None).unwrap();
    let (c, dir) = (client.clone(), charts.join("todo-backend"));
    let url = format!("postgres://app:{PLANTED}@db/todo");
    blocking("install", move || {
        c.install(
            &Chart::load(&dir)?,
            "todo-backend",
            &json!({"secrets": {"databaseUrl": url}}),
            &Default::default(),
        )
    })
    .await
    .unwrap();
    let mut redactor = Redactor::default();
    redactor.learn(&format!("postgres://app:{PLANTED}@db/todo"));
    let ctx = ToolContext {
        cluster,
        redactor: Arc::new(redactor),
        helm: Some(HelmAccess { client, charts }),
    };
    (sim, ctx, kc)
}

fn call(id: &str, name: &str, args: serde_json::Value) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: args.to_string(),
    }
}

async fn replicas(ctx: &ToolContext) -> i32 {
    Api::<Deployment>::namespaced(ctx.cluster.client.clone(), "default")
        .get("todo-backend")
        .await
        .unwrap()
        .spec
        .unwrap()
        .replicas
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_run_mutations_wait_for_yes_and_no_is_final() {
    let (_sim, ctx) = setup().await;
    let d = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::Ask,
    };

    // A read runs without asking.
    let person = Person::answering(&[]);
    let r = d
        .dispatch(&call("1", "list_deployments", json!({})), &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done);
    assert!(r.content.contains("todo-backend"), "{}", r.content);
    assert!(person.shown().is_empty());

    // A "no" changes nothing and tells the model not to retry.
    let person = Person::answering(&[false]);
    let r = d
        .dispatch(
            &call(
                "2",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 4}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.content.as_str()),
        (CallStatus::Declined, DECLINED)
    );
    assert_eq!(r.call_id, "2");
    assert_eq!(person.shown().len(), 1);
    assert_eq!(
        replicas(&ctx).await,
        2,
        "a declined scale must not reach the cluster"
    );

    // A Helm upgrade shows both diffs, secrets masked, and runs after yes.
    let person = Person::answering(&[true]);
    let r = d
        .dispatch(
            &call(
                "3",
                "helm_upgrade",
                json!({"release": "todo-backend", "patch": {"replicaCount": 3}}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    let shown = person.shown();
    let values = shown[0].values_diff.as_deref().unwrap();
    let manifest = shown[0].manifest_diff.as_deref().unwrap();
    assert!(
        values.contains("+") && values.contains("replicaCount"),
        "{values}"
    );
    assert!(manifest.contains("replicas"), "{manifest}");
    let everything = format!(
        "{values}\n{manifest}\n{}",
        serde_json::to_string(&r).unwrap()
    );
    assert!(
        !everything.contains(PLANTED),
        "a secret reached the preview or the reply"
    );
    assert_eq!(replicas(&ctx).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_mistakes_come_back_as_text_and_never_reach_the_person() {
    let (_sim, ctx) = setup().await;
    let d = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::Ask,
    };
    let person = Person::answering(&[]);
    // Truncated JSON, and a tool that does not exist.
    let cases = [
        ("scale", r#"{"deployment": "#, "not valid JSON"),
        ("kubectl_exec", "{}", "no tool named"),
    ];
    for (name, args, words) in cases {
        let bad = ToolCall {
            id: "x".into(),
            name: name.into(),
            arguments: args.into(),
        };
        let r = d.dispatch(&bad, &person).await.unwrap();
        assert_eq!(r.status, CallStatus::Failed);
        assert!(r.content.contains(words), "{}", r.content);
    }
    // A patch the chart's schema rejects is the model's to fix: nobody is asked.
    let r = d
        .dispatch(
            &call(
                "3",
                "helm_upgrade",
                json!({"release": "todo-backend", "patch": {"replicaCount": "many"}}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Failed);
    assert!(r.content.contains("replicaCount"), "{}", r.content);
    assert!(person.shown().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_in_the_dispatcher_and_yes_runs_without_asking() {
    let (_sim, ctx) = setup().await;
    let person = Person::answering(&[]);
    let read_only = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::ReadOnly,
    };
    let r = read_only
        .dispatch(
            &call(
                "1",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 0}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Forbidden);
    assert!(r.content.contains("--read-only"), "{}", r.content);
    assert_eq!(replicas(&ctx).await, 2);

    let auto = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::AutoApprove,
    };
    let r = auto
        .dispatch(
            &call(
                "2",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 1}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done);
    assert_eq!(replicas(&ctx).await, 1);
    assert!(person.shown().is_empty());
}

fn session(llm: &ScriptedLlm, ctx: ToolContext, policy: MutationPolicy, calls: u32) -> Session {
    let model = Model::new(ModelConfig {
        api_key: "sk-test".into(),
        base_url: Some(llm.base_url.clone()),
        model: "scripted-1".into(),
        request_timeout: Duration::from_secs(10),
        attempts: 1,
    })
    .unwrap();
    Session::new(
        Box::new(model),
        Dispatcher { ctx, policy },
        Limits {
            model_calls_per_turn: calls,
            ..Limits::default()
        },
        "",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_looks_through_tools_then_answers_and_the_model_sees_each_result() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::ToolCalls(vec![
        ("list_deployments".into(), json!({})),
        ("get_config".into(), json!({})),
    ]));
    llm.push(Turn::text("Both replicas of todo-backend are up."));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    let mut events = Vec::new();
    let answer = s
        .turn("is the backend up?", &Person::answering(&[]), &mut |e| {
            events.push(e)
        })
        .await
        .unwrap();
    assert_eq!(answer, "Both replicas of todo-backend are up.");

    let finished: Vec<(&str, &CallStatus)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolCallFinished { name, status, .. } => Some((name.as_str(), status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        finished,
        [
            ("list_deployments", &CallStatus::Done),
            ("get_config", &CallStatus::Done)
        ]
    );
    assert!(matches!(
        events.last(),
        Some(Event::TurnFinished {
            reason: TurnEnd::Answered,
            model_calls: 2,
            ..
        })
    ));

    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    let first = requests[0]["messages"].as_array().unwrap();
    assert_eq!(first[0]["role"], "system");
    assert!(
        first[0]["content"]
            .as_str()
            .unwrap()
            .contains("look before you change")
    );
    // The second request answers both calls, by id, with what the tools returned.
    let second = requests[1]["messages"].as_array().unwrap();
    let assistant = &second[2];
    let ids: Vec<&str> = assistant["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let replies: Vec<&Value> = second.iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0]["tool_call_id"], ids[0]);
    assert!(
        replies[0]["content"]
            .as_str()
            .unwrap()
            .contains("todo-backend ready")
    );
    assert!(
        replies[1]["content"]
            .as_str()
            .unwrap()
            .contains("databaseUrl")
            || replies[1]["content"]
                .as_str()
                .unwrap()
                .contains("DATABASE_URL")
    );
    let sent = serde_json::to_string(&requests).unwrap();
    assert!(!sent.contains(PLANTED), "a secret value reached the model");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_change_reaches_the_model_as_final_and_nothing_changes() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool(
        "scale",
        json!({"deployment": "todo-backend", "replicas": 5}),
    ));
    llm.push(Turn::text("Understood, I left it at 2 replicas."));
    let mut s = session(&llm, ctx.clone(), MutationPolicy::Ask, 5);
    let person = Person::answering(&[false]);
    s.turn("scale the backend to 5", &person, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(person.shown().len(), 1);
    assert_eq!(replicas(&ctx).await, 2);
    let second = &llm.requests()[1]["messages"];
    let reply = second.as_array().unwrap().last().unwrap();
    assert_eq!(reply["role"], "tool");
    assert_eq!(reply["content"], DECLINED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_call_bound_stops_a_turn_and_says_why() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    for _ in 0..5 {
        llm.push(Turn::tool("list_pods", json!({})));
    }
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 3);
    let mut events = Vec::new();
    let answer = s
        .turn("loop forever", &Person::answering(&[]), &mut |e| {
            events.push(e)
        })
        .await
        .unwrap();
    assert!(answer.contains("3 model calls"), "{answer}");
    assert_eq!(llm.requests().len(), 3);
    assert!(matches!(
        events.last(),
        Some(Event::TurnFinished {
            reason: TurnEnd::ModelCallLimit,
            ..
        })
    ));
}

fn todo_ops(
    llm: &ScriptedLlm,
    kc: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .arg("chat")
        .args(args)
        .args([
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--model",
            "scripted-1",
        ])
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_BASE_URL", &llm.base_url)
        .env_remove("OPENAI_MODEL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_chat_streams_the_answer_shows_tool_calls_and_applies_with_yes() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool(
        "scale",
        json!({"deployment": "todo-backend", "replicas": 3}),
    ));
    llm.push(Turn::text("Scaled todo-backend to 3 replicas."));
    let kc2 = kc.clone();
    let llm = std::sync::Arc::new(llm);
    let l2 = llm.clone();
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(&l2, &kc2, &["-p", "scale the backend to 3", "--yes"], "")
    })
    .await
    .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Scaled todo-backend to 3 replicas."),
        "{stdout}"
    );
    assert!(
        stderr.contains("→ scale") && stderr.contains("✓ scale"),
        "{stderr}"
    );
    assert_eq!(replicas(&ctx).await, 3);

    // Read-only: the same request is refused in the dispatcher, piped input is context.
    llm.push(Turn::tool(
        "scale",
        json!({"deployment": "todo-backend", "replicas": 1}),
    ));
    llm.push(Turn::text("I may not change anything in read-only mode."));
    let l2 = llm.clone();
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(
            &l2,
            &kc,
            &["-p", "explain this", "--read-only"],
            "OOMKilled exit 137\n",
        )
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("✗ refused scale"), "{stderr}");
    assert_eq!(replicas(&ctx).await, 3);
    let user = &llm.requests()[2]["messages"][1]["content"];
    assert!(
        user.as_str().unwrap().contains("OOMKilled exit 137"),
        "{user}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_key_the_offline_planner_answers_through_the_same_gate() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let run = |args: Vec<&'static str>| {
        let kc = kc.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
                .arg("chat")
                .args(args)
                .args(["--kubeconfig", kc.to_str().unwrap()])
                .env_remove("OPENAI_API_KEY")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap()
        })
    };
    let out = run(vec!["-p", "scale the backend to 4", "--yes"])
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("offline planner") && stderr.contains("OPENAI_API_KEY"),
        "{stderr}"
    );
    assert!(stderr.contains("✓ scale"), "{stderr}");
    assert!(stdout.contains("scaled to 4 replicas"), "{stdout}");
    assert_eq!(replicas(&ctx).await, 4);

    let out = run(vec!["-p", "why is the backend down?", "--read-only"])
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("Diagnosis:") && stdout.contains("namespace default"),
        "{stdout}"
    );

    let out = run(vec!["-p", "write me a poem"]).await.unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("OPENAI_API_KEY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repl_slash_commands_work_on_the_session() {
    use todo_ops::repl::{Outcome, parse, run_slash};
    let (_sim, ctx) = setup().await;
    let mut s = Session::new(
        Box::new(todo_ops::planner::OfflinePlanner),
        Dispatcher {
            ctx,
            policy: MutationPolicy::Ask,
        },
        Limits::default(),
        "",
    );
    let person = Person::answering(&[]);
    let mut run = async |line: &str| match run_slash(&mut s, parse(line).unwrap(), &person).await {
        Outcome::Print(t) => t,
        Outcome::Exit => "<exit>".into(),
    };
    let tools = run("/tools").await;
    assert!(
        tools.contains("scale") && tools.contains("(asks first)"),
        "{tools}"
    );
    assert!(run("/model").await.contains("offline planner"));
    assert_eq!(run("/last").await, "no tool has run yet");
    let report = run("/diagnose").await;
    assert!(report.contains("namespace default"), "{report}");
    let last = run("/last").await;
    assert!(last.contains("\"findings\""), "{last}");
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("repl-transcript.json");
    let _ = std::fs::remove_file(&file);
    let saved = run(&format!("/save {}", file.display())).await;
    assert!(saved.starts_with("saved to"), "{saved}");
    let transcript = std::fs::read_to_string(&file).unwrap();
    assert!(transcript.contains("look before you change") && !transcript.contains(PLANTED));
    let bad = run("/save /nonexistent-dir/x.json").await;
    assert!(
        bad.contains("could not write") && bad.contains("writable"),
        "{bad}"
    );
    assert_eq!(run("/clear").await, "conversation cleared");
    assert_eq!(run("/exit").await, "<exit>");
}

/// The REPL on a real terminal (a pty from util-linux `script`): completion, commands, the
/// history file. Each line is typed only once the prompt shows, as a person would (rustyline
/// discards type-ahead when it switches the terminal mode).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repl_on_a_terminal_completes_runs_and_keeps_history() {
    let (_sim, _ctx, kc) = setup_with_kubeconfig().await;
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "repl-state-{}",
        kc.parent().unwrap().file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&state);
    let command = format!(
        "{} chat --kubeconfig {}",
        env!("CARGO_BIN_EXE_todo-ops"),
        kc.display()
    );
    let state2 = state.clone();
    let screen = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        use std::time::Instant;
        let mut child = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("OPENAI_API_KEY")
            .env("XDG_STATE_HOME", &state2)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("util-linux `script` is needed for the terminal test (Debian: bsdutils)");
        let screen = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut stdin = child.stdin.take().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        // Each line waits for the answer to the previous one and the prompt after it.
        // Tab completes /mo to /model.
        let steps: [(&str, &[u8]); 3] = [
            ("Ctrl-D to leave", b"/mo\t\n"),
            ("answering: offline planner", b"/help\n"),
            ("a question for the model", b"/exit\n"),
        ];
        for (after, line) in steps {
            loop {
                let seen = screen.lock().unwrap().clone();
                let ready = seen
                    .rfind(after)
                    .is_some_and(|at| seen[at..].contains("todo-ops> "));
                if ready {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "no prompt after {after:?}: {seen}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            stdin.write_all(line).unwrap();
            stdin.flush().unwrap();
        }
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "the REPL did not leave on /exit: {}",
                    screen.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(stdin);
        screen.lock().unwrap().clone()
    })
    .await
    .unwrap();
    assert!(screen.contains("answering: offline planner"), "{screen}");
    assert!(
        screen.contains("/diagnose") && screen.contains("a question for the model"),
        "{screen}"
    );
    let history = std::fs::read_to_string(state.join("todo-ops/chat_history")).unwrap();
    assert!(
        history.contains("/model") && history.contains("/help"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_turns_leave_the_context_whole_and_are_summed_up() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::text("Two pods, both ready."));
    llm.push(Turn::text("Nothing else to report."));
    llm.push(Turn::text("Still fine."));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    s.set_context_chars(300);
    let person = Person::answering(&[]);
    for prompt in ["how many pods?", "anything else?", "and now?"] {
        s.turn(prompt, &person, &mut |_| {}).await.unwrap();
    }
    let requests = llm.requests();
    assert_eq!(requests.len(), 4);
    // The turn in progress is never cut: its tool reply keeps its call.
    let second = requests[1]["messages"].as_array().unwrap();
    assert_eq!(second.last().unwrap()["role"], "tool");
    assert_eq!(
        second[second.len() - 2]["tool_calls"][0]["function"]["name"],
        "list_pods"
    );
    // By the third question the first turn (with its tool output) is out, and summed up;
    // the short second turn still fits.
    let last = requests[3]["messages"].as_array().unwrap();
    let contents: Vec<&str> = last[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        ["anything else?", "Nothing else to report.", "and now?"]
    );
    let system = last[0]["content"].as_str().unwrap();
    assert!(
        system.contains("the person asked: \"how many pods?\"; tools called: list_pods."),
        "{system}"
    );
}
