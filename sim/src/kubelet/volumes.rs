//! A pod's volumes as the kubelet sets them up: ConfigMap, Secret, downward API and
//! projected volumes written as files (with `items` and modes), emptyDirs made once and
//! shared by the pod's containers, claims and hostPaths pointing at their directories —
//! and, when something is missing, the kubelet's own FailedMount reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

use crate::resources::{CONFIG_MAP, PV, PVC, SECRET};
use crate::store::Store;

/// Where one container sees one volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The directory (or file, with `subPath`) on this machine.
    pub source: PathBuf,
    /// The absolute path the process sees.
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// A stock image's own files, made afresh in `dir` for one container: its files, its
/// writable directories (with their links), each to be mounted at its path before the
/// pod's volumes, which may cover them.
pub fn image_layer(layer: &super::images::Layer, dir: &Path) -> std::io::Result<Vec<Mount>> {
    // A restarted container starts from the image again.
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let at = |path: &str| dir.join(path.trim_start_matches('/'));
    let mut mounts = Vec::new();
    for (path, text) in layer.files {
        let source = at(path);
        if let Some(parent) = source.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&source, text)?;
        if text.starts_with("#!") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o755))?;
        }
        mounts.push(Mount {
            source,
            target: (*path).to_string(),
            read_only: false,
        });
    }
    for path in layer.writable {
        let source = at(path);
        std::fs::create_dir_all(&source)?;
        mounts.push(Mount {
            source,
            target: (*path).to_string(),
            read_only: false,
        });
    }
    for (path, target) in layer.links {
        let link = at(path);
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(target, link)?;
        }
    }
    Ok(mounts)
}

/// The files a pod on the cluster network gets: `/etc/resolv.conf` and `/etc/hosts`,
/// written once in the pod's folder and mounted into each container.
pub fn network_files(
    pod: &Value,
    ip: std::net::Ipv4Addr,
    pod_dir: &Path,
) -> std::io::Result<Vec<Mount>> {
    let dir = pod_dir.join("network");
    std::fs::create_dir_all(&dir)?;
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let files = [
        ("resolv.conf", crate::network::files::resolv_conf(ns)),
        ("hosts", crate::network::files::hosts(pod, ip)),
    ];
    let mut mounts = Vec::new();
    for (name, text) in files {
        let source = dir.join(name);
        std::fs::write(&source, text)?;
        mounts.push(Mount {
            source,
            target: format!("/etc/{name}"),
            read_only: false,
        });
    }
    Ok(mounts)
}

/// A volume that could not be set up: its name (as the pod calls it) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountFailure {
    /// `spec.volumes[].name`.
    pub volume: String,
    /// The reason, e.g. `configmap "web-config" not found`.
    pub reason: String,
}

impl std::fmt::Display for MountFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MountVolume.SetUp failed for volume \"{}\" : {}",
            self.volume, self.reason
        )
    }
}

/// The pod's volumes by name, and which of them are read-only by nature.
#[derive(Debug, Default)]
pub struct PodVolumes {
    dirs: HashMap<String, (PathBuf, bool)>,
}

/// One file a volume holds: relative path, bytes, mode.
type File = (String, Vec<u8>, u32);

fn mode_of(v: &Value, default: u32) -> u32 {
    v.as_u64().map_or(default, |m| m as u32)
}

/// The files of a ConfigMap or Secret source (`items` picks keys and paths).
fn key_files(
    store: &Store,
    ns: &str,
    source: &Value,
    secret: bool,
    default_mode: u32,
) -> Result<Vec<File>, String> {
    let (kind, rt, name) = if secret {
        (
            "secret",
            &SECRET,
            source["secretName"].as_str().or(source["name"].as_str()),
        )
    } else {
        ("configmap", &CONFIG_MAP, source["name"].as_str())
    };
    let name = name.unwrap_or_default();
    let optional = source["optional"] == true;
    let obj = match store.get(rt, ns, name) {
        Ok(o) => o,
        Err(_) if optional => return Ok(vec![]),
        Err(_) => return Err(format!("{kind} \"{name}\" not found")),
    };
    let b64 = |v: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .unwrap_or_default()
    };
    let mut data: Vec<(String, Vec<u8>)> = Vec::new();
    for (k, v) in obj["data"].as_object().into_iter().flatten() {
        data.push((
            k.clone(),
            if secret {
                b64(v)
            } else {
                v.as_str().unwrap_or_default().as_bytes().to_vec()
            },
        ));
    }
    for (k, v) in obj["binaryData"].as_object().into_iter().flatten() {
        data.push((k.clone(), b64(v)));
    }
    let Some(items) = source["items"].as_array() else {
        return Ok(data
            .into_iter()
            .map(|(k, v)| (k, v, default_mode))
            .collect());
    };
    let mut files = Vec::new();
    for item in items {
        let key = item["key"].as_str().unwrap_or_default();
        let Some((_, bytes)) = data.iter().find(|(k, _)| k == key) else {
            if optional {
                continue;
            }
            return Err(format!("{kind} references non-existent config key: {key}"));
        };
        let path = item["path"].as_str().unwrap_or(key).to_string();
        files.push((path, bytes.clone(), mode_of(&item["mode"], default_mode)));
    }
    Ok(files)
}

/// The value a downward API `fieldRef` names.
fn field_value(pod: &Value, path: &str) -> String {
    let meta = &pod["metadata"];
    let pairs = |m: &Value| {
        let mut lines: Vec<String> = m
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap_or_default()))
            .collect();
        lines.sort();
        lines.join("\n")
    };
    match path {
        "metadata.labels" => pairs(&meta["labels"]),
        "metadata.annotations" => pairs(&meta["annotations"]),
        "metadata.name" | "metadata.namespace" | "metadata.uid" => meta
            [path.trim_start_matches("metadata.")]
        .as_str()
        .unwrap_or_default()
        .to_string(),
        "spec.nodeName" | "spec.serviceAccountName" => pod["spec"]
            [path.trim_start_matches("spec.")]
        .as_str()
        .unwrap_or_default()
        .to_string(),
        _ => String::new(),
    }
}

fn downward_files(pod: &Value, source: &Value, default_mode: u32) -> Vec<File> {
    source["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let path = i["path"].as_str()?.to_string();
            let value = field_value(pod, i["fieldRef"]["fieldPath"].as_str().unwrap_or_default());
            Some((path, value.into_bytes(), mode_of(&i["mode"], default_mode)))
        })
        .collect()
}

/// Writes `files` under `dir`, replacing what was there (each file atomically).
fn write_files(dir: &Path, files: &[File]) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)?;
    for (rel, bytes, mode) in files {
        let rel = rel.trim_start_matches('/');
        if rel.split('/').any(|c| c == "..") {
            continue; // The API server refuses such paths; never write outside the volume.
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("kubesim-tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(*mode & 0o777))?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(())
}

/// The directory a bound claim's volume lives in.
fn claim_dir(store: &Store, ns: &str, claim: &str) -> Result<PathBuf, String> {
    let pvc = store
        .get(&PVC, ns, claim)
        .map_err(|_| format!("persistentvolumeclaim \"{claim}\" not found"))?;
    let volume = pvc["spec"]["volumeName"]
        .as_str()
        .filter(|_| pvc["status"]["phase"] == "Bound");
    let volume = volume.ok_or_else(|| format!("persistentvolumeclaim \"{claim}\" is not bound"))?;
    let pv = store
        .get(&PV, "", volume)
        .map_err(|_| format!("persistentvolume \"{volume}\" not found"))?;
    let path = pv["spec"]["hostPath"]["path"]
        .as_str()
        .or(pv["spec"]["local"]["path"].as_str());
    let path = path.ok_or_else(|| {
        format!("persistentvolume \"{volume}\" has no hostPath or local path kubesim can mount")
    })?;
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {path}: {e}"))?;
    Ok(PathBuf::from(path))
}

/// Issues a token for a ServiceAccount (namespace, name, lifetime in seconds), as the
/// TokenRequest API does for the kubelet; `None` when the cluster issues none.
pub type TokenIssuer<'a> = &'a dyn Fn(&str, &str, i64) -> Option<String>;

/// A projected `serviceAccountToken` source: a token for the pod's account at `path`.
fn token_file(pod: &Value, source: &Value, mode: u32, issue: TokenIssuer) -> Result<File, String> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let account = pod["spec"]["serviceAccountName"]
        .as_str()
        .unwrap_or("default");
    let seconds = source["expirationSeconds"].as_i64().unwrap_or(3607);
    let token = issue(ns, account, seconds).ok_or_else(|| {
        format!("failed to fetch token: serviceaccounts \"{account}\" cannot be issued tokens here")
    })?;
    let path = source["path"].as_str().unwrap_or("token").to_string();
    Ok((path, token.into_bytes(), mode))
}

/// Sets up every volume of `pod` under `pod_dir`.
pub fn materialise(
    store: &Store,
    pod: &Value,
    pod_dir: &Path,
    issue: TokenIssuer,
) -> Result<PodVolumes, MountFailure> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let mut out = PodVolumes::default();
    for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        let name = v["name"].as_str().unwrap_or_default().to_string();
        let fail = |reason: String| MountFailure {
            volume: name.clone(),
            reason,
        };
        let dir = pod_dir.join("volumes").join(&name);
        let write = |files: Vec<File>| {
            write_files(&dir, &files)
                .map(|_| (dir.clone(), true))
                .map_err(|e| fail(e.to_string()))
        };
        let entry = if v["configMap"].is_object() {
            let src = &v["configMap"];
            write(
                key_files(store, ns, src, false, mode_of(&src["defaultMode"], 0o644))
                    .map_err(fail)?,
            )?
        } else if v["secret"].is_object() {
            let src = &v["secret"];
            write(
                key_files(store, ns, src, true, mode_of(&src["defaultMode"], 0o644))
                    .map_err(fail)?,
            )?
        } else if v["downwardAPI"].is_object() {
            let src = &v["downwardAPI"];
            write(downward_files(
                pod,
                src,
                mode_of(&src["defaultMode"], 0o644),
            ))?
        } else if v["projected"].is_object() {
            let default_mode = mode_of(&v["projected"]["defaultMode"], 0o644);
            let mut files = Vec::new();
            for s in v["projected"]["sources"].as_array().into_iter().flatten() {
                if s["configMap"].is_object() {
                    files.extend(
                        key_files(store, ns, &s["configMap"], false, default_mode).map_err(fail)?,
                    );
                } else if s["secret"].is_object() {
                    files.extend(
                        key_files(store, ns, &s["secret"], true, default_mode).map_err(fail)?,
                    );
                } else if s["downwardAPI"].is_object() {
                    files.extend(downward_files(pod, &s["downwardAPI"], default_mode));
                } else if s["serviceAccountToken"].is_object() {
                    files.push(
                        token_file(pod, &s["serviceAccountToken"], default_mode, issue)
                            .map_err(fail)?,
                    );
                }
            }
            write(files)?
        } else if let Some(claim) = v["persistentVolumeClaim"]["claimName"].as_str() {
            (
                claim_dir(store, ns, claim).map_err(fail)?,
                v["persistentVolumeClaim"]["readOnly"] == true,
            )
        } else if let Some(path) = v["hostPath"]["path"].as_str() {
            let create = matches!(v["hostPath"]["type"].as_str(), Some("DirectoryOrCreate"));
            if create {
                std::fs::create_dir_all(path).map_err(|e| fail(e.to_string()))?;
            } else if !Path::new(path).exists()
                && v["hostPath"]["type"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty())
            {
                return Err(fail(format!(
                    "hostPath type check failed: {path} is not a directory"
                )));
            }
            (PathBuf::from(path), false)
        } else {
            // emptyDir, and any kind kubesim has no backing for: an empty directory the
            // pod's containers share for the pod's life.
            std::fs::create_dir_all(&dir).map_err(|e| fail(e.to_string()))?;
            (dir, false)
        };
        out.dirs.insert(name, entry);
    }
    Ok(out)
}

impl PodVolumes {
    /// Where `container` sees each of its volume mounts, parents before children.
    pub fn mounts_for(&self, container: &Value) -> Vec<Mount> {
        let mut mounts: Vec<Mount> = container["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                let (dir, read_only_kind) = self.dirs.get(m["name"].as_str()?)?;
                let sub = m["subPath"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches('/');
                if sub.split('/').any(|c| c == "..") {
                    return None;
                }
                let source = if sub.is_empty() {
                    dir.clone()
                } else {
                    dir.join(sub)
                };
                if !source.exists() {
                    // A subPath that does not exist yet is created as a directory, as the kubelet does.
                    let _ = std::fs::create_dir_all(&source);
                }
                Some(Mount {
                    source,
                    target: m["mountPath"].as_str()?.to_string(),
                    read_only: *read_only_kind || m["readOnly"] == true,
                })
            })
            .collect();
        mounts.sort_by_key(|m| m.target.matches('/').count());
        mounts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downward_labels_are_key_quoted_value_lines() {
        let pod = serde_json::json!({"metadata": {"name": "p", "labels": {"b": "2", "a": "1"}}});
        assert_eq!(field_value(&pod, "metadata.labels"), "a=\"1\"\nb=\"2\"");
        assert_eq!(field_value(&pod, "metadata.name"), "p");
    }
}
