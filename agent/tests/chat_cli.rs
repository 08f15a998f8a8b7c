//! `todo-ops chat` as a person runs it: one-shot, the offline planner, the REPL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chat_support::*;
use serde_json::json;
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};
use todo_ops::core::approval::MutationPolicy;
use todo_ops::core::dispatch::Dispatcher;
use todo_ops::core::session::{Limits, Session};

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

    // --offline: the planner answers even with a model configured (here one that is not
    // there, so any request to it would fail the run).
    let kc2 = kc.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
            .args(["chat", "--offline", "-p", "list pods", "--kubeconfig"])
            .arg(&kc2)
            .env("OPENAI_API_KEY", "sk-test")
            .env("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("Pods:"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repl_slash_commands_work_on_the_session() {
    use todo_ops::commands::repl::{Outcome, parse, run_slash};
    let (_sim, ctx) = setup().await;
    let mut s = Session::new(
        Box::new(todo_ops::brains::planner::OfflinePlanner::default()),
        Dispatcher {
            ctx,
            policy: MutationPolicy::Ask,
            rules: Default::default(),
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
    // Tab completes /mo to /model.
    let steps: Vec<Step> = vec![
        (prompt_after("Ctrl-D to leave"), b"/mo\t\n".to_vec()),
        (
            prompt_after("answering: offline planner"),
            b"/help\n".to_vec(),
        ),
        (
            prompt_after("a question for the model"),
            b"/exit\n".to_vec(),
        ),
    ];
    let env = vec![("XDG_STATE_HOME".to_string(), state.display().to_string())];
    let screen = tokio::task::spawn_blocking(move || drive_repl(&command, env, steps))
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
async fn ctrl_c_cancels_the_turn_in_progress_and_the_session_goes_on() {
    let (_sim, _ctx, kc) = setup_with_kubeconfig().await;
    let llm = Arc::new(ScriptedLlm::start().await.unwrap());
    // A model that takes far longer than the test may wait.
    llm.push_delayed(Turn::text("too late"), Duration::from_secs(120));
    llm.push(Turn::text("second answer"));
    let command = format!(
        "{} chat --kubeconfig {} --model scripted-1",
        env!("CARGO_BIN_EXE_todo-ops"),
        kc.display()
    );
    let in_flight = llm.clone();
    let steps: Vec<Step> = vec![
        (
            prompt_after("Ctrl-D to leave"),
            b"why is it down?\n".to_vec(),
        ),
        // Ctrl-C once the model has the request.
        (
            Box::new(move |_: &str| !in_flight.requests().is_empty()),
            b"\x03".to_vec(),
        ),
        (prompt_after("(cancelled)"), b"and now?\n".to_vec()),
        (prompt_after("second answer"), b"/exit\n".to_vec()),
    ];
    let env = vec![
        ("OPENAI_API_KEY".to_string(), "sk-test".to_string()),
        ("OPENAI_BASE_URL".to_string(), llm.base_url.clone()),
    ];
    let screen = tokio::task::spawn_blocking(move || drive_repl(&command, env, steps))
        .await
        .unwrap();
    assert!(!screen.contains("too late"), "{screen}");
    // The cancelled turn left nothing behind: the next request starts from the new question.
    let second = &llm.requests()[1]["messages"];
    let users: Vec<&str> = second
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["and now?"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_covers_that_tool_on_that_object_for_the_rest_of_the_session() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "repl-always-{}",
        kc.parent().unwrap().file_name().unwrap().to_string_lossy()
    ));
    let command = format!(
        "{} chat --kubeconfig {}",
        env!("CARGO_BIN_EXE_todo-ops"),
        kc.display()
    );
    let steps: Vec<Step> = vec![
        (
            prompt_after("Ctrl-D to leave"),
            b"scale the backend to 3\n".to_vec(),
        ),
        (
            Box::new(|s: &str| {
                s.contains(
                    "[a]lways scale on deployment todo-backend in namespace default this session / [N]o ",
                )
            }),
            b"a\n".to_vec(),
        ),
        (
            prompt_after("scaled to 3"),
            b"scale the backend to 4\n".to_vec(),
        ),
        (prompt_after("scaled to 4"), b"/exit\n".to_vec()),
    ];
    let env = vec![("XDG_STATE_HOME".to_string(), state.display().to_string())];
    let screen = tokio::task::spawn_blocking(move || drive_repl(&command, env, steps))
        .await
        .unwrap();
    assert_eq!(screen.matches("[N]o ").count(), 1, "asked once: {screen}");
    assert!(
        screen.contains(
            "scale on deployment todo-backend in namespace default: applied (you said always for this session)"
        ),
        "{screen}"
    );
    assert_eq!(replicas(&ctx).await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_chat_is_saved_listed_and_resumable() {
    let (_sim, _ctx, kc) = setup_with_kubeconfig().await;
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "sessions-{}",
        kc.parent().unwrap().file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&state);
    let llm = Arc::new(ScriptedLlm::start().await.unwrap());
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::text("Two backend pods are Running."));
    llm.push(Turn::text("Still two."));
    let run = |args: Vec<&'static str>| {
        let (llm, kc, state) = (llm.clone(), kc.clone(), state.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
                .arg("chat")
                .args(args)
                .arg("--kubeconfig")
                .arg(&kc)
                .args(["--model", "scripted-1"])
                .env("OPENAI_API_KEY", "sk-test")
                .env("OPENAI_BASE_URL", &llm.base_url)
                .env("XDG_STATE_HOME", &state)
                .env_remove("OPENAI_MODEL")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap()
        })
    };
    let out = run(vec!["-p", "how many pods run?"]).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(vec!["--list-sessions"]).await.unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        listing.contains("1 prompt(s)  how many pods run?"),
        "{listing}"
    );

    let out = run(vec!["--resume-session", "latest", "-p", "and now?"])
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = llm.requests()[2]["messages"].clone();
    let sent = messages.to_string();
    assert!(
        sent.contains("how many pods run?")
            && sent.contains("Two backend pods are Running.")
            && sent.contains("and now?"),
        "{sent}"
    );
    let out = run(vec!["--list-sessions"]).await.unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        listing.contains("2 prompt(s)  how many pods run?"),
        "{listing}"
    );

    let out = run(vec!["--resume-session", "nope", "-p", "x"])
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list-sessions"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_without_function_calling_works_through_the_tool_shim() {
    let (_sim, _ctx, kc) = setup_with_kubeconfig().await;
    let llm = Arc::new(ScriptedLlm::start().await.unwrap());
    // A small model's broken JSON first: it is told once, and answers properly.
    llm.push(Turn::text(
        "{\"tool_calls\": [{\"name\": \"list_pods\", \"arguments\": {}}",
    ));
    llm.push(Turn::text(
        "I will look.\n```json\n{\"tool_calls\": [{\"name\": \"list_pods\", \"arguments\": {}}]}\n```",
    ));
    llm.push(Turn::text(
        "{\"answer\": \"Two backend pods, both Running.\"}",
    ));
    let l2 = llm.clone();
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(&l2, &kc, &["-p", "how many pods?", "--tool-shim"], "")
    })
    .await
    .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "Two backend pods, both Running.");
    assert!(
        stderr.contains("→ list_pods") && stderr.contains("✓ list_pods"),
        "{stderr}"
    );
    let requests = llm.requests();
    assert!(
        requests.iter().all(|r| r.get("tools").is_none()),
        "no native tools are sent"
    );
    let first = &requests[0]["messages"];
    assert!(
        first[0]["content"]
            .as_str()
            .unwrap()
            .contains("- list_pods(")
    );
    let correction = requests[1]["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(correction["role"], "user");
    assert!(
        correction["content"]
            .as_str()
            .unwrap()
            .starts_with("That reply is not valid JSON"),
        "{correction}"
    );
    let second = requests[2]["messages"].as_array().unwrap();
    assert!(second.iter().all(|m| m["role"] != "tool"), "{second:?}");
    let last = second.last().unwrap();
    assert_eq!(last["role"], "user");
    assert!(
        last["content"]
            .as_str()
            .unwrap()
            .starts_with("Result of list_pods:\n"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_shot_turn_that_runs_out_of_model_calls_says_so_and_exits_1() {
    let (_sim, _ctx, kc) = setup_with_kubeconfig().await;
    let llm = Arc::new(ScriptedLlm::start().await.unwrap());
    for _ in 0..2 {
        llm.push(Turn::tool("list_pods", serde_json::json!({})));
    }
    let l2 = llm.clone();
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(&l2, &kc, &["-p", "list pods", "--max-model-calls", "2"], "")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("I stopped after 2 model calls"), "{stdout}");
}
