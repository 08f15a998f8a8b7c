//! What a container's processes use together, as its cgroup would count it: every process
//! of the container's process group (a shell's children included), read from /proc. CPU is
//! the rate over the time since the last reading (cAdvisor's rate), the processes'
//! own time plus what their reaped children used; memory the sum of their resident sets.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

/// One process's counters.
struct Stat {
    pgrp: u32,
    /// utime + stime + cutime + cstime, in clock ticks.
    ticks: f64,
    /// When it started, in ticks since boot.
    start: f64,
    /// Resident pages.
    rss_pages: i64,
}

fn stat(pid: &str) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces, in parentheses.
    let f: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let n = |i: usize| f.get(i)?.parse::<f64>().ok();
    Some(Stat {
        pgrp: f.get(2)?.parse().ok()?,
        ticks: n(11)? + n(12)? + n(13)? + n(14)?,
        start: n(19)?,
        rss_pages: f.get(21)?.parse().ok()?,
    })
}

fn sysconf(name: libc::c_int) -> f64 {
    // SAFETY: sysconf takes no pointers.
    (unsafe { libc::sysconf(name) }) as f64
}

/// The group's CPU seconds so far, resident bytes, and the leader's age in seconds.
fn read(pgid: u32) -> Option<(f64, i64, f64)> {
    let hz = sysconf(libc::_SC_CLK_TCK);
    let page = sysconf(libc::_SC_PAGESIZE) as i64;
    let mut ticks = 0.0;
    let mut pages = 0;
    let mut leader_start = None;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Some(s) = stat(pid).filter(|s| s.pgrp == pgid) else {
            continue;
        };
        ticks += s.ticks;
        pages += s.rss_pages;
        if pid == pgid.to_string() {
            leader_start = Some(s.start);
        }
    }
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let age = (uptime - leader_start? / hz).max(0.001);
    Some((ticks / hz, pages * page, age))
}

/// One reading of a group.
#[derive(Clone, Copy)]
struct Reading {
    at: Instant,
    /// CPU seconds so far.
    cpu: f64,
    /// The rate then, in millicores.
    milli: i64,
}

/// The last reading of each group.
static LAST: LazyLock<Mutex<HashMap<u32, Reading>>> = LazyLock::new(Mutex::default);

/// Readings closer together than this keep the last rate (too short to measure).
const MIN_WINDOW: f64 = 0.5;

/// CPU in millicores and memory in bytes of the process group `pgid` (its leader's pid);
/// None once the leader is gone.
pub fn group_usage(pgid: u32) -> Option<(i64, i64)> {
    let (cpu, rss, age) = read(pgid)?;
    let now = Instant::now();
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    let previous = last.get(&pgid).copied();
    let milli = match previous {
        Some(r) if now.duration_since(r.at).as_secs_f64() < MIN_WINDOW => r.milli,
        Some(r) => {
            let dt = now.duration_since(r.at).as_secs_f64();
            ((cpu - r.cpu).max(0.0) / dt * 1000.0).round() as i64
        }
        // The first reading: the average over the container's life.
        None => (cpu / age * 1000.0).round() as i64,
    };
    if previous.is_none_or(|r| now.duration_since(r.at).as_secs_f64() >= MIN_WINDOW) {
        last.insert(
            pgid,
            Reading {
                at: now,
                cpu,
                milli,
            },
        );
    }
    // Groups whose leader is gone are forgotten now and then.
    if last.len() > 512 {
        last.retain(|pid, _| std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
    Some((milli, rss))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;

    /// Kills the test's process group however the test ends.
    struct Spinner(u32);

    impl Drop for Spinner {
        fn drop(&mut self) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0)])
                .status();
        }
    }

    #[test]
    fn a_busy_child_counts_for_its_group() {
        // A shell (its own group's leader) whose child spins: the group uses a core.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done & wait"])
            .process_group(0)
            .spawn()
            .unwrap();
        let spinner = Spinner(child.id());
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        let (mut cpu, mut memory) = (0, 0);
        while Instant::now() < deadline && (cpu <= 500 || memory == 0) {
            if let Some((milli, rss)) = group_usage(spinner.0) {
                cpu = cpu.max(milli);
                memory = memory.max(rss);
            }
            std::thread::sleep(std::time::Duration::from_millis(600));
        }
        drop(spinner);
        let _ = child.wait();
        assert!(cpu > 500, "the spinning child was not counted: {cpu}m");
        assert!(memory > 0, "no resident memory counted");
    }
}
