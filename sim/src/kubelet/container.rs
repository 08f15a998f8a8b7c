//! One container's life: image, environment, process, probes, exits, back-off, stop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

use super::{Kubelet, env, logs, probe, process, status};
use crate::events::Kind;
use crate::meta;
use crate::resources::POD;
use quantity::bytes;

/// The first back-off, doubled up to [`MAX_BACKOFF`] (as the kubelet's).
pub const BACKOFF: Duration = Duration::from_secs(10);
/// The longest back-off.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

struct Probe {
    path: String,
    port: u16,
    initial_delay: Duration,
    period: Duration,
    timeout: Duration,
    failures: u32,
}

fn probe_of(k: &Kubelet, c: &Value, which: &str, ports: &[(i64, u16)]) -> Option<Probe> {
    let p = c.get(which)?;
    let get = p.get("httpGet")?;
    let port = match &get["port"] {
        Value::Number(n) => n.as_i64(),
        Value::String(name) => c["ports"]
            .as_array()?
            .iter()
            .find(|x| x["name"] == name.as_str())
            .and_then(|x| x["containerPort"].as_i64()),
        _ => None,
    }?;
    let host = ports.iter().find(|(cp, _)| *cp == port).map(|(_, h)| *h)?;
    let secs = |k2: &str, d: u64| Duration::from_secs(p[k2].as_u64().unwrap_or(d));
    Some(Probe {
        path: get["path"].as_str().unwrap_or("/").to_string(),
        port: host,
        initial_delay: k.scaled(secs("initialDelaySeconds", 0)),
        period: k.scaled(secs("periodSeconds", 10)),
        timeout: secs("timeoutSeconds", 1).max(Duration::from_millis(200)),
        failures: p["failureThreshold"].as_u64().unwrap_or(3).max(1) as u32,
    })
}

enum Exit {
    Code(i32, &'static str),
    Stopped,
}

/// Runs a container until its pod goes away.
pub async fn run(
    k: Arc<Kubelet>,
    pod: Value,
    c: Value,
    ports: Vec<(i64, u16)>,
    mut stop: watch::Receiver<bool>,
) {
    let ns = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let pod_name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uid = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = c["name"].as_str().unwrap_or_default().to_string();
    let image = c["image"].as_str().unwrap_or_default().to_string();
    let mut backoff = BACKOFF;
    let mut restarts = 0u32;
    let mut pulled = false;
    let record = |p: &Option<Value>, kind: Kind, reason: &str, msg: &str| {
        if let Some(p) = p {
            k.record(p, kind, reason, msg);
        }
    };
    loop {
        if *stop.borrow() {
            return;
        }
        // Image.
        let Some(program) = k.images.resolve(&image) else {
            let never = c["imagePullPolicy"] == "Never";
            let (reason, msg) = if never {
                (
                    "ErrImageNeverPull",
                    format!("Container image \"{image}\" is not present with pull policy of Never"),
                )
            } else {
                (
                    "ErrImagePull",
                    format!(
                        "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found"
                    ),
                )
            };
            let p = status::update(&k.store, &ns, &pod_name, &c, |s| {
                s["state"] = json!({"waiting": {"reason": reason, "message": msg}})
            });
            if !never {
                record(
                    &p,
                    Kind::Normal,
                    "Pulling",
                    &format!("Pulling image \"{image}\""),
                );
            }
            record(&p, Kind::Warning, "Failed", &msg);
            record(&p, Kind::Warning, "Failed", &format!("Error: {reason}"));
            if k.sleep_or_stop(backoff, &mut stop).await {
                return;
            }
            if !never {
                let p = status::update(
                    &k.store,
                    &ns,
                    &pod_name,
                    &c,
                    |s| s["state"] = json!({"waiting": {"reason": "ImagePullBackOff", "message": format!("Back-off pulling image \"{image}\"")}}),
                );
                record(
                    &p,
                    Kind::Normal,
                    "BackOff",
                    &format!("Back-off pulling image \"{image}\""),
                );
                record(&p, Kind::Warning, "Failed", "Error: ImagePullBackOff");
                if k.sleep_or_stop(backoff, &mut stop).await {
                    return;
                }
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
            continue;
        };
        // Environment.
        let mut envs = match env::resolve(&k.store, &ns, &c) {
            Ok(e) => e,
            Err(msg) => {
                let p = status::update(&k.store, &ns, &pod_name, &c, |s| {
                    s["state"] =
                        json!({"waiting": {"reason": "CreateContainerConfigError", "message": msg}})
                });
                record(&p, Kind::Warning, "Failed", &format!("Error: {msg}"));
                if k.sleep_or_stop(Duration::from_secs(2), &mut stop).await {
                    return;
                }
                continue;
            }
        };
        if let Some((_, host)) = ports.first() {
            envs.retain(|(key, _)| key != "PORT");
            envs.push(("PORT".into(), host.to_string()));
        }
        for (key, v) in [
            ("HTTP_PROXY", k.proxy_url.clone()),
            ("http_proxy", k.proxy_url.clone()),
            ("NO_PROXY", "127.0.0.1,localhost".into()),
            ("no_proxy", "127.0.0.1,localhost".into()),
            ("HOSTNAME", pod_name.clone()),
        ] {
            if !v.is_empty() && !envs.iter().any(|(e, _)| e == key) {
                envs.push((key.to_string(), v));
            }
        }
        if let Ok(path) = std::env::var("PATH") {
            envs.push(("PATH".into(), path));
        }
        if !pulled {
            let p = k.store.get(&POD, &ns, &pod_name).ok();
            record(
                &p,
                Kind::Normal,
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            );
            pulled = true;
        }
        // Start.
        let log = k.logs.next_file(&ns, &pod_name, &name);
        // The image's program gets the container's `args` (its `command` is the image's).
        let args: Vec<String> = c["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect();
        let mut child = match process::spawn(&program, &args, &envs, &k.workdir) {
            Ok(ch) => ch,
            Err(e) => {
                let msg = format!(
                    "failed to create containerd task: failed to start {}: {e}",
                    program.display()
                );
                let p = status::update(&k.store, &ns, &pod_name, &c, |s| {
                    s["state"] = json!({"waiting": {"reason": "RunContainerError", "message": msg}})
                });
                record(&p, Kind::Warning, "Failed", &format!("Error: {msg}"));
                if k.sleep_or_stop(backoff, &mut stop).await {
                    return;
                }
                continue;
            }
        };
        if let Some(out) = child.stdout.take() {
            let path = log.clone();
            tokio::spawn(async move { logs::capture(out, &path).await });
        }
        if let Some(err) = child.stderr.take() {
            let path = log.clone();
            tokio::spawn(async move { logs::capture(err, &path).await });
        }
        let pid = child.id().unwrap_or(0);
        let started_at = meta::now();
        let started = Instant::now();
        let readiness = probe_of(&k, &c, "readinessProbe", &ports);
        let liveness = probe_of(&k, &c, "livenessProbe", &ports);
        let p = status::update(&k.store, &ns, &pod_name, &c, |s| {
            s["state"] = json!({"running": {"startedAt": started_at}});
            s["started"] = json!(true);
            s["ready"] = json!(readiness.is_none());
            s["restartCount"] = json!(restarts);
            s["containerID"] = json!(format!("kubesim://{}-{restarts}", &uid[..8.min(uid.len())]));
            s["imageID"] = json!(format!("kubesim://{}", program.display()));
        });
        record(
            &p,
            Kind::Normal,
            "Created",
            &format!("Created container: {name}"),
        );
        record(
            &p,
            Kind::Normal,
            "Started",
            &format!("Started container {name}"),
        );

        // Supervise.
        let limit = c["resources"]["limits"]["memory"].as_str().and_then(bytes);
        let mut ready = readiness.is_none();
        let (mut ready_fail, mut live_fail) = (0u32, 0u32);
        let mut next_ready = readiness.as_ref().map(|p| Instant::now() + p.initial_delay);
        let mut next_live = liveness.as_ref().map(|p| Instant::now() + p.initial_delay);
        let tick = Duration::from_millis(50);
        let exit = loop {
            if let Some(limit) = limit
                && process::rss_bytes(pid).is_some_and(|rss| rss > limit)
            {
                let _ = child.kill().await;
                break Exit::Code(137, "OOMKilled");
            }
            let now = Instant::now();
            if let (Some(p), Some(at)) = (&readiness, next_ready)
                && now >= at
            {
                next_ready = Some(now + p.period);
                match probe::http_get(p.port, &p.path, p.timeout).await {
                    Ok(()) => {
                        ready_fail = 0;
                        if !ready {
                            ready = true;
                            status::update(&k.store, &ns, &pod_name, &c, |s| {
                                s["ready"] = json!(true)
                            });
                        }
                    }
                    Err(msg) => {
                        ready_fail += 1;
                        let pod_now = k.store.get(&POD, &ns, &pod_name).ok();
                        record(
                            &pod_now,
                            Kind::Warning,
                            "Unhealthy",
                            &format!("Readiness probe failed: {msg}"),
                        );
                        if ready && ready_fail >= p.failures {
                            ready = false;
                            status::update(&k.store, &ns, &pod_name, &c, |s| {
                                s["ready"] = json!(false)
                            });
                        }
                    }
                }
            }
            if let (Some(p), Some(at)) = (&liveness, next_live)
                && now >= at
            {
                next_live = Some(now + p.period);
                match probe::http_get(p.port, &p.path, p.timeout).await {
                    Ok(()) => live_fail = 0,
                    Err(msg) => {
                        live_fail += 1;
                        let pod_now = k.store.get(&POD, &ns, &pod_name).ok();
                        record(
                            &pod_now,
                            Kind::Warning,
                            "Unhealthy",
                            &format!("Liveness probe failed: {msg}"),
                        );
                        if live_fail >= p.failures {
                            record(
                                &pod_now,
                                Kind::Normal,
                                "Killing",
                                &format!(
                                    "Container {name} failed liveness probe, will be restarted"
                                ),
                            );
                            let grace = k.scaled(Duration::from_secs(
                                pod["spec"]["terminationGracePeriodSeconds"]
                                    .as_u64()
                                    .unwrap_or(30),
                            ));
                            process::terminate(pid);
                            let code = match tokio::time::timeout(grace, child.wait()).await {
                                Ok(Ok(st)) => st.code().unwrap_or(143),
                                _ => {
                                    let _ = child.kill().await;
                                    137
                                }
                            };
                            break Exit::Code(code, "Error");
                        }
                    }
                }
            }
            tokio::select! {
                r = child.wait() => {
                    break match r {
                        Ok(st) => {
                            use std::os::unix::process::ExitStatusExt;
                            match (st.code(), st.signal()) {
                                (Some(0), _) => Exit::Code(0, "Completed"),
                                (Some(code), _) => Exit::Code(code, "Error"),
                                (None, Some(sig)) => Exit::Code(128 + sig, "Error"),
                                _ => Exit::Code(1, "Error"),
                            }
                        }
                        Err(_) => Exit::Code(1, "Error"),
                    };
                }
                _ = stop.changed() => {
                    let grace = k.scaled(Duration::from_secs(pod["spec"]["terminationGracePeriodSeconds"].as_u64().unwrap_or(30)));
                    process::terminate(pid);
                    if tokio::time::timeout(grace, child.wait()).await.is_err() {
                        let _ = child.kill().await;
                    }
                    break Exit::Stopped;
                }
                _ = tokio::time::sleep(tick) => {}
            }
        };
        let Exit::Code(code, reason) = exit else {
            return;
        };
        let finished = meta::now();
        let terminated = json!({"exitCode": code, "reason": reason, "startedAt": started_at, "finishedAt": finished, "containerID": format!("kubesim://{}-{restarts}", &uid[..8.min(uid.len())])});
        let policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always");
        if policy == "Never" || (policy == "OnFailure" && code == 0) {
            status::update(&k.store, &ns, &pod_name, &c, |s| {
                s["state"] = json!({"terminated": terminated});
                s["ready"] = json!(false);
                s["started"] = json!(false);
            });
            return;
        }
        restarts += 1;
        if started.elapsed() > Duration::from_secs(600) {
            backoff = BACKOFF;
        }
        let shown = k.scaled(backoff);
        let msg = format!(
            "back-off {}s restarting failed container={name} pod={pod_name}_{ns}({uid})",
            backoff.as_secs()
        );
        let p = status::update(&k.store, &ns, &pod_name, &c, |s| {
            s["lastState"] = json!({"terminated": terminated});
            s["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": msg}});
            s["ready"] = json!(false);
            s["started"] = json!(false);
            s["restartCount"] = json!(restarts);
        });
        record(
            &p,
            Kind::Warning,
            "BackOff",
            &format!("Back-off restarting failed container {name} in pod {pod_name}_{ns}({uid})"),
        );
        if tokio::time::timeout(shown, stop.changed()).await.is_ok() {
            return;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
