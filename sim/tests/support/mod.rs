//! The harness of the kubectl tests: a kubesim on loopback and the real kubectl against it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // Each test file uses a part.

use std::path::PathBuf;
use std::process::{Command, Output};

use kubesim::server::{RunningSim, SimConfig};
use serde_json::Value;

/// A running kubesim and the kubeconfig that reaches it.
pub struct Kube {
    pub sim: RunningSim,
    pub kubeconfig: PathBuf,
}

impl Kube {
    pub async fn start() -> Self {
        Self::start_with(SimConfig::default()).await
    }

    /// A kubesim whose pods run as processes of `images`, with delays shortened `time_scale`
    /// times.
    pub async fn processes(images: kubesim::kubelet::images::ImageTable, time_scale: f64) -> Self {
        Self::start_with(SimConfig {
            controllers: kubesim::controllers::ControllerConfig {
                time_scale,
                runtime: kubesim::controllers::PodRuntime::Processes,
                ..Default::default()
            },
            images,
            ..SimConfig::default()
        })
        .await
    }

    /// A kubesim with these settings.
    pub async fn start_with(cfg: SimConfig) -> Self {
        let sim = RunningSim::start(cfg).await.unwrap();
        let kubeconfig = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("kubeconfig-{}", sim.addr.port()));
        sim.write_kubeconfig(&kubeconfig).unwrap();
        Self { sim, kubeconfig }
    }

    /// Runs kubectl off the async runtime; returns the output whatever the exit status.
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new("kubectl");
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env_remove("KUBECONFIG");
        let stdin = stdin.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            use std::process::Stdio;
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().expect("kubectl must be installed");
            if let Some(input) = stdin {
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
            }
            drop(child.stdin.take());
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    pub async fn ok(&self, args: &[&str]) -> String {
        self.ok_stdin(args, None).await
    }

    pub async fn ok_stdin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin).await;
        assert!(
            out.status.success(),
            "kubectl {} failed:\nstdout: {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub async fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&a).await).unwrap()
    }
}
