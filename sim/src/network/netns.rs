//! Network namespaces held by open files: a pod's (its own `lo` and `eth0`) and the node's
//! (the bridge, Service addresses, cluster DNS). A namespace lives while its file is open
//! or a process is in it, so nothing is left on the machine when kubesim ends.
#![allow(unsafe_code)]

use std::fs::File;
use std::os::fd::{AsRawFd, OwnedFd};

/// An open network namespace.
#[derive(Debug)]
pub struct NetNs {
    fd: OwnedFd,
}

fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

impl NetNs {
    /// A new namespace with only a loopback device (down). It is made on a throw-away
    /// thread, since a thread that leaves its namespace cannot be trusted to get back.
    pub fn create() -> std::io::Result<Self> {
        std::thread::spawn(|| {
            // SAFETY: unshare(2) takes no pointers; it changes only this thread's namespace.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return Err(last_error());
            }
            Ok(Self {
                fd: File::open("/proc/thread-self/ns/net")?.into(),
            })
        })
        .join()
        .map_err(|_| std::io::Error::other("the thread making a network namespace panicked"))?
    }

    /// Runs `f` on a thread inside this namespace: sockets it makes belong to it for life.
    pub fn run_in<T: Send>(&self, f: impl FnOnce() -> T + Send) -> std::io::Result<T> {
        let fd = self.fd.as_raw_fd();
        std::thread::scope(|s| {
            s.spawn(move || {
                // SAFETY: `fd` is an open namespace file for the scope's duration.
                if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
                    return Err(last_error());
                }
                Ok(f())
            })
            .join()
            .map_err(|_| std::io::Error::other("a thread inside a network namespace panicked"))?
        })
    }

    /// A path naming the namespace for other programs (`ip link set … netns PATH`).
    pub fn path(&self) -> String {
        format!("/proc/{}/fd/{}", std::process::id(), self.fd.as_raw_fd())
    }

    /// The raw file, for `setns` between fork and exec.
    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}
