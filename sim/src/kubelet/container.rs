//! One container's life: image, environment, process, probes, exits, back-off, stop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

use super::sandbox::Sandbox;
use super::{Kubelet, entrypoint, env, logs, probe, process, sandbox, status, volumes};
use crate::events::Kind;
use crate::meta;
use crate::network::{Dial, PodNet};
use crate::resources::POD;
use quantity::bytes;

/// The first back-off, doubled up to [`MAX_BACKOFF`] (as the kubelet's).
pub const BACKOFF: Duration = Duration::from_secs(10);
/// The longest back-off.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// How long after a start the kubelet's status sync reports a container without a
/// readiness probe Ready.
const STATUS_SYNC: Duration = Duration::from_secs(1);

struct Probe {
    action: probe::Action,
    initial_delay: Duration,
    period: Duration,
    timeout: Duration,
    failures: u32,
}

/// The container port a probe's `port` names (a number, or a declared port's name).
pub fn probe_port(c: &Value, port: &Value) -> Option<i64> {
    match port {
        Value::Number(n) => n.as_i64(),
        Value::String(name) => c["ports"]
            .as_array()?
            .iter()
            .find(|x| x["name"] == name.as_str())
            .and_then(|x| x["containerPort"].as_i64()),
        _ => None,
    }
}

fn probe_of(k: &Kubelet, c: &Value, which: &str) -> Option<Probe> {
    let p = c.get(which).filter(|p| p.is_object())?;
    let host = |port: &Value| u16::try_from(probe_port(c, port)?).ok();
    let action = if let Some(get) = p.get("httpGet") {
        probe::Action::Http {
            path: get["path"].as_str().unwrap_or("/").to_string(),
            port: host(&get["port"])?,
        }
    } else if let Some(tcp) = p.get("tcpSocket") {
        probe::Action::Tcp {
            port: host(&tcp["port"])?,
        }
    } else {
        let command: Vec<String> = p["exec"]["command"]
            .as_array()?
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect();
        probe::Action::Exec { command }
    };
    let secs = |k2: &str, d: u64| Duration::from_secs(p[k2].as_u64().unwrap_or(d));
    Some(Probe {
        action,
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

/// What a step of the container's life says to do next.
enum Next<T> {
    /// Go on with this.
    Go(T),
    /// Try the whole start again (after the step's own back-off).
    Retry,
    /// The pod is going away.
    Stop,
}

/// One container of one pod, across its restarts.
struct Life {
    k: Arc<Kubelet>,
    pod: Value,
    c: Value,
    ports: Vec<(i64, u16)>,
    /// Where the kubelet reaches the pod's ports (probes).
    dial: Dial,
    /// The pod's network namespace, when it has one.
    net: Option<Arc<PodNet>>,
    ns: String,
    pod_name: String,
    uid: String,
    name: String,
    image: String,
    backoff: Duration,
    restarts: u32,
    pulled: bool,
    role: Role,
}

/// A started process and what the kubelet watches it with.
struct Running {
    child: tokio::process::Child,
    pid: u32,
    /// The container's processes, killed together when it ends or kubesim stops.
    group: process::ProcessGroup,
    /// The tasks copying its output to its log and attached clients (done at the pipes' end).
    output: Vec<tokio::task::JoinHandle<()>>,
    started_at: String,
    started: Instant,
    readiness: Option<Probe>,
    liveness: Option<Probe>,
    startup: Option<Probe>,
}

impl Running {
    /// Waits until everything the ended container wrote is in its log and with attached
    /// clients (`kubectl logs` and `run -i` then see its last lines): what is left of its
    /// group goes first, so no background child holds the pipes open.
    async fn output_written(&mut self) {
        self.group.kill();
        for copy in self.output.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(2), copy).await;
        }
    }
}

/// Which kind of container: an init container runs to completion before the others start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `spec.initContainers`: done once it exits 0.
    Init,
    /// `spec.containers`: runs for the pod's life.
    Main,
}

/// Runs a container until its pod goes away (an init container until it has exited 0);
/// whether it ended with exit code 0.
pub async fn run(
    k: Arc<Kubelet>,
    pod: Value,
    c: Value,
    ports: Vec<(i64, u16)>,
    mut stop: watch::Receiver<bool>,
    role: Role,
) -> bool {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let net = k.pod_net(&text(&pod["metadata"]["uid"]));
    let dial = match (&k.network, &net) {
        (Some(cluster), Some(own)) => Dial::Network(cluster.clone(), own.ip),
        _ => Dial::Loopback(ports.clone()),
    };
    let mut life = Life {
        dial,
        net,
        ns: text(&pod["metadata"]["namespace"]),
        pod_name: text(&pod["metadata"]["name"]),
        uid: text(&pod["metadata"]["uid"]),
        name: text(&c["name"]),
        image: text(&c["image"]),
        k,
        pod,
        c,
        ports,
        backoff: BACKOFF,
        restarts: 0,
        pulled: false,
        role,
    };
    loop {
        if *stop.borrow() {
            return false;
        }
        let program = match life.pull(&mut stop).await {
            Next::Go(p) => p,
            Next::Retry => continue,
            Next::Stop => return false,
        };
        let envs = match life.environment(&mut stop).await {
            Next::Go(e) => e,
            Next::Retry => continue,
            Next::Stop => return false,
        };
        let sandbox = match life.volumes(&program, &mut stop).await {
            Next::Go(s) => s,
            Next::Retry => continue,
            Next::Stop => return false,
        };
        let running = match life.start(&program, &envs, sandbox, &mut stop).await {
            Next::Go(r) => r,
            Next::Retry => continue,
            Next::Stop => return false,
        };
        let started_at = running.started_at.clone();
        let started = running.started;
        let exit = life.supervise(running, &mut stop).await;
        let code = match &exit {
            Exit::Code(code, _) => Some(*code),
            _ => None,
        };
        life.k
            .running
            .ended(&life.ns, &life.pod_name, &life.name, code);
        let Exit::Code(code, reason) = exit else {
            return false;
        };
        if !life
            .restart_after(code, reason, &started_at, started, &mut stop)
            .await
        {
            return code == 0;
        }
    }
}

impl Life {
    fn record(&self, p: &Option<Value>, kind: Kind, reason: &str, msg: &str) {
        if let Some(p) = p {
            self.k.record(p, kind, reason, msg);
        }
    }

    /// Sets this container's status in the pod; the pod as it is now.
    fn set_status(&self, f: impl FnOnce(&mut Value)) -> Option<Value> {
        status::update(&self.k.store, &self.ns, &self.pod_name, &self.c, f)
    }

    /// The grace period a stop gives: the deletion's (`deletionGracePeriodSeconds`, which
    /// `kubectl delete --grace-period` sets) while the pod is Terminating, else the pod's.
    fn grace(&self) -> Duration {
        let current = self
            .k
            .store
            .get(&crate::resources::POD, &self.ns, &self.pod_name);
        let deletion = current
            .ok()
            .filter(|p| p["metadata"]["uid"] == self.uid.as_str())
            .and_then(|p| p["metadata"]["deletionGracePeriodSeconds"].as_u64());
        self.k
            .scaled(Duration::from_secs(deletion.unwrap_or_else(|| {
                self.pod["spec"]["terminationGracePeriodSeconds"]
                    .as_u64()
                    .unwrap_or(30)
            })))
    }

    fn container_id(&self) -> String {
        format!(
            "kubesim://{}-{}",
            &self.uid[..8.min(self.uid.len())],
            self.restarts
        )
    }

    /// The kubelet's events for an image it has: under `imagePullPolicy: Always` it pulls
    /// (`Pulling`, then `Successfully pulled … in …`), otherwise the image is already there.
    fn pulled_events(&self, image: &super::images::Image) {
        let p = self.k.store.get(&POD, &self.ns, &self.pod_name).ok();
        let name = &self.image;
        if self.c["imagePullPolicy"] != "Always" {
            let msg = format!("Container image \"{name}\" already present on machine");
            self.record(&p, Kind::Normal, "Pulled", &msg);
            return;
        }
        let started = Instant::now();
        self.record(
            &p,
            Kind::Normal,
            "Pulling",
            &format!("Pulling image \"{name}\""),
        );
        let size = std::fs::metadata(&image.program).map_or(0, |m| m.len());
        let took = go_duration(started.elapsed());
        let msg = format!(
            "Successfully pulled image \"{name}\" in {took} ({took} including waiting). Image size: {size} bytes."
        );
        self.record(&p, Kind::Normal, "Pulled", &msg);
    }

    /// The image's program, or the pull errors and back-offs a node shows for an image it
    /// cannot get.
    async fn pull(&mut self, stop: &mut watch::Receiver<bool>) -> Next<super::images::Image> {
        if let Some(image) = self.k.images.resolve(&self.image) {
            if !self.pulled {
                self.pulled = true;
                self.pulled_events(&image);
            }
            return Next::Go(image);
        }
        let image = self.image.clone();
        let never = self.c["imagePullPolicy"] == "Never";
        let (reason, msg) = if never {
            (
                "ErrImageNeverPull",
                format!("Container image \"{image}\" is not present with pull policy of Never"),
            )
        } else {
            ("ErrImagePull", {
                let full = super::images::full_reference(&image);
                format!(
                    "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
                )
            })
        };
        let p = self
            .set_status(|s| s["state"] = json!({"waiting": {"reason": reason, "message": msg}}));
        if !never {
            self.record(
                &p,
                Kind::Normal,
                "Pulling",
                &format!("Pulling image \"{image}\""),
            );
        }
        self.record(&p, Kind::Warning, "Failed", &msg);
        self.record(&p, Kind::Warning, "Failed", &format!("Error: {reason}"));
        if self.k.sleep_or_stop(self.backoff, stop).await {
            return Next::Stop;
        }
        if !never {
            let back_off = format!("Back-off pulling image \"{image}\"");
            let p = self.set_status(|s| {
                s["state"] = json!({"waiting": {"reason": "ImagePullBackOff", "message": back_off}})
            });
            self.record(&p, Kind::Normal, "BackOff", &back_off);
            self.record(&p, Kind::Warning, "Failed", "Error: ImagePullBackOff");
            if self.k.sleep_or_stop(self.backoff, stop).await {
                return Next::Stop;
            }
        }
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        Next::Retry
    }

    /// The process environment: the container's (ConfigMaps and Secrets resolved), the
    /// port it is given, the service proxy, the host's PATH.
    async fn environment(
        &mut self,
        stop: &mut watch::Receiver<bool>,
    ) -> Next<Vec<(String, String)>> {
        let mut envs = match env::resolve(&self.k.store, &self.ns, &self.c) {
            Ok(e) => e,
            Err(msg) => {
                let p = self.set_status(|s| {
                    s["state"] =
                        json!({"waiting": {"reason": "CreateContainerConfigError", "message": msg}})
                });
                self.record(&p, Kind::Warning, "Failed", &format!("Error: {msg}"));
                if self.k.sleep_or_stop(Duration::from_secs(2), stop).await {
                    return Next::Stop;
                }
                return Next::Retry;
            }
        };
        // Without a network of its own the program must listen where it was put.
        if let Some((_, host)) = self.ports.first().filter(|_| self.net.is_none()) {
            envs.retain(|(key, _)| key != "PORT");
            envs.push(("PORT".into(), host.to_string()));
        }
        let proxy = if self.k.proxy_url.is_empty() {
            String::new()
        } else {
            crate::service_proxy::url_for_pod(&self.k.proxy_url, &self.uid)
        };
        // What the kubelet tells every container about the API server (its Service), so
        // in-cluster clients find it.
        if let Some(api) = &self.k.api {
            let port = api.port.to_string();
            for (key, v) in [
                ("KUBERNETES_SERVICE_HOST", api.host.clone()),
                ("KUBERNETES_SERVICE_PORT", port.clone()),
                ("KUBERNETES_SERVICE_PORT_HTTPS", port.clone()),
                ("KUBERNETES_PORT", format!("tcp://{}:{port}", api.host)),
            ] {
                if !envs.iter().any(|(e, _)| e == key) {
                    envs.push((key.into(), v));
                }
            }
        }
        for (key, v) in [
            ("HTTP_PROXY", proxy.clone()),
            ("http_proxy", proxy),
            ("NO_PROXY", "127.0.0.1,localhost".into()),
            ("no_proxy", "127.0.0.1,localhost".into()),
            ("HOSTNAME", self.pod_name.clone()),
        ] {
            if !v.is_empty() && !envs.iter().any(|(e, _)| e == key) {
                envs.push((key.to_string(), v));
            }
        }
        if let Ok(path) = std::env::var("PATH") {
            envs.push(("PATH".into(), path));
        }
        Next::Go(envs)
    }

    /// The pod's volumes set up and this container's filesystem planned (None: it runs
    /// on this machine's filesystem as is), or the kubelet's FailedMount and a retry.
    async fn volumes(
        &mut self,
        image: &super::images::Image,
        stop: &mut watch::Receiver<bool>,
    ) -> Next<Option<Arc<Sandbox>>> {
        let pod_dir = self.k.pod_dir(&self.uid);
        let container_dir = pod_dir.join("containers").join(&self.name);
        let issue =
            |ns: &str, account: &str, seconds: i64| self.k.issue_token(ns, account, seconds);
        let planned = volumes::materialise(&self.k.store, &self.pod, &pod_dir, &issue)
            .map_err(|f| f.to_string())
            .and_then(|vols| {
                // The image's own files first: the pod's volumes may cover them.
                let mut mounts = match image.layer {
                    Some(layer) => volumes::image_layer(layer, &container_dir.join("image"))
                        .map_err(|e| format!("MountVolume.SetUp failed: {e}"))?,
                    None => Vec::new(),
                };
                mounts.extend(vols.mounts_for(&self.c));
                if let Some(net) = &self.net {
                    mounts.extend(
                        volumes::network_files(&self.pod, net.ip, &pod_dir)
                            .map_err(|e| format!("MountVolume.SetUp failed: {e}"))?,
                    );
                }
                let working_dir = self.c["workingDir"].as_str();
                let plain = mounts.is_empty()
                    && image.absent.is_empty()
                    && working_dir.is_none()
                    && self.net.is_none();
                if plain || !sandbox::available() {
                    return Ok(None);
                }
                Sandbox::plan(
                    &container_dir.join("fs"),
                    &mounts,
                    &image.absent,
                    working_dir,
                    self.net.clone(),
                    &self.pod_name,
                )
                .map(|s| Some(Arc::new(s)))
                .map_err(|e| {
                    format!(
                        "MountVolume.SetUp failed for container \"{}\" : {e}",
                        self.name
                    )
                })
            });
        match planned {
            Ok(s) => Next::Go(s),
            Err(msg) => {
                let p = self.set_status(|s| {
                    s["state"] = json!({"waiting": {"reason": "ContainerCreating"}})
                });
                self.record(&p, Kind::Warning, "FailedMount", &msg);
                if self.k.sleep_or_stop(Duration::from_secs(2), stop).await {
                    return Next::Stop;
                }
                Next::Retry
            }
        }
    }

    /// Starts the process with its logs captured, and marks the container running.
    async fn start(
        &mut self,
        image: &super::images::Image,
        envs: &[(String, String)],
        sandbox: Option<Arc<Sandbox>>,
        stop: &mut watch::Receiver<bool>,
    ) -> Next<Running> {
        let log = self.k.logs.next_file(&self.ns, &self.pod_name, &self.name);
        let workdir = match &sandbox {
            Some(s) => std::path::PathBuf::from(&s.workdir),
            None => self.k.workdir.clone(),
        };
        let program = image.program.as_path();
        let started = entrypoint::resolve(image, &self.c, envs).and_then(|e| {
            process::spawn(
                &e.program,
                &e.argv0,
                &e.args,
                envs,
                &workdir,
                sandbox.clone(),
                self.c["stdin"] == true,
            )
            .map_err(|err| format!("exec: \"{}\": {err}", e.argv0))
        });
        let mut child = match started {
            Ok(ch) => ch,
            Err(why) => {
                let msg = format!(
                    "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: {why}: unknown"
                );
                let p = self.set_status(|s| {
                    s["state"] = json!({"waiting": {"reason": "RunContainerError", "message": msg}})
                });
                self.record(&p, Kind::Warning, "Failed", &format!("Error: {msg}"));
                if self.k.sleep_or_stop(self.backoff, stop).await {
                    return Next::Stop;
                }
                return Next::Retry;
            }
        };
        let attach = Arc::new(super::exec::Attachable::new(
            child.stdin.take(),
            self.c["stdinOnce"] == true,
        ));
        let mut output = Vec::new();
        if let Some(out) = child.stdout.take() {
            let (path, tee) = (log.clone(), attach.output.clone());
            output.push(tokio::spawn(async move {
                logs::capture(out, &path, Some((1, tee))).await
            }));
        }
        if let Some(err) = child.stderr.take() {
            let (path, tee) = (log.clone(), attach.output.clone());
            output.push(tokio::spawn(async move {
                logs::capture(err, &path, Some((2, tee))).await
            }));
        }
        let pid = child.id().unwrap_or(0);
        self.k.running.started(
            &self.ns,
            &self.pod_name,
            &self.name,
            super::exec::ExecTarget {
                pid,
                sandbox,
                env: envs.to_vec(),
                workdir,
                attach,
                toolbox: image.toolbox.clone(),
            },
        );
        let running = Running {
            pid,
            group: process::ProcessGroup(pid),
            output,
            child,
            started_at: meta::now(),
            started: Instant::now(),
            readiness: probe_of(&self.k, &self.c, "readinessProbe"),
            liveness: probe_of(&self.k, &self.c, "livenessProbe"),
            startup: probe_of(&self.k, &self.c, "startupProbe"),
        };
        let (restarts, container_id) = (self.restarts, self.container_id());
        let p = self.set_status(|s| {
            s["state"] = json!({"running": {"startedAt": running.started_at}});
            // With a startup probe, started only once it has succeeded.
            s["started"] = json!(!self.c["startupProbe"].is_object());
            // Ready only once the kubelet has seen it running (see `supervise`).
            s["ready"] = json!(false);
            s["restartCount"] = json!(restarts);
            s["containerID"] = json!(container_id);
            s["imageID"] = json!(format!("kubesim://{}", program.display()));
        });
        let name = &self.name;
        self.record(
            &p,
            Kind::Normal,
            "Created",
            &format!("Created container: {name}"),
        );
        self.record(
            &p,
            Kind::Normal,
            "Started",
            &format!("Started container {name}"),
        );
        Next::Go(running)
    }

    /// Watches the running process until it exits, is OOM-killed, is killed for its
    /// liveness probe, or the pod goes away; readiness follows the readiness probe.
    async fn supervise(&self, mut r: Running, stop: &mut watch::Receiver<bool>) -> Exit {
        let limit = self.c["resources"]["limits"]["memory"]
            .as_str()
            .and_then(bytes);
        // Without a readiness probe a container is Ready once the kubelet's next status sync
        // sees it running (about a second on a node): one that crashes at start never is,
        // so `kubectl wait --for=condition=Ready` does not pass on a crash loop.
        let mut ready = false;
        // Liveness and readiness probes (and readiness without one) wait for the startup
        // probe to succeed, as the kubelet's do.
        let mut next_start = r.startup.as_ref().map(|p| Instant::now() + p.initial_delay);
        let mut start_fail = 0u32;
        let started_probes = |ready_after: &mut Option<Instant>,
                              next_ready: &mut Option<Instant>,
                              next_live: &mut Option<Instant>,
                              r: &Running| {
            let now = Instant::now();
            *ready_after = (r.readiness.is_none())
                .then(|| now + self.k.scaled(STATUS_SYNC).max(Duration::from_millis(50)));
            *next_ready = r
                .readiness
                .as_ref()
                .map(|p| now.max(r.started + p.initial_delay));
            *next_live = r
                .liveness
                .as_ref()
                .map(|p| now.max(r.started + p.initial_delay));
        };
        let (mut ready_after, mut next_ready, mut next_live) = (None, None, None);
        if next_start.is_none() {
            started_probes(&mut ready_after, &mut next_ready, &mut next_live, &r);
        }
        let (mut ready_fail, mut live_fail) = (0u32, 0u32);
        let tick = Duration::from_millis(50);
        loop {
            if let Some(limit) = limit
                && process::rss_bytes(r.pid).is_some_and(|rss| rss > limit)
            {
                let _ = r.child.kill().await;
                return Exit::Code(137, "OOMKilled");
            }
            let now = Instant::now();
            if !ready && ready_after.is_some_and(|at| now >= at) {
                ready = true;
                self.set_status(|s| s["ready"] = json!(true));
            }
            if let (Some(p), Some(at)) = (&r.startup, next_start)
                && now >= at
            {
                next_start = Some(now + p.period);
                match self.probe(p).await {
                    Ok(()) => {
                        next_start = None;
                        self.set_status(|s| s["started"] = json!(true));
                        started_probes(&mut ready_after, &mut next_ready, &mut next_live, &r);
                    }
                    Err(msg) => {
                        start_fail += 1;
                        let pod_now = self.k.store.get(&POD, &self.ns, &self.pod_name).ok();
                        let text = format!("Startup probe failed: {msg}");
                        self.record(&pod_now, Kind::Warning, "Unhealthy", &text);
                        if start_fail >= p.failures {
                            return self.kill_for_probe(&mut r, "startup").await;
                        }
                    }
                }
            }
            if let (Some(p), Some(at)) = (&r.readiness, next_ready)
                && now >= at
            {
                next_ready = Some(now + p.period);
                self.probe_readiness(p, &mut ready, &mut ready_fail).await;
            }
            if let (Some(p), Some(at)) = (&r.liveness, next_live)
                && now >= at
            {
                next_live = Some(now + p.period);
                if self.probe_liveness(p, &mut live_fail).await {
                    return self.kill_for_probe(&mut r, "liveness").await;
                }
            }
            tokio::select! {
                w = r.child.wait() => {
                    r.output_written().await;
                    return exit_of(w);
                }
                _ = stop.changed() => {
                    self.stop_gracefully(&mut r).await;
                    return Exit::Stopped;
                }
                _ = tokio::time::sleep(tick) => {}
            }
        }
    }

    /// Runs a probe once (an exec probe inside this container).
    async fn probe(&self, p: &Probe) -> Result<(), String> {
        let target = self.k.running.get(&self.ns, &self.pod_name, &self.name);
        probe::run(&p.action, p.timeout, target.as_ref(), &self.dial).await
    }

    /// One readiness probe: Ready after a success, unready after `failureThreshold` failures.
    async fn probe_readiness(&self, p: &Probe, ready: &mut bool, failures: &mut u32) {
        match self.probe(p).await {
            Ok(()) => {
                *failures = 0;
                if !*ready {
                    *ready = true;
                    self.set_status(|s| s["ready"] = json!(true));
                }
            }
            Err(msg) => {
                *failures += 1;
                let pod_now = self.k.store.get(&POD, &self.ns, &self.pod_name).ok();
                let text = format!("Readiness probe failed: {msg}");
                self.record(&pod_now, Kind::Warning, "Unhealthy", &text);
                if *ready && *failures >= p.failures {
                    *ready = false;
                    self.set_status(|s| s["ready"] = json!(false));
                }
            }
        }
    }

    /// One liveness probe; whether the container must now be killed.
    async fn probe_liveness(&self, p: &Probe, failures: &mut u32) -> bool {
        match self.probe(p).await {
            Ok(()) => {
                *failures = 0;
                false
            }
            Err(msg) => {
                *failures += 1;
                let pod_now = self.k.store.get(&POD, &self.ns, &self.pod_name).ok();
                let text = format!("Liveness probe failed: {msg}");
                self.record(&pod_now, Kind::Warning, "Unhealthy", &text);
                *failures >= p.failures
            }
        }
    }

    /// Stops the container for its liveness or startup probe: SIGTERM, then SIGKILL after
    /// the grace period, as the kubelet does.
    async fn kill_for_probe(&self, r: &mut Running, which: &str) -> Exit {
        let pod_now = self.k.store.get(&POD, &self.ns, &self.pod_name).ok();
        let msg = format!(
            "Container {} failed {which} probe, will be restarted",
            self.name
        );
        self.record(&pod_now, Kind::Normal, "Killing", &msg);
        let code = self.stop_gracefully(r).await.unwrap_or(137);
        Exit::Code(code, "Error")
    }

    /// Stops the process as the kubelet does: the `preStop` sleep hook first (the process
    /// still runs and serves), then SIGTERM, then SIGKILL when the grace period, counted
    /// from the start of the hook, has run out. The exit code, or None after SIGKILL.
    async fn stop_gracefully(&self, r: &mut Running) -> Option<i32> {
        let grace = self.grace();
        let deadline = Instant::now() + grace;
        let hook = self.pre_stop_sleep().min(grace);
        if !hook.is_zero()
            && let Ok(w) = tokio::time::timeout(hook, r.child.wait()).await
        {
            return w.ok().map(|st| st.code().unwrap_or(143));
        }
        process::terminate(r.pid);
        // The kubelet gives the process at least 2 s after a hook that used up the grace.
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(self.k.scaled(Duration::from_secs(2)));
        match tokio::time::timeout(left, r.child.wait()).await {
            Ok(Ok(st)) => Some(st.code().unwrap_or(143)),
            _ => {
                let _ = r.child.kill().await;
                None
            }
        }
    }

    /// `lifecycle.preStop.sleep.seconds`, scaled by the time scale; zero without one.
    fn pre_stop_sleep(&self) -> Duration {
        self.c["lifecycle"]["preStop"]["sleep"]["seconds"]
            .as_u64()
            .map_or(Duration::ZERO, |s| self.k.scaled(Duration::from_secs(s)))
    }

    /// After an exit: terminated for good under the restart policy, else CrashLoopBackOff
    /// for the current back-off (reset after ten minutes of running). Whether to start again.
    async fn restart_after(
        &mut self,
        code: i32,
        reason: &str,
        started_at: &str,
        started: Instant,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        let finished = meta::now();
        let terminated = json!({"exitCode": code, "reason": reason, "startedAt": started_at, "finishedAt": finished, "containerID": self.container_id()});
        let policy = self.pod["spec"]["restartPolicy"]
            .as_str()
            .unwrap_or("Always");
        // An init container that succeeded is done; one that failed is retried unless the
        // pod never restarts anything.
        let done = match self.role {
            Role::Init => code == 0 || policy == "Never",
            Role::Main => policy == "Never" || (policy == "OnFailure" && code == 0),
        };
        if done {
            self.set_status(|s| {
                s["state"] = json!({"terminated": terminated});
                s["ready"] = json!(false);
                s["started"] = json!(false);
            });
            return false;
        }
        self.restarts += 1;
        if started.elapsed() > Duration::from_secs(600) {
            self.backoff = BACKOFF;
        }
        let (name, pod_name, ns, uid) = (&self.name, &self.pod_name, &self.ns, &self.uid);
        let msg = format!(
            "back-off {}s restarting failed container={name} pod={pod_name}_{ns}({uid})",
            self.backoff.as_secs()
        );
        let event =
            format!("Back-off restarting failed container {name} in pod {pod_name}_{ns}({uid})");
        let restarts = self.restarts;
        let p = self.set_status(|s| {
            s["lastState"] = json!({"terminated": terminated});
            s["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": msg}});
            s["ready"] = json!(false);
            s["started"] = json!(false);
            s["restartCount"] = json!(restarts);
        });
        self.record(&p, Kind::Warning, "BackOff", &event);
        if self.k.sleep_or_stop(self.backoff, stop).await {
            return false;
        }
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        true
    }
}

/// How a process that exited on its own ended, as the kubelet reports it.
fn exit_of(wait: std::io::Result<std::process::ExitStatus>) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match wait {
        Ok(st) => match (st.code(), st.signal()) {
            (Some(0), _) => Exit::Code(0, "Completed"),
            (Some(code), _) => Exit::Code(code, "Error"),
            (None, Some(sig)) => Exit::Code(128 + sig, "Error"),
            _ => Exit::Code(1, "Error"),
        },
        Err(_) => Exit::Code(1, "Error"),
    }
}

/// A duration as Go prints one (`1.5s`, `12.345ms`, `850µs`): what the kubelet's messages
/// show.
fn go_duration(d: Duration) -> String {
    let trim = |v: f64, unit: &str| {
        let text = format!("{v:.3}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text}{unit}")
    };
    let nanos = d.as_nanos();
    if nanos < 1_000 {
        format!("{nanos}ns")
    } else if nanos < 1_000_000 {
        trim(nanos as f64 / 1e3, "µs")
    } else if nanos < 1_000_000_000 {
        trim(nanos as f64 / 1e6, "ms")
    } else {
        trim(d.as_secs_f64(), "s")
    }
}
