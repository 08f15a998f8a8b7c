//! Network devices, addresses and routes are set with iproute2's `ip`, run inside the
//! namespace they concern.
#![allow(unsafe_code)]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use super::netns::NetNs;

/// Why the network could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// `ip` could not be run.
    #[error("cannot run `ip` (iproute2) to set up the pod network: {0}; install iproute2")]
    Spawn(std::io::Error),
    /// `ip` refused a command.
    #[error("setting up the pod network failed: `ip {command}`: {message}")]
    Refused {
        /// The batch of commands.
        command: String,
        /// What `ip` said.
        message: String,
    },
    /// A namespace or socket could not be made.
    #[error("setting up the pod network failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs `commands` (one `ip` command each, without the `ip`) in `ns`, stopping at the first
/// failure.
pub fn batch(ns: &NetNs, commands: &[String]) -> Result<(), NetworkError> {
    let text = commands.join("\n") + "\n";
    let out = run_in(ns, "ip", &["-batch", "-"], &text).map_err(NetworkError::Spawn)?;
    if out.status.success() {
        return Ok(());
    }
    Err(NetworkError::Refused {
        command: commands.join("; "),
        message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

/// Runs `program args` inside `ns` with `input` on its stdin; its exit status and stderr.
/// Err only when it could not be run.
pub fn run_in(
    ns: &NetNs,
    program: &str,
    args: &[&str],
    input: &str,
) -> std::io::Result<std::process::Output> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let fd = ns.raw_fd();
    // SAFETY: setns(2) on an fd open for the parent's lifetime; async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes())?;
    }
    child.wait_with_output()
}
