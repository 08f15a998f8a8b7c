//! What a container runs, driven by the real kubectl against the process runtime: `command`
//! replaces the image's entrypoint, `args` follow it, `$(VAR)` expands from the container's
//! environment, and a command that does not exist fails as a container runtime says it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubesim::kubelet::images::ImageTable;
use support::Kube;

fn pod(name: &str, container: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: py:3.12
    env:
    - {{name: GREETING, value: hello}}
{container}"
    )
}

async fn wait_for(k: &Kube, pod: &str, jsonpath: &str) {
    k.ok(&[
        "wait",
        &format!("pod/{pod}"),
        &format!("--for=jsonpath={jsonpath}"),
        "--timeout=20s",
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_replaces_the_entrypoint_and_args_follow_it() {
    let python = todo_e2e::kubectl::program("python3");
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;

    // Args only: the image's program (python) gets them.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "args",
            "    args: [\"-c\", \"print('args only', '$(GREETING)')\"]\n",
        )),
    )
    .await;
    // A command: a shell instead of python, with the variable expanded and its exit code kept.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "shell",
            "    command: [\"sh\", \"-c\"]\n    args: [\"echo started $(GREETING) $$0; exit 3\"]\n",
        )),
    )
    .await;
    // A command that does not exist.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod("missing", "    command: [\"no-such-program\"]\n")),
    )
    .await;

    wait_for(&k, "args", "{.status.phase}=Succeeded").await;
    assert_eq!(k.ok(&["logs", "args"]).await.trim(), "args only hello");

    wait_for(
        &k,
        "shell",
        "{.status.containerStatuses[0].state.terminated.exitCode}=3",
    )
    .await;
    assert_eq!(k.ok(&["logs", "shell"]).await.trim(), "started hello sh");

    wait_for(
        &k,
        "missing",
        "{.status.containerStatuses[0].state.waiting.reason}=RunContainerError",
    )
    .await;
    let message = k
        .ok(&[
            "get",
            "pod",
            "missing",
            "-o",
            "jsonpath={.status.containerStatuses[0].state.waiting.message}",
        ])
        .await;
    assert!(
        message.contains(
            "unable to start container process: exec: \"no-such-program\": executable file not found in $PATH"
        ),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_loop_is_never_ready_and_a_steady_process_becomes_ready() {
    let python = todo_e2e::kubectl::program("python3");
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;
    let always = |name: &str, script: &str| {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  containers:
  - name: app
    image: py:3.12
    command: [sh, -c, '{script}']
"
        )
    };
    k.ok_stdin(&["apply", "-f", "-"], Some(&always("crashy", "exit 1")))
        .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&always("steady", "exec sleep 3600")),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/steady",
        "--timeout=20s",
    ])
    .await;
    // The crash loop restarts meanwhile, and no restart ever makes it Ready.
    let waited = k
        .run(
            &[
                "wait",
                "--for=condition=Ready",
                "pod/crashy",
                "--timeout=4s",
            ],
            None,
        )
        .await;
    assert!(!waited.status.success(), "{waited:?}");
    assert!(
        String::from_utf8_lossy(&waited.stderr).contains("timed out waiting for the condition"),
        "{waited:?}"
    );
    let restarts = k
        .ok(&[
            "get",
            "pod",
            "crashy",
            "-o",
            "jsonpath={.status.containerStatuses[0].restartCount}",
        ])
        .await;
    assert!(restarts.parse::<u32>().unwrap() >= 1, "{restarts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_exec_and_undeclared_port_probes_behave_as_the_kubelets() {
    let python = todo_e2e::kubectl::program("python3");
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;
    let pod = |name: &str, ports: &str, probe: &str| {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  containers:
  - name: app
    image: py:3.12
    command: [sh, -c, 'touch /tmp/healthy; exec python3 -m http.server 8080']
    {ports}
    {probe}
"
        )
    };
    // No port declared: the port the probe names is where the program listens.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "tcp",
            "",
            "readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}",
        )),
    )
    .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "exec",
            "",
            "readinessProbe: {exec: {command: [cat, /tmp/healthy]}, periodSeconds: 1}",
        )),
    )
    .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "exec-fails",
            "",
            "readinessProbe: {exec: {command: [cat, /tmp/missing]}, periodSeconds: 1}",
        )),
    )
    .await;
    // A declared port, and a liveness probe on another one nothing listens on.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "wrong-port",
            "ports: [{containerPort: 8080}]",
            "livenessProbe: {httpGet: {path: /, port: 9999}, periodSeconds: 1, failureThreshold: 1}",
        )),
    )
    .await;
    for ready in ["tcp", "exec"] {
        k.ok(&[
            "wait",
            "--for=condition=Ready",
            &format!("pod/{ready}"),
            "--timeout=20s",
        ])
        .await;
    }
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.containerStatuses[0].restartCount}=1",
        "pod/wrong-port",
        "--timeout=20s",
    ])
    .await;
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "reason=Unhealthy",
            "-o",
            "jsonpath={range .items[*]}{.involvedObject.name}: {.message}\n{end}",
        ])
        .await;
    assert!(
        events.contains(
            "exec-fails: Readiness probe failed: cat: /tmp/missing: No such file or directory"
        ),
        "{events}"
    );
    // The kubelet probes the pod's address (its own on the cluster network).
    let ip = k
        .ok(&["get", "pod", "wrong-port", "-o", "jsonpath={.status.podIP}"])
        .await;
    assert!(
        events.contains(&format!(
            "wrong-port: Liveness probe failed: Get \"http://{ip}:9999/\": dial tcp {ip}:9999: connect: connection refused"
        )),
        "{events}"
    );
    let ready = k
        .ok(&[
            "get",
            "pod",
            "exec-fails",
            "-o",
            "jsonpath={.status.containerStatuses[0].ready}",
        ])
        .await;
    assert_eq!(ready, "false");
}

/// A startup probe holds the liveness probe back until it succeeds (a slow starter lives),
/// and kills the container itself after `failureThreshold` failures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_startup_probe_holds_liveness_back_and_kills_when_it_fails() {
    let python = todo_e2e::kubectl::program("python3");
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;
    let pod = |name: &str, startup_port: u16| {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  containers:
  - name: app
    image: py:3.12
    command: [sh, -c, 'sleep 3; exec python3 -m http.server 8080']
    livenessProbe: {{tcpSocket: {{port: 8080}}, periodSeconds: 1, failureThreshold: 1}}
    startupProbe: {{tcpSocket: {{port: {startup_port}}}, periodSeconds: 1, failureThreshold: 60}}
"
        )
    };
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("slow", 8080)))
        .await;
    k.ok(&["wait", "--for=condition=Ready", "pod/slow", "--timeout=30s"])
        .await;
    let seen = k
        .ok(&[
            "get",
            "pod",
            "slow",
            "-o",
            "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].started}",
        ])
        .await;
    assert_eq!(seen, "0 true", "the liveness probe waited for the start");
    let mut failing = pod("never", 9999);
    failing = failing.replace("failureThreshold: 60", "failureThreshold: 3");
    k.ok_stdin(&["apply", "-f", "-"], Some(&failing)).await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.containerStatuses[0].restartCount}=1",
        "pod/never",
        "--timeout=30s",
    ])
    .await;
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=never",
            "-o",
            "jsonpath={range .items[*]}{.reason}: {.message}\n{end}",
        ])
        .await;
    assert!(events.contains("Startup probe failed:"), "{events}");
    assert!(
        events.contains("Container app failed startup probe, will be restarted"),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_top_reads_the_processes_usage() {
    let python = todo_e2e::kubectl::program("python3");
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: Pod
metadata: {name: busy, labels: {app: busy}}
spec:
  containers:
  - name: app
    image: py:3.12
    command: [python3, -c, 'import itertools; data = bytearray(range(256)) * 163840; any(sum(range(1000)) < 0 for _ in itertools.count())']
",
        ),
    )
    .await;
    k.ok(&["wait", "--for=condition=Ready", "pod/busy", "--timeout=20s"])
        .await;
    // A busy loop uses a good part of a core (less while other tests load this machine's
    // two); 40 MiB are resident once the program has made its data (Ready comes first).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let top = k.ok(&["top", "pod", "busy", "--no-headers"]).await;
        let cols: Vec<&str> = top.split_whitespace().collect();
        assert_eq!(cols.first(), Some(&"busy"), "{top}");
        let cpu: i64 = cols[1].trim_end_matches('m').parse().unwrap();
        let mem: i64 = cols[2].trim_end_matches("Mi").parse().unwrap();
        if cpu > 100 && mem >= 40 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "kubectl top never showed the busy loop's CPU and memory: {top}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let by_label = k
        .ok(&["top", "pod", "-l", "app=busy", "--no-headers"])
        .await;
    assert!(by_label.starts_with("busy"), "{by_label}");
    let nodes = k.ok(&["top", "node", "--no-headers"]).await;
    assert!(nodes.starts_with("kubesim"), "{nodes}");
}

/// A stock image has only the runtimes its image ships: nginx has no python3, so a shell
/// command running it fails with the shell's "not found" and exit 127, as on a cluster; the
/// python image runs it, and so does a program of this machine mapped with `--image`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_image_lacks_the_runtimes_its_image_does_not_ship() {
    let python = todo_e2e::kubectl::program("python3");
    let mut images = ImageTable::default();
    images.add_stock();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;
    let run = |name: &str, image: &str| {
        format!(
            "apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: {image}
    command: [\"/bin/sh\", \"-c\"]
    args: [\"python3 -c 'print(6 * 7)'\"]
"
        )
    };
    for (name, image) in [
        ("nginx", "nginx:1.27"),
        ("python", "python:3.12"),
        ("mapped", "py:1"),
    ] {
        k.ok_stdin(&["apply", "-f", "-"], Some(&run(name, image)))
            .await;
    }
    wait_for(
        &k,
        "nginx",
        "{.status.containerStatuses[0].state.terminated.exitCode}=127",
    )
    .await;
    let log = k.ok(&["logs", "nginx"]).await;
    assert!(log.contains("python3: not found"), "{log}");
    for name in ["python", "mapped"] {
        wait_for(&k, name, "{.status.phase}=Succeeded").await;
        assert_eq!(k.ok(&["logs", name]).await.trim(), "42", "{name}");
    }
}

/// Whether a process whose command line holds `marker` runs on this machine.
fn running_with(marker: &str) -> bool {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| {
                    String::from_utf8_lossy(&c)
                        .replace('\0', " ")
                        .contains(marker)
                })
                .unwrap_or(false)
        })
}

async fn until_gone(marker: &str, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while running_with(marker) {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: `{marker}` still runs"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A container's processes end with it, as a runtime tears down the container's PID
/// namespace: what its shell started in the background dies when the pod is deleted, and
/// when kubesim stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_container_started_ends_with_it() {
    let mut images = ImageTable::default();
    images.add_stock();
    let k = Kube::processes(images, 10.0).await;
    let pod = |name: &str, seconds: u32| {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'sleep {seconds} & sleep {seconds} & wait']
"
        )
    };
    for (name, seconds) in [("deleted", 4301), ("stopped", 4302)] {
        k.ok_stdin(&["apply", "-f", "-"], Some(&pod(name, seconds)))
            .await;
        k.ok(&[
            "wait",
            "--for=condition=Ready",
            &format!("pod/{name}"),
            "--timeout=20s",
        ])
        .await;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !(running_with("sleep 4301") && running_with("sleep 4302")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the background sleeps never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    k.ok(&["delete", "pod", "deleted"]).await;
    until_gone("sleep 4301", "after the pod was deleted").await;
    assert!(
        running_with("sleep 4302"),
        "the other pod's processes are untouched"
    );
    k.sim.stop().await;
    until_gone("sleep 4302", "after kubesim stopped").await;
}

/// A Deployment whose program hears SIGTERM and keeps going (so only SIGKILL, at the end of
/// its 30 s grace period — 3 s at time scale 10 — stops it), behind a Service.
const STUBBORN: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: stubborn}
spec:
  replicas: 1
  selector: {matchLabels: {app: stubborn}}
  template:
    metadata: {labels: {app: stubborn}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: app
        image: busybox
        command: [sh, -c, \"trap 'echo heard TERM' TERM; echo started; while true; do sleep 0.1; done\"]
        readinessProbe: {exec: {command: ['true']}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: stubborn}
spec: {selector: {app: stubborn}, ports: [{port: 80}]}
";

/// The one pod of the Deployment that is not Terminating.
async fn live_pod(k: &Kube) -> String {
    let pods = k
        .json(&["get", "pods", "-l", "app=stubborn", "-o", "json"])
        .await;
    pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .expect("a live pod")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_terminates_for_its_grace_period_out_of_its_endpoints() {
    let mut images = ImageTable::default();
    images.add_stock();
    let k = Kube::processes(images, 10.0).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(STUBBORN)).await;
    k.ok(&[
        "wait",
        "--for=condition=Available",
        "deploy/stubborn",
        "--timeout=30s",
    ])
    .await;
    let old = live_pod(&k).await;
    k.ok(&[
        "wait",
        &format!("--for=jsonpath={{.subsets[0].addresses[0].targetRef.name}}={old}"),
        "endpoints/stubborn",
        "--timeout=10s",
    ])
    .await;
    let deleted = k.ok(&["delete", "pod", &old, "--wait=false"]).await;
    assert!(deleted.contains("deleted"), "{deleted}");
    // Still there, Terminating, with the deletion's grace period …
    let table = k.ok(&["get", "pod", &old]).await;
    assert!(table.contains("Terminating"), "{table}");
    let pod = k.json(&["get", "pod", &old, "-o", "json"]).await;
    assert_eq!(pod["metadata"]["deletionGracePeriodSeconds"], 30);
    assert!(pod["metadata"]["deletionTimestamp"].is_string());
    // … heard SIGTERM, out of the Endpoints, and marked terminating in its EndpointSlice,
    // while the ReplicaSet's replacement is already on its way.
    let mut heard = String::new();
    for _ in 0..80 {
        heard = k
            .run(&["logs", &old], None)
            .await
            .stdout
            .iter()
            .map(|&b| b as char)
            .collect();
        if heard.contains("heard TERM") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(heard.contains("heard TERM"), "{heard}");
    let endpoints = k
        .json(&["get", "endpoints", "stubborn", "-o", "json"])
        .await;
    let listed = endpoints.to_string();
    assert!(
        !listed.contains(&old),
        "a terminating pod left in the Endpoints: {listed}"
    );
    let slices = k
        .json(&[
            "get",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=stubborn",
            "-o",
            "json",
        ])
        .await;
    let terminating = slices["items"][0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["targetRef"]["name"] == old.as_str())
        .map(|e| e["conditions"].clone());
    assert_eq!(
        terminating,
        Some(serde_json::json!({"ready": false, "serving": true, "terminating": true}))
    );
    let names = k
        .ok(&["get", "pods", "-l", "app=stubborn", "-o", "name"])
        .await;
    assert_eq!(names.lines().count(), 2, "{names}");
    // SIGKILL ends it when the grace period has run out; then it is gone.
    k.ok(&[
        "wait",
        "--for=delete",
        &format!("pod/{old}"),
        "--timeout=30s",
    ])
    .await;
    // A forced deletion takes the replacement at once.
    let new = live_pod(&k).await;
    k.ok(&["delete", "pod", &new, "--force", "--grace-period=0"])
        .await;
    let gone = k.run(&["get", "pod", &new], None).await;
    assert!(
        String::from_utf8_lossy(&gone.stderr).contains("NotFound"),
        "{gone:?}"
    );
}
