//! Busybox as an image's toolbox: in busybox itself and in the Alpine-based images
//! (`curlimages/curl`, `httpd:alpine`) the shell and the small commands — `sh`, `wget`,
//! `nslookup`, `cat` — are busybox's applets, whatever this machine has under those names.
//! The same rule serves a container's command and `kubectl exec`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

/// Each toolbox's applets, as `busybox --list` names them (read once).
static APPLETS: LazyLock<Mutex<HashMap<PathBuf, HashSet<String>>>> = LazyLock::new(Mutex::default);

/// Whether `name` is one of the toolbox's applets.
fn has_applet(toolbox: &Path, name: &str) -> bool {
    let mut known = APPLETS.lock().unwrap_or_else(|p| p.into_inner());
    known
        .entry(toolbox.to_path_buf())
        .or_insert_with(|| {
            std::process::Command::new(toolbox)
                .arg("--list")
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        })
        .contains(name)
}

/// The applet `command` runs in an image with this toolbox: a bare name, or one under the
/// image's `/bin`, `/sbin`, `/usr/bin` or `/usr/sbin`, that the toolbox has.
pub fn applet<'a>(toolbox: &Path, command: &'a str) -> Option<&'a str> {
    let name = command.rsplit('/').next().unwrap_or(command);
    let in_bin = ["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/"]
        .iter()
        .any(|d| command.strip_prefix(d) == Some(name));
    let bare = !command.contains('/');
    ((bare || in_bin) && has_applet(toolbox, name)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toolbox_s_applets_by_name_or_bin_path_and_nothing_else() {
        let Some(busybox) = crate::kubelet::images::on_path("busybox") else {
            return; // scripts/setup installs busybox-static; without it there is no toolbox
        };
        assert_eq!(applet(&busybox, "nslookup"), Some("nslookup"));
        assert_eq!(applet(&busybox, "/bin/sh"), Some("sh"));
        assert_eq!(applet(&busybox, "curl"), None);
        assert_eq!(applet(&busybox, "/app/sh"), None, "a file of the pod's");
    }
}
