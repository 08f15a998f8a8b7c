//! What `kubectl exec` needs from the kubelet: the containers running now, each with its
//! process, filesystem and environment, so a command can join it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::sandbox::{Joined, Sandbox};

/// A running container a command can be started in.
#[derive(Clone)]
pub struct ExecTarget {
    /// Its process.
    pub pid: u32,
    /// Its filesystem, when it has its own.
    pub sandbox: Option<Arc<Sandbox>>,
    /// Its environment.
    pub env: Vec<(String, String)>,
    /// Where its process runs (without a sandbox).
    pub workdir: PathBuf,
}

impl ExecTarget {
    /// Starts `argv` inside the container.
    pub fn spawn(&self, argv: &[String]) -> std::io::Result<tokio::process::Child> {
        let join = match &self.sandbox {
            Some(s) => Some(Arc::new(Joined::open(self.pid, s)?)),
            None => None,
        };
        super::process::spawn_exec(argv, &self.env, &self.workdir, join)
    }
}

/// (namespace, pod, container) → the running container.
#[derive(Default)]
pub struct Running {
    by_name: Mutex<HashMap<(String, String, String), ExecTarget>>,
}

impl Running {
    fn key(ns: &str, pod: &str, container: &str) -> (String, String, String) {
        (ns.to_string(), pod.to_string(), container.to_string())
    }

    /// A container started.
    pub fn started(&self, ns: &str, pod: &str, container: &str, target: ExecTarget) {
        if let Ok(mut m) = self.by_name.lock() {
            m.insert(Self::key(ns, pod, container), target);
        }
    }

    /// A container's process ended.
    pub fn ended(&self, ns: &str, pod: &str, container: &str) {
        if let Ok(mut m) = self.by_name.lock() {
            m.remove(&Self::key(ns, pod, container));
        }
    }

    /// The container, if it is running.
    pub fn get(&self, ns: &str, pod: &str, container: &str) -> Option<ExecTarget> {
        self.by_name
            .lock()
            .ok()?
            .get(&Self::key(ns, pod, container))
            .cloned()
    }
}
