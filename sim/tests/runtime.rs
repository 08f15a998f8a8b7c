//! What a container runs, driven by the real kubectl against the process runtime: `command`
//! replaces the image's entrypoint, `args` follow it, `$(VAR)` expands from the container's
//! environment, and a command that does not exist fails as a container runtime says it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::server::SimConfig;
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
    let k = Kube::start_with(SimConfig {
        controllers: ControllerConfig {
            time_scale: 10.0,
            runtime: PodRuntime::Processes,
        },
        images,
        ..SimConfig::default()
    })
    .await;

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
