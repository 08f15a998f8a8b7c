//! Time from "start kubesim" to every chatbot pod Ready and a chat answered through the
//! forwarded UI port — the whole `todo-ops demo`. Target: under 10 s (minikube typically
//! takes a minute or more). Needs the app binaries built with the same profile:
//! `cargo build --release -p todo-app --bins && cargo bench -p todo-ops`.

use std::time::Instant;

use todo_ops::commands::cli::Demo;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut times = Vec::new();
    for run in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(0);
        let state = std::env::temp_dir().join(format!(
            "todo-ops-startup-bench-{}-{run}",
            std::process::id()
        ));
        let opts = Demo {
            port,
            database_url: None,
            charts: None,
            state_dir: Some(state.clone()),
            check: true,
            scenario: "none".into(),
        };
        let t = Instant::now();
        if let Err(e) = todo_ops::commands::demo::run(&opts).await {
            eprintln!("startup bench: the demo failed: {e:#}");
            std::process::exit(1);
        }
        times.push(t.elapsed().as_secs_f64());
        let _ = std::fs::remove_dir_all(state);
    }
    times.sort_by(f64::total_cmp);
    println!();
    println!(
        "sim start → all 4 pods Ready → chat answered: best {:.2} s, median {:.2} s, worst {:.2} s (target < 10 s)",
        times[0], times[1], times[2]
    );
}
