//! Starting and signalling container processes. Every child dies with kubesim
//! (PR_SET_PDEATHSIG), so none outlives it, even after a crash.
#![allow(unsafe_code)]

use std::path::Path;
use std::process::Stdio;

use tokio::process::{Child, Command};

/// Starts `program` (named `argv0` to itself) with `args` and exactly `env`, output piped,
/// in its own process group.
pub fn spawn(
    program: &Path,
    argv0: &str,
    args: &[String],
    env: &[(String, String)],
    workdir: &Path,
) -> std::io::Result<Child> {
    let mut cmd = Command::new(program);
    cmd.arg0(argv0)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(workdir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    // SAFETY: prctl and getppid are async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() == 1 {
                return Err(std::io::Error::other(
                    "kubesim exited while starting a container",
                ));
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Sends SIGTERM (graceful stop); whether a process got it. The one place todo-ops and
/// kubesim signal a process.
pub fn terminate(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) takes no pointers; a stale pid at worst gets ESRCH. Pids 0 and -1
    // (a process group, every process) are never meant here.
    pid > 0 && unsafe { libc::kill(pid, libc::SIGTERM) } == 0
}

/// Resident memory of a process in bytes, from /proc.
pub fn rss_bytes(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: i64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}
