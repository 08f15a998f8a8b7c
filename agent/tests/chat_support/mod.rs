//! Shared set-up of the chat tests: kubesim with the backend chart installed by the Helm
//! SDK, a scripted person answering confirmations, the scripted model, the binary.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::json;
use todo_e2e::scripted_llm::ScriptedLlm;
use todo_ops::brains::openai::{Model, ModelConfig};
use todo_ops::core::approval::MutationPolicy;
use todo_ops::core::dispatch::{Confirm, Dispatcher};
use todo_ops::core::session::{Limits, Session};
use todo_ops::protocol::ChangePreview;
use todo_ops::protocol::ToolCall;
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::helm::{Chart, ClusterOptions, HelmClient, blocking};
use todo_ops_tools::redact::Redactor;
use todo_ops_tools::tool::{HelmAccess, ToolContext};

/// Answers from a script and records what the person was shown.
pub struct Person {
    answers: Mutex<Vec<bool>>,
    shown: Mutex<Vec<ChangePreview>>,
}

impl Person {
    pub fn answering(answers: &[bool]) -> Self {
        Self {
            answers: Mutex::new(answers.iter().rev().copied().collect()),
            shown: Mutex::new(Vec::new()),
        }
    }
    pub fn shown(&self) -> Vec<ChangePreview> {
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

pub const PLANTED: &str = "pw-5c4b3a2918";

pub async fn setup() -> (RunningSim, ToolContext) {
    let (sim, ctx, _) = setup_with_kubeconfig().await;
    (sim, ctx)
}

/// A kubesim whose pods run at once (no processes), at 20× speed.
pub async fn start_sim() -> RunningSim {
    RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Instant,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

pub async fn setup_with_kubeconfig() -> (RunningSim, ToolContext, PathBuf) {
    let sim = start_sim().await;
    let kc =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("dispatch-{}", sim.addr.port()));
    sim.write_kubeconfig(&kc).unwrap();
    let cluster = ClusterTarget {
        kubeconfig: Some(kc.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
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
    let charts = todo_ops::ops::install::charts_dir(None).unwrap();
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
        results: Default::default(),
    };
    (sim, ctx, kc)
}

pub fn call(id: &str, name: &str, args: serde_json::Value) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: args.to_string(),
    }
}

pub async fn replicas(ctx: &ToolContext) -> i32 {
    Api::<Deployment>::namespaced(ctx.cluster.client.clone(), "default")
        .get("todo-backend")
        .await
        .unwrap()
        .spec
        .unwrap()
        .replicas
        .unwrap()
}

pub fn session(llm: &ScriptedLlm, ctx: ToolContext, policy: MutationPolicy, calls: u32) -> Session {
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
        Dispatcher {
            ctx,
            policy,
            rules: Default::default(),
        },
        Limits {
            model_calls_per_turn: calls,
            ..Limits::default()
        },
        "",
    )
}

pub fn todo_ops(
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

/// A condition on the terminal's screen before the next keys are typed.
pub type Step = (Box<dyn Fn(&str) -> bool + Send>, Vec<u8>);

/// Ready once `marker` has been shown and a prompt after it (rustyline discards type-ahead
/// when it switches the terminal mode, so a person waits for the prompt too).
pub fn prompt_after(marker: &'static str) -> Box<dyn Fn(&str) -> bool + Send> {
    Box::new(move |seen: &str| {
        seen.rfind(marker)
            .is_some_and(|at| seen[at..].contains("todo-ops> "))
    })
}

/// Runs `command` on a real terminal (a pty from util-linux `script`), typing each step's
/// keys once its condition holds; returns everything shown. Fails after 30 s.
pub fn drive_repl(command: &str, env: Vec<(String, String)>, steps: Vec<Step>) -> String {
    use std::io::{Read, Write};
    use std::time::Instant;
    let mut child = std::process::Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_MODEL")
        .envs(env)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("util-linux `script` is needed for the terminal tests (Debian: bsdutils)");
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
    for (i, (ready, keys)) in steps.into_iter().enumerate() {
        while !ready(&screen.lock().unwrap()) {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("step {i} never became ready: {}", screen.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        stdin.write_all(&keys).unwrap();
        stdin.flush().unwrap();
    }
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the REPL did not leave: {}", screen.lock().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    screen.lock().unwrap().clone()
}
