//! Pods killed under load lose nothing: five backends in turn get SIGTERM while requests flow
//! through the frontend and a connection-level balancer that, like kube-proxy, keeps sending
//! new connections to a stopping backend until its endpoint is removed a moment later.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{BACKEND, Engine, FRONTEND, Process, SECRET, TestDb, User, http};
use serde_json::{Value, json};

/// How long after SIGTERM the balancer still sends new connections to the stopping backend
/// (endpoint removal racing the signal on a cluster).
const ENDPOINT_LAG: Duration = Duration::from_millis(400);

/// A TCP balancer: round-robin per connection over the current endpoints; a connection it
/// cannot place is closed unanswered, as a connection to a gone pod is.
struct Balancer {
    port: u16,
    endpoints: Arc<Mutex<Vec<SocketAddr>>>,
}

impl Balancer {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let endpoints: Arc<Mutex<Vec<SocketAddr>>> = Arc::default();
        let next = Arc::new(AtomicUsize::new(0));
        let eps = endpoints.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = {
                    let eps = eps.lock().unwrap();
                    (!eps.is_empty()).then(|| eps[next.fetch_add(1, Ordering::Relaxed) % eps.len()])
                };
                tokio::spawn(async move {
                    let Some(target) = target else { return };
                    let connect = tokio::net::TcpStream::connect(target);
                    if let Ok(Ok(mut outbound)) =
                        tokio::time::timeout(Duration::from_secs(2), connect).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { port, endpoints }
    }

    fn add(&self, url: &str) {
        self.endpoints.lock().unwrap().push(addr_of(url));
    }

    fn remove(&self, url: &str) {
        let addr = addr_of(url);
        self.endpoints.lock().unwrap().retain(|a| *a != addr);
    }
}

fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

async fn start_backend(db: &TestDb) -> Process {
    let mut p = Process::spawn(
        BACKEND,
        &[
            ("DATABASE_URL", db.url.as_str()),
            ("BETTER_AUTH_SECRET", SECRET),
            ("SHUTDOWN_DRAIN_SECONDS", "2"),
        ],
    );
    p.wait_ready("/ready", Duration::from_secs(60)).await;
    p
}

/// What the load saw: failed requests (with the reason) and the ids of the tasks created.
#[derive(Default)]
struct Outcome {
    failures: Vec<String>,
    created: Vec<i64>,
    requests: usize,
}

/// One client: creates a task, then lists, until told to stop.
async fn load(user: User, worker: usize, stop: Arc<AtomicBool>) -> Outcome {
    let mut out = Outcome::default();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let title = format!("load {worker}-{n}");
        let create = user
            .client
            .post(format!("{}/api/tasks", user.base))
            .bearer_auth(&user.token)
            .json(&json!({ "title": title }));
        out.requests += 1;
        match send(create).await {
            Ok((201 | 200, body)) => out.created.push(body["id"].as_i64().unwrap_or_default()),
            Ok((status, body)) => out
                .failures
                .push(format!("create {title}: {status} {body}")),
            Err(e) => out.failures.push(format!("create {title}: {e}")),
        }
        let list = user
            .client
            .get(format!("{}/api/tasks", user.base))
            .bearer_auth(&user.token);
        out.requests += 1;
        match send(list).await {
            Ok((200, _)) => {}
            Ok((status, body)) => out.failures.push(format!("list: {status} {body}")),
            Err(e) => out.failures.push(format!("list: {e}")),
        }
    }
    out
}

async fn send(req: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
    let r = req.send().await.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let text = r.text().await.map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Waits until the stopping backend's `/ready` answers 503 (it drains, still serving).
async fn wait_draining(p: &Process) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(r) = http().get(format!("{}/ready", p.url)).send().await
            && r.status() == 503
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "backend never reported draining on /ready; log:\n{}",
            p.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_backend_kills_under_load_fail_no_request_and_lose_no_task() {
    let db = TestDb::new(Engine::Postgres).await;
    let balancer = Balancer::start().await;
    let mut live = vec![start_backend(&db).await, start_backend(&db).await];
    for b in &live {
        balancer.add(&b.url);
    }
    let backend_url = format!("http://127.0.0.1:{}", balancer.port);
    let mut fe = Process::spawn(FRONTEND, &[("BACKEND_URL", backend_url.as_str())]);
    fe.wait_ready("/ready", Duration::from_secs(30)).await;
    let user = User::sign_up(&fe.url).await;

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| tokio::spawn(load(user.clone(), w, stop.clone())))
        .collect();
    for _ in 0..5 {
        let mut victim = live.remove(0);
        victim.terminate();
        wait_draining(&victim).await;
        tokio::time::sleep(ENDPOINT_LAG).await; // the modelled propagation delay, not a wait
        balancer.remove(&victim.url);
        let replacement = start_backend(&db).await;
        balancer.add(&replacement.url);
        live.push(replacement);
        let exit = victim.wait_exit(Duration::from_secs(30)).await;
        assert!(exit.success(), "{}", victim.log_text());
        assert!(
            victim.log_text().contains("draining"),
            "{}",
            victim.log_text()
        );
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = Outcome::default();
    for w in workers {
        let o = w.await.unwrap();
        total.failures.extend(o.failures);
        total.created.extend(o.created);
        total.requests += o.requests;
    }
    assert!(
        total.failures.is_empty(),
        "{} of {} requests failed: {:#?}\nfrontend log:\n{}",
        total.failures.len(),
        total.requests,
        total.failures,
        fe.log_text()
    );
    assert!(total.requests > 100, "too little load: {}", total.requests);
    let (status, tasks) = user.call("GET", "/api/tasks", None).await;
    assert_eq!(status, 200);
    let stored: std::collections::BTreeSet<i64> = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    let created: std::collections::BTreeSet<i64> = total.created.iter().copied().collect();
    assert_eq!(
        created.len(),
        total.created.len(),
        "an id was handed out twice"
    );
    assert_eq!(stored, created, "tasks lost or invented");
}
