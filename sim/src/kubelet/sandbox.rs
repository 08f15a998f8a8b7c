//! A container's view of the filesystem: a private mount namespace whose root is a copy of
//! this machine's (each top-level entry bound in), with the pod's volumes mounted at their
//! `mountPath`s. A path the machine lacks is made inside an overlay of its nearest
//! existing parent, so nothing outside kubesim's own folder is ever created or changed.
//! On the cluster network the process also joins its pod's network namespace and gets the
//! pod's hostname. `kubectl exec` joins the same namespaces and root.
//!
//! Needs the right to make mount namespaces (root, or CAP_SYS_ADMIN); without it the
//! container runs with this machine's filesystem as is and its volumes are not mounted.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use std::sync::Arc;

use super::volumes::Mount;
use crate::network::PodNet;

/// One step taken in the new process before it runs the program.
#[derive(Debug)]
enum Step {
    /// Stop mounts from propagating back to the machine.
    MakePrivate,
    /// Bind `source` at `target` (recursively for directories of the machine).
    Bind {
        source: CString,
        target: CString,
        recursive: bool,
        read_only: bool,
    },
    /// An overlay of `target` (its lower layer) with writable layers in kubesim's folder.
    Overlay { target: CString, options: CString },
    /// A directory (inside an overlay, so only this container sees it).
    Mkdir(CString),
    /// An empty file to mount a file on.
    Touch(CString),
    /// Enter the root.
    Chroot(CString),
    /// The working directory.
    Chdir(CString),
}

/// The planned filesystem of one container.
#[derive(Debug)]
pub struct Sandbox {
    /// The container's root directory (as this machine sees it).
    pub root: PathBuf,
    /// The working directory the process starts in.
    pub workdir: String,
    /// Where the volumes are mounted.
    targets: Vec<PathBuf>,
    steps: Vec<Step>,
    /// The pod's network namespace (kept open while a process may still join it).
    net: Option<Arc<PodNet>>,
    /// The pod's hostname.
    hostname: CString,
}

fn cstr(p: impl AsRef<Path>) -> std::io::Result<CString> {
    CString::new(p.as_ref().as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("a path holds a NUL byte"))
}

/// `/a/./b/` → `/a/b`; `None` for a relative path or one with `..`.
fn clean(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    if !p.is_absolute() || p.components().any(|c| c == Component::ParentDir) {
        return None;
    }
    Some(p.components().filter(|c| *c != Component::CurDir).collect())
}

/// The path with the symlinks of its existing part resolved, as a runtime resolves a mount
/// path inside the container's root (a mirror of this machine's): `/var/run/secrets` is
/// `/run/secrets` where `/var/run` links to `/run`. Mounting through the link itself would
/// follow it out of the container's root.
fn resolved(target: &Path) -> PathBuf {
    let mut existing = target.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(n) => rest.push(n.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for n in rest.iter().rev() {
        out.push(n);
    }
    out
}

/// The overlays of a container's root: folders of the machine it adds to or takes from,
/// each with its writable layer in kubesim's folder.
struct Overlays {
    dir: PathBuf,
    root: PathBuf,
    /// (folder, its upper layer)
    made: Vec<(PathBuf, PathBuf)>,
    steps: Vec<Step>,
}

impl Overlays {
    /// The upper-layer folder that stands for `folder` (an existing folder of the machine),
    /// making an overlay over it unless one covers it already.
    fn upper_over(&mut self, folder: &Path) -> std::io::Result<PathBuf> {
        if let Some((over, upper)) = self.made.iter().find(|(o, _)| folder.starts_with(o)) {
            let at = upper.join(folder.strip_prefix(over).unwrap_or(folder));
            std::fs::create_dir_all(&at)?;
            return Ok(at);
        }
        let layer = self.dir.join(self.made.len().to_string());
        let (upper, work) = (layer.join("upper"), layer.join("work"));
        std::fs::create_dir_all(&upper)?;
        std::fs::create_dir_all(&work)?;
        let options = format!(
            "lowerdir={},upperdir={},workdir={}",
            folder.display(),
            upper.display(),
            work.display()
        );
        self.steps.push(Step::Overlay {
            target: cstr(inside(&self.root, folder))?,
            options: cstr(options)?,
        });
        self.made.push((folder.to_path_buf(), upper.clone()));
        Ok(upper)
    }

    /// The mounts, outer folders first: an overlay mounted later over a parent would hide
    /// one over its child.
    fn into_steps(mut self) -> Vec<Step> {
        let depth = |s: &Step| match s {
            Step::Overlay { target, .. } => {
                target.as_bytes().iter().filter(|b| **b == b'/').count()
            }
            _ => 0,
        };
        self.steps.sort_by_key(depth);
        self.steps
    }
}

/// An overlay whiteout at `path` (a 0/0 character device): the lower layer's file of that
/// name is not there.
fn whiteout(path: &Path) -> std::io::Result<()> {
    let c = cstr(path)?;
    // SAFETY: `c` is a NUL-terminated path alive for the call.
    if unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR, 0) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn inside(root: &Path, abs: &Path) -> PathBuf {
    root.join(abs.strip_prefix("/").unwrap_or(abs))
}

/// Whether this process may make mount namespaces (checked once).
pub fn available() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        let mut cmd = std::process::Command::new("/bin/sh");
        cmd.args(["-c", "exit 0"]);
        use std::os::unix::process::CommandExt;
        // SAFETY: unshare(2) takes no pointers and is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                if libc::unshare(libc::CLONE_NEWNS) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        cmd.status().is_ok_and(|s| s.success())
    })
}

impl Sandbox {
    /// Plans the filesystem of a container in `dir` (made afresh): the machine's root with
    /// `mounts` on it, without the machine's files in `absent` (programs its image lacks),
    /// starting in `working_dir` (or `/`).
    pub fn plan(
        dir: &Path,
        mounts: &[Mount],
        absent: &[PathBuf],
        working_dir: Option<&str>,
        net: Option<Arc<PodNet>>,
        hostname: &str,
    ) -> std::io::Result<Self> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        let root = dir.join("root");
        std::fs::create_dir_all(&root)?;
        let mut steps = vec![Step::MakePrivate];
        for entry in std::fs::read_dir("/")? {
            let entry = entry?;
            let name = entry.file_name();
            let at = root.join(&name);
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &at)?;
                continue;
            }
            if kind.is_dir() {
                std::fs::create_dir(&at)?;
            } else {
                std::fs::File::create(&at)?;
            }
            steps.push(Step::Bind {
                source: cstr(entry.path())?,
                target: cstr(&at)?,
                recursive: true,
                read_only: false,
            });
        }
        let mut planned: Vec<(PathBuf, PathBuf)> = Vec::new(); // (target, source) of volume mounts
        // Overlays go before every other mount: one made later on a folder would hide the
        // files mounted in it before.
        let machine_root = steps.len();
        let mut overlays = Overlays {
            dir: dir.join("overlays"),
            root: root.clone(),
            made: Vec::new(),
            steps: Vec::new(),
        };
        for file in absent {
            if let (Some(parent), Some(name)) = (file.parent(), file.file_name()) {
                let upper = overlays.upper_over(parent)?;
                whiteout(&upper.join(name))?;
            }
        }
        for m in mounts {
            let Some(target) = clean(&m.target) else {
                return Err(std::io::Error::other(format!(
                    "mountPath {:?} must be an absolute path without \"..\"",
                    m.target
                )));
            };
            let target = resolved(&target);
            let is_file = m.source.is_file();
            let under_volume = planned
                .iter()
                .rev()
                .find(|(t, _)| target.starts_with(t) && target != *t)
                .cloned();
            if let Some((vt, vs)) = under_volume {
                // A mount point inside another volume is made in that volume, as runc does.
                let host = vs.join(target.strip_prefix(&vt).unwrap_or(&target));
                if is_file {
                    if let Some(p) = host.parent() {
                        std::fs::create_dir_all(p)?;
                    }
                    if !host.exists() {
                        std::fs::File::create(&host)?;
                    }
                } else {
                    std::fs::create_dir_all(&host)?;
                }
            } else if !target.exists() {
                let mut ancestor = target.clone();
                while !ancestor.exists() {
                    ancestor.pop();
                }
                let missing: Vec<PathBuf> = target
                    .ancestors()
                    .take_while(|a| *a != ancestor)
                    .map(Path::to_path_buf)
                    .collect();
                if ancestor == Path::new("/") {
                    // A new top-level directory exists only in this container's root.
                    let path = inside(&root, &target);
                    if is_file {
                        if let Some(p) = path.parent() {
                            std::fs::create_dir_all(p)?;
                        }
                        std::fs::File::create(&path)?;
                    } else {
                        std::fs::create_dir_all(&path)?;
                    }
                } else {
                    overlays.upper_over(&ancestor)?;
                    for (i, p) in missing.iter().rev().enumerate() {
                        let last = i + 1 == missing.len();
                        let at = cstr(inside(&root, p))?;
                        steps.push(if last && is_file {
                            Step::Touch(at)
                        } else {
                            Step::Mkdir(at)
                        });
                    }
                }
            }
            steps.push(Step::Bind {
                source: cstr(&m.source)?,
                target: cstr(inside(&root, &target))?,
                recursive: false,
                read_only: m.read_only,
            });
            planned.push((target, m.source.clone()));
        }
        steps.splice(machine_root..machine_root, overlays.into_steps());
        let workdir = working_dir
            .filter(|w| w.starts_with('/'))
            .unwrap_or("/")
            .to_string();
        steps.push(Step::Chroot(cstr(&root)?));
        steps.push(Step::Chdir(cstr(&workdir)?));
        let targets = planned.into_iter().map(|(t, _)| t).collect();
        Ok(Self {
            root,
            workdir,
            targets,
            steps,
            net,
            hostname: CString::new(hostname).unwrap_or_default(),
        })
    }

    /// Whether a volume hides this path of the machine from the container (the image's own
    /// program may live under a folder a volume covers, e.g. /tmp).
    pub fn hides(&self, path: &Path) -> bool {
        self.targets.iter().any(|t| path.starts_with(t))
    }

    /// Runs in the new process between fork and exec: makes the namespace and the mounts.
    ///
    /// # Safety
    /// Only async-signal-safe calls on data prepared before the fork.
    pub unsafe fn enter(&self) -> std::io::Result<()> {
        let fail = || Err(std::io::Error::last_os_error());
        // SAFETY: every pointer is a NUL-terminated string owned by `self`, alive for the call.
        unsafe {
            if let Some(net) = &self.net {
                let name = self.hostname.as_bytes();
                if libc::setns(net.ns.raw_fd(), libc::CLONE_NEWNET) != 0
                    || libc::unshare(libc::CLONE_NEWUTS) != 0
                    || libc::sethostname(name.as_ptr().cast(), name.len()) != 0
                {
                    return fail();
                }
            }
            if libc::unshare(libc::CLONE_NEWNS) != 0 {
                return fail();
            }
            for step in &self.steps {
                let ok = match step {
                    Step::MakePrivate => {
                        libc::mount(
                            std::ptr::null(),
                            c"/".as_ptr(),
                            std::ptr::null(),
                            libc::MS_REC | libc::MS_PRIVATE,
                            std::ptr::null(),
                        ) == 0
                    }
                    Step::Bind {
                        source,
                        target,
                        recursive,
                        read_only,
                    } => {
                        let flags = libc::MS_BIND | if *recursive { libc::MS_REC } else { 0 };
                        libc::mount(
                            source.as_ptr(),
                            target.as_ptr(),
                            std::ptr::null(),
                            flags,
                            std::ptr::null(),
                        ) == 0
                            && (!*read_only
                                || libc::mount(
                                    std::ptr::null(),
                                    target.as_ptr(),
                                    std::ptr::null(),
                                    libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
                                    std::ptr::null(),
                                ) == 0)
                    }
                    Step::Overlay { target, options } => {
                        libc::mount(
                            c"overlay".as_ptr(),
                            target.as_ptr(),
                            c"overlay".as_ptr(),
                            0,
                            options.as_ptr().cast(),
                        ) == 0
                    }
                    Step::Mkdir(p) => {
                        libc::mkdir(p.as_ptr(), 0o755) == 0
                            || *libc::__errno_location() == libc::EEXIST
                    }
                    Step::Touch(p) => {
                        let fd = libc::open(
                            p.as_ptr(),
                            libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                            0o644,
                        );
                        fd >= 0 && libc::close(fd) == 0
                    }
                    Step::Chroot(p) => libc::chroot(p.as_ptr()) == 0,
                    Step::Chdir(p) => libc::chdir(p.as_ptr()) == 0,
                };
                if !ok {
                    return fail();
                }
            }
        }
        Ok(())
    }
}

/// What `kubectl exec` needs to join a running container: its mount namespace (an open
/// file of its process), root and working directory.
pub struct Joined {
    ns: std::fs::File,
    /// Its network and UTS namespaces, when it has its pod's own.
    net: Option<(std::fs::File, std::fs::File)>,
    root: CString,
    workdir: CString,
}

impl Joined {
    /// Opens the mount namespace of process `pid`.
    pub fn open(pid: u32, sandbox: &Sandbox) -> std::io::Result<Self> {
        let (root, workdir) = (&sandbox.root, &sandbox.workdir);
        let net = match sandbox.net {
            Some(_) => Some((
                std::fs::File::open(format!("/proc/{pid}/ns/net"))?,
                std::fs::File::open(format!("/proc/{pid}/ns/uts"))?,
            )),
            None => None,
        };
        Ok(Self {
            net,
            ns: std::fs::File::open(format!("/proc/{pid}/ns/mnt"))?,
            root: cstr(root)?,
            workdir: cstr(workdir)?,
        })
    }

    /// Runs between fork and exec: enters the namespace, the root and the directory.
    ///
    /// # Safety
    /// Only async-signal-safe calls on data prepared before the fork.
    pub unsafe fn enter(&self) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: the fd is open for the call; the strings are NUL-terminated and owned.
        unsafe {
            if let Some((net, uts)) = &self.net
                && (libc::setns(net.as_raw_fd(), libc::CLONE_NEWNET) != 0
                    || libc::setns(uts.as_raw_fd(), libc::CLONE_NEWUTS) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            if libc::setns(self.ns.as_raw_fd(), libc::CLONE_NEWNS) != 0
                || libc::chroot(self.root.as_ptr()) != 0
                || libc::chdir(self.workdir.as_ptr()) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_paths_must_be_absolute_and_stay_inside() {
        assert_eq!(clean("/etc/./sizes/"), Some(PathBuf::from("/etc/sizes")));
        assert_eq!(clean("etc/sizes"), None);
        assert_eq!(clean("/etc/../root"), None);
    }
}
