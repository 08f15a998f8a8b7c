//! Real clients for the tests: programs found on PATH, and `kubectl port-forward` started and
//! asked where it listens.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The path of `name` on PATH; panics naming the program a test needs.
pub fn program(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} must be on PATH for this test"))
}

/// Starts `kubectl port-forward TARGET 0:REMOTE` and returns it with the local port it
/// listens on, or kubectl's error output when it never said. Blocks until kubectl answers.
pub fn port_forward(kubeconfig: &Path, target: &str, remote: u16) -> Result<(Child, u16), String> {
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["port-forward", target, &format!("0:{remote}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run kubectl: {e}"))?;
    let stdout = child.stdout.take().ok_or("kubectl has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    // "Forwarding from 127.0.0.1:41234 -> 8000"
    let port = lines.find_map(|l| {
        l.ok()?
            .strip_prefix("Forwarding from 127.0.0.1:")?
            .split_whitespace()
            .next()?
            .parse::<u16>()
            .ok()
    });
    match port {
        Some(port) => {
            // kubectl goes on writing ("Handling connection for …"): keep its pipe open.
            std::thread::spawn(move || lines.for_each(drop));
            Ok((child, port))
        }
        None => {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            let _ = child.wait();
            Err(format!(
                "kubectl port-forward {target} did not start: {err}"
            ))
        }
    }
}
