//! Starting and signalling container processes. Every child dies with kubesim
//! (PR_SET_PDEATHSIG), so none outlives it, even after a crash.
#![allow(unsafe_code)]

use std::path::Path;
use std::process::Stdio;

use tokio::process::{Child, Command};

/// A command with exactly `env`, stdout and stderr piped, its own process group, killed
/// when dropped; in `workdir` unless its sandbox chooses the directory.
fn command(path: &Path, env: &[(String, String)], workdir: Option<&Path>, stdin: Stdio) -> Command {
    let mut cmd = Command::new(path);
    cmd.env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    if let Some(dir) = workdir {
        cmd.current_dir(dir);
    }
    cmd
}

/// Between fork and exec: the child dies with kubesim, even if kubesim died first.
///
/// # Safety
/// Only async-signal-safe calls.
unsafe fn die_with_parent() -> std::io::Result<()> {
    // SAFETY: prctl and getppid take no pointers and are async-signal-safe.
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // The parent may have died before prctl took effect.
        if libc::getppid() == 1 {
            return Err(std::io::Error::other(
                "kubesim exited while starting a container",
            ));
        }
    }
    Ok(())
}

/// Starts `program` (named `argv0` to itself) with `args` and exactly `env`, output piped
/// (and stdin, when `stdin`), in its own process group — inside its sandbox when it has one
/// (then `workdir` is the sandbox's, entered by the sandbox itself).
pub fn spawn(
    program: &Path,
    argv0: &str,
    args: &[String],
    env: &[(String, String)],
    workdir: &Path,
    sandbox: Option<std::sync::Arc<super::sandbox::Sandbox>>,
    stdin: bool,
) -> std::io::Result<Child> {
    // The image's program is part of the image, not of the machine's folders: when a volume
    // covers its path inside the container, it is run through a descriptor opened here.
    // A program only the container's root has (a stock image's own entrypoint) is run there.
    let held = match &sandbox {
        Some(s) if s.hides(program) && program.is_file() => Some(std::fs::File::open(program)?),
        _ => None,
    };
    let held_fd = held.as_ref().map(std::os::fd::AsRawFd::as_raw_fd);
    let path = match held_fd {
        Some(fd) => std::path::PathBuf::from(format!("/proc/self/fd/{fd}")),
        None => program.to_path_buf(),
    };
    let mut cmd = command(
        &path,
        env,
        sandbox.is_none().then_some(workdir),
        if stdin { Stdio::piped() } else { Stdio::null() },
    );
    cmd.arg0(argv0).args(args);
    // SAFETY: prctl, getppid and the sandbox's mount calls are async-signal-safe and use only
    // data prepared before the fork; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            die_with_parent()?;
            if let Some(s) = &sandbox {
                s.enter()?;
            }
            // The held program must survive into exec (std opens files close-on-exec).
            if let Some(fd) = held_fd
                && libc::fcntl(fd, libc::F_SETFD, 0) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn();
    drop(held);
    child
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

/// A container's process group (led by its first process): whatever the container's
/// processes started is killed with it when the container ends — as a runtime tears down a
/// container's PID namespace — and when kubesim stops (this is dropped).
#[derive(Debug)]
pub struct ProcessGroup(pub u32);

impl ProcessGroup {
    /// Kills every process left in the group.
    pub fn kill(&self) {
        if let Ok(pgid) = libc::pid_t::try_from(self.0)
            && pgid > 1
        {
            // SAFETY: kill(2) takes no pointers; the negative pid names the group, which
            // `spawn` made with the container's first process as its leader.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
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

/// Starts a command in a running container for `kubectl exec`: in its mount namespace,
/// root and working directory when it has a sandbox, with its environment; stdio piped.
pub fn spawn_exec(
    program: &Path,
    argv0: Option<&str>,
    args: &[String],
    env: &[(String, String)],
    workdir: &Path,
    join: Option<std::sync::Arc<super::sandbox::Joined>>,
) -> std::io::Result<Child> {
    let mut cmd = command(
        program,
        env,
        join.is_none().then_some(workdir),
        Stdio::piped(),
    );
    if let Some(name) = argv0 {
        cmd.arg0(name);
    }
    cmd.args(args);
    // SAFETY: as in `spawn`: prctl and the namespace calls are async-signal-safe and use
    // only data prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            die_with_parent()?;
            match &join {
                Some(j) => j.enter(),
                None => Ok(()),
            }
        });
    }
    cmd.spawn()
}
