//! kubesim's API under load: LIST latency with 1,000 pods (JSON and kubectl's Table form)
//! and watch fan-out (many watchers, a burst of writes). Prints figures; run with
//! `cargo bench -p kubesim`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kubesim::resources::{NODE, POD};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::json;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Test runners list targets with `--list`; this bench has no tests to list.
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let sim = RunningSim::start(SimConfig::default()).await?;
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_pem.as_bytes())?)
        .timeout(Duration::from_secs(60))
        .no_proxy()
        .build()?;
    let token = sim.tokens.admin.clone();
    let pods = &POD;
    // A node takes 110 pods, as on a real cluster: 1,000 pods need ten nodes.
    let first = sim.store.get(&NODE, "", "kubesim")?;
    for n in 1..10 {
        let mut node = first.clone();
        node["metadata"] =
            json!({"name": format!("kubesim-{n}"), "labels": first["metadata"]["labels"]});
        sim.store.create(&NODE, "", node)?;
    }
    let start = Instant::now();
    for i in 0..1000 {
        sim.store.create(pods, "default", json!({
            "metadata": {"name": format!("bench-{i:04}"), "labels": {"app": "bench", "shard": (i % 10).to_string()}},
            "spec": {"containers": [{"name": "c", "image": "bench:1", "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}}}]},
        }))?;
    }
    println!(
        "created 1000 pods in {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    // The lists are of Running pods, with the controllers quiet: wait until every pod runs.
    let settle = Instant::now();
    while sim
        .store
        .all_shared(pods)
        .iter()
        .any(|p| p["status"]["phase"] != "Running")
    {
        assert!(
            settle.elapsed() < Duration::from_secs(60),
            "the pods never all ran"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "all running after {:.0} ms",
        settle.elapsed().as_secs_f64() * 1000.0
    );

    let url = format!("{}/api/v1/namespaces/default/pods", sim.url());
    for (label, accept, query) in [
        ("LIST 1000 pods (JSON)", "application/json", ""),
        (
            "LIST 1000 pods (Table, kubectl get)",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            "",
        ),
        (
            "LIST 100 pods by label",
            "application/json",
            "?labelSelector=shard%3D3",
        ),
    ] {
        let mut times = Vec::new();
        let mut bytes = 0;
        // The first request of each kind also pays for the connection and its TLS handshake.
        client
            .get(format!("{url}{query}"))
            .bearer_auth(&token)
            .header("accept", accept)
            .send()
            .await?
            .bytes()
            .await?;
        for _ in 0..30 {
            let t = Instant::now();
            let body = client
                .get(format!("{url}{query}"))
                .bearer_auth(&token)
                .header("accept", accept)
                .send()
                .await?
                .bytes()
                .await?;
            times.push(t.elapsed());
            bytes = body.len();
        }
        times.sort();
        println!(
            "{label:<40} p50 {:>7.2} ms  p99 {:>7.2} ms  ({} KiB)",
            pct(&times, 0.5),
            pct(&times, 0.99),
            bytes / 1024
        );
    }

    // A burst (every write at once: the time to drain it) and paced writes (one every 5 ms,
    // 200 pod updates a second: a busy cluster), each to 10 and 100 watchers.
    for (watchers, pace) in [
        (10usize, None),
        (100, None),
        (10, Some(Duration::from_millis(5))),
        (100, Some(Duration::from_millis(5))),
    ] {
        fan_out(&sim, &client, &token, &url, watchers, pace).await?;
    }
    sim.stop().await;
    Ok(())
}

/// The send time a bench write put into the object, read from a watch line without
/// decoding the whole object (the client's cost is not what is measured).
fn sent_us(line: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"bench/sent-us\":\"";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let end = line[at..].iter().position(|b| *b == b'"')? + at;
    std::str::from_utf8(&line[at..end]).ok()?.parse().ok()
}

async fn fan_out(
    sim: &RunningSim,
    client: &reqwest::Client,
    token: &str,
    url: &str,
    watchers: usize,
    pace: Option<Duration>,
) -> Result<(), Box<dyn std::error::Error>> {
    let received = Arc::new(std::sync::Mutex::new(Vec::<Duration>::new()));
    let origin = Instant::now();
    let writes = 200usize;
    let mut tasks = Vec::new();
    let rv = sim.store.resource_version();
    for _ in 0..watchers {
        let resp = client
            .get(format!(
                "{url}?watch=true&resourceVersion={rv}&labelSelector=app%3Dbench"
            ))
            .bearer_auth(token)
            .send()
            .await?;
        let received = received.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = resp.bytes_stream();
            let mut lines = 0;
            let mut buf = Vec::new();
            while let Some(Ok(chunk)) = stream.next().await {
                buf.extend_from_slice(&chunk);
                while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=pos).collect();
                    if let Some(sent) = sent_us(&line) {
                        let now = origin.elapsed();
                        if let Ok(mut r) = received.lock() {
                            r.push(now.saturating_sub(Duration::from_micros(sent)));
                        }
                        lines += 1;
                    }
                    if lines >= writes {
                        return;
                    }
                }
            }
        }));
    }
    let t = Instant::now();
    let mut tick = pace.map(tokio::time::interval);
    for i in 0..writes {
        if let Some(tick) = tick.as_mut() {
            tick.tick().await;
        }
        let sent = origin.elapsed().as_micros().to_string();
        sim.store
            .modify(&POD, "default", &format!("bench-{:04}", i % 1000), |p| {
                p["metadata"]["annotations"]["bench/sent-us"] = json!(sent);
                Ok(())
            })?;
    }
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(60), task).await;
    }
    let elapsed = t.elapsed();
    let mut lat = received.lock().map(|r| r.clone()).unwrap_or_default();
    lat.sort();
    let how = match pace {
        Some(p) => format!("paced 1/{} ms", p.as_millis()),
        None => "burst".to_string(),
    };
    if lat.is_empty() {
        println!("watch fan-out {watchers:>3} watchers ({how}): no events received");
        return Ok(());
    }
    println!(
        "watch fan-out {watchers:>3} watchers x {writes} writes ({how}): {} events in {:.0} ms ({:.0} events/s), delivery p50 {:.2} ms p99 {:.2} ms",
        lat.len(),
        elapsed.as_secs_f64() * 1000.0,
        lat.len() as f64 / elapsed.as_secs_f64(),
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    Ok(())
}
