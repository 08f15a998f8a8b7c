//! Load benchmark of `/api/chat` (offline engine) on Postgres or SQLite: starts a backend on a
//! fresh database, drives it at a fixed request rate with concurrent clients, prints p50/p99
//! latency and throughput.
//!
//! `cargo run --release -p todo-app --bin todo-chat-bench -- [--database postgres|sqlite]
//!  [--rps 200] [--seconds 10] [--users 8]
//!  [--database-url postgres://postgres@127.0.0.1:5432/test] [--backend PATH]`

use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sqlx::Connection;

/// Which database the backend runs on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Database {
    Postgres,
    Sqlite,
}

struct Options {
    database: Database,
    rps: u32,
    seconds: u64,
    users: usize,
    admin_url: String,
    backend: PathBuf,
}

fn parse_args() -> Result<Options> {
    let mut o = Options {
        database: Database::Postgres,
        rps: 200,
        seconds: 10,
        users: 8,
        admin_url: "postgres://postgres@127.0.0.1:5432/test".into(),
        backend: std::env::current_exe()?.with_file_name("todo-backend"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rps" => o.rps = value()?.parse().context("--rps must be a whole number")?,
            "--seconds" => {
                o.seconds = value()?
                    .parse()
                    .context("--seconds must be a whole number")?
            }
            "--users" => o.users = value()?.parse().context("--users must be a whole number")?,
            "--database-url" => o.admin_url = value()?,
            "--database" => {
                o.database = match value()?.as_str() {
                    "postgres" => Database::Postgres,
                    "sqlite" => Database::Sqlite,
                    other => bail!("--database is {other:?}: expected postgres or sqlite"),
                }
            }
            "--backend" => o.backend = PathBuf::from(value()?),
            "-h" | "--help" => {
                println!(
                    "usage: todo-chat-bench [--database postgres|sqlite] [--rps N] [--seconds N] [--users N] [--database-url URL] [--backend PATH]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown flag {other}; see --help"),
        }
    }
    if o.rps == 0 || o.seconds == 0 || o.users == 0 {
        bail!("--rps, --seconds and --users must be at least 1");
    }
    Ok(o)
}

/// A fresh SQLite file under the system's temporary folder (its WAL files beside it).
fn fresh_sqlite() -> Result<String> {
    let dir = std::env::temp_dir().join(format!("todo-chat-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(format!("sqlite://{}", dir.join("todo.db").display()))
}

async fn fresh_database(admin_url: &str) -> Result<String> {
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .with_context(|| format!("connecting to Postgres at {admin_url} (is it running?)"))?;
    for sql in [
        "DROP DATABASE IF EXISTS todo_bench WITH (FORCE)",
        "CREATE DATABASE todo_bench",
    ] {
        sqlx::raw_sql(sql).execute(&mut conn).await.context(sql)?;
    }
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    Ok(format!("{base}/todo_bench"))
}

/// Median times of a failed sign-in for an existing and for an unknown email.
struct SignInTiming {
    known: Duration,
    unknown: Duration,
}

/// Times wrong-password sign-ins, interleaved, each from its own client address so the
/// rate limit never answers early.
async fn sign_in_timing(client: &reqwest::Client, base: &str) -> Result<SignInTiming> {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..20 {
        for (email, into) in [
            ("bench0@example.com", &mut known),
            ("nobody-here@example.com", &mut unknown),
        ] {
            let t = Instant::now();
            let status = client
                .post(format!("{base}/api/auth/sign-in/email"))
                .header("x-forwarded-for", format!("10.9.{}.{}", i, into.len() + 1))
                .json(&json!({"email": email, "password": "not-the-password"}))
                .send()
                .await?
                .status();
            if status.as_u16() != 401 {
                bail!("a wrong password for {email} gave {status}, expected 401");
            }
            into.push(t.elapsed());
        }
    }
    known.sort();
    unknown.sort();
    Ok(SignInTiming {
        known: percentile(&known, 0.5),
        unknown: percentile(&unknown, 0.5),
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn run() -> Result<bool> {
    let o = parse_args()?;
    let db_url = match o.database {
        Database::Postgres => fresh_database(&o.admin_url).await?,
        Database::Sqlite => fresh_sqlite()?,
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = tokio::process::Command::new(&o.backend)
        .env("DATABASE_URL", &db_url)
        .env(
            "BETTER_AUTH_SECRET",
            "bench-secret-0123456789abcdef0123456789",
        )
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .env_remove("OPENAI_API_KEY")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (build it with the same profile first)",
                o.backend.display()
            )
        })?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .pool_max_idle_per_host(256)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while client
        .get(format!("{base}/ready"))
        .send()
        .await
        .map(|r| r.status().is_success())
        .ok()
        != Some(true)
    {
        if Instant::now() > deadline {
            bail!("backend not ready within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut tokens = Vec::new();
    for i in 0..o.users {
        let r: Value = client
            .post(format!("{base}/api/auth/sign-up/email"))
            .json(&json!({"email": format!("bench{i}@example.com"), "password": "bench-password"}))
            .send()
            .await?
            .json()
            .await?;
        tokens.push(
            r["token"]
                .as_str()
                .context("sign-up returned no token")?
                .to_string(),
        );
    }
    let timing = sign_in_timing(&client, &base).await?;
    let tokens = Arc::new(tokens);
    let messages = [
        "add buy milk",
        "what's on my list",
        "show pending tasks",
        "remind me to call mom",
        "mark 1 as done",
    ];

    let total = o.rps as u64 * o.seconds;
    let interval = Duration::from_secs_f64(1.0 / o.rps as f64);
    let start = Instant::now();
    let mut handles = Vec::with_capacity(total as usize);
    // Open loop: requests start on schedule whether or not earlier ones have finished.
    for i in 0..total {
        tokio::time::sleep_until((start + interval * i as u32).into()).await;
        let client = client.clone();
        let url = format!("{base}/api/chat");
        let token = tokens[i as usize % tokens.len()].clone();
        let message = messages[i as usize % messages.len()];
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"message": message}))
                .send()
                .await
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            (t.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::with_capacity(handles.len());
    let mut errors = 0;
    for h in handles {
        let (d, ok) = h.await?;
        if !ok {
            errors += 1;
        }
        latencies.push(d);
    }
    let wall = start.elapsed();
    latencies.sort();
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    println!("requests        {}", latencies.len());
    println!("errors          {errors}");
    println!(
        "database        {}",
        if o.database == Database::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
    println!(
        "target rate     {} req/s for {} s, {} users",
        o.rps, o.seconds, o.users
    );
    println!(
        "throughput      {:.1} req/s",
        latencies.len() as f64 / wall.as_secs_f64()
    );
    println!("latency p50     {:.2} ms", p50.as_secs_f64() * 1000.0);
    println!(
        "latency p90     {:.2} ms",
        percentile(&latencies, 0.90).as_secs_f64() * 1000.0
    );
    println!("latency p99     {:.2} ms", p99.as_secs_f64() * 1000.0);
    println!(
        "latency max     {:.2} ms",
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!(
        "sign-in wrong password, known email   p50 {:.1} ms",
        timing.known.as_secs_f64() * 1000.0
    );
    println!(
        "sign-in wrong password, unknown email p50 {:.1} ms (ratio {:.2}; near 1 says nothing about who has an account)",
        timing.unknown.as_secs_f64() * 1000.0,
        timing.unknown.as_secs_f64() / timing.known.as_secs_f64().max(1e-9)
    );
    let met = errors == 0 && p99 < Duration::from_millis(50);
    println!(
        "target p99 < 50 ms with no errors: {}",
        if met { "met" } else { "NOT met" }
    );
    let _ = child.kill().await;
    Ok(met)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("todo-chat-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}
