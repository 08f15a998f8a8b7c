//! What `kubectl exec` needs from the kubelet: the containers running now, each with its
//! process, filesystem and environment, so a command can join it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::sandbox::{Joined, Sandbox};

/// Output as attached clients receive it: (channel: 1 stdout, 2 stderr; the bytes).
pub type OutputChunk = (u8, Vec<u8>);

/// Where a container's output goes to attached clients.
pub type OutputTee = tokio::sync::broadcast::Sender<OutputChunk>;

/// What `kubectl attach` joins: the container's own stdin (when its spec asks for one),
/// its output as it is written, and its end.
pub struct Attachable {
    /// The process's stdin, while open (`stdin: true`; closed after the first attach ends
    /// when `stdinOnce`).
    pub stdin: tokio::sync::Mutex<Option<tokio::process::ChildStdin>>,
    /// Whether the first attach to close stdin closes it for good.
    pub stdin_once: bool,
    /// Each chunk of output as written.
    pub output: OutputTee,
    /// The exit code, once the process has ended.
    pub ended: tokio::sync::watch::Sender<Option<i32>>,
}

impl Attachable {
    /// A container's attach point: `stdin` when the spec keeps one open.
    pub fn new(stdin: Option<tokio::process::ChildStdin>, stdin_once: bool) -> Self {
        Self {
            stdin: tokio::sync::Mutex::new(stdin),
            stdin_once,
            output: tokio::sync::broadcast::channel(256).0,
            ended: tokio::sync::watch::channel(None).0,
        }
    }
}

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
    /// Its stdin, output and end, for `kubectl attach`.
    pub attach: Arc<Attachable>,
    /// Its image's toolbox (busybox), whose applets its small commands are.
    pub toolbox: Option<PathBuf>,
}

impl ExecTarget {
    /// Starts `argv` inside the container.
    pub fn spawn(&self, argv: &[String]) -> std::io::Result<tokio::process::Child> {
        let join = match &self.sandbox {
            Some(s) => Some(Arc::new(Joined::open(self.pid, s)?)),
            None => None,
        };
        let (first, rest) = argv
            .split_first()
            .ok_or_else(|| std::io::Error::other("no command given"))?;
        let applet = self
            .toolbox
            .as_deref()
            .and_then(|tb| super::toolbox::applet(tb, first).map(|a| (tb, a)));
        let (program, argv0) = match applet {
            Some((tb, a)) => (tb, Some(a)),
            None => (std::path::Path::new(first), None),
        };
        super::process::spawn_exec(program, argv0, rest, &self.env, &self.workdir, join)
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

    /// A container's process ended, with its exit code (None: stopped by the kubelet).
    pub fn ended(&self, ns: &str, pod: &str, container: &str, code: Option<i32>) {
        if let Ok(mut m) = self.by_name.lock()
            && let Some(t) = m.remove(&Self::key(ns, pod, container))
        {
            let _ = t.attach.ended.send(Some(code.unwrap_or(137)));
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
