//! What a container runs, as a container runtime decides it: the image's entrypoint unless
//! `command` replaces it, followed by `args` (or nothing: mapped images have no default
//! arguments), with `$(VAR)` references expanded from the container's environment.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// `$(NAME)` replaced by the variable's value when it is defined, `$$` by `$`; anything
/// else is left as written, as the kubelet does.
pub fn expand(s: &str, env: &[(String, String)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else if let Some((name, after)) = tail
            .strip_prefix("$(")
            .and_then(|t| t.split_once(')'))
            .filter(|(n, _)| !n.is_empty())
            && let Some((_, value)) = env.iter().rev().find(|(k, _)| k == name)
        {
            out.push_str(value);
            rest = after;
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// What to execute: the file, the name it is called by (`argv[0]`, as written), and its
/// arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exec {
    /// The file.
    pub program: PathBuf,
    /// `argv[0]`.
    pub argv0: String,
    /// The rest of `argv`.
    pub args: Vec<String>,
}

/// What the container executes, or the runtime's reason when its command cannot run.
pub fn resolve(
    image: &super::images::Image,
    container: &Value,
    env: &[(String, String)],
) -> Result<Exec, String> {
    let image_program = image.program.as_path();
    let expand_all =
        |v: &Value| -> Vec<String> { strings(v).iter().map(|s| expand(s, env)).collect() };
    let mut command = expand_all(&container["command"]);
    let mut args = expand_all(&container["args"]);
    // An image without an ENTRYPOINT runs its args as the command (they replace its CMD).
    if command.is_empty() && !image.entrypoint && !args.is_empty() {
        command = std::mem::take(&mut args);
    }
    if command.is_empty() && args.is_empty() && !image.default_command.is_empty() {
        command.clone_from(&image.default_command);
        if !image.applets {
            // The image's CMD names its own program.
            return Ok(Exec {
                program: image_program.to_path_buf(),
                argv0: command[0].clone(),
                args: command[1..].to_vec(),
            });
        }
    }
    let Some((first, rest)) = command.split_first() else {
        // A multi-call image's default command is its shell (busybox's CMD is `sh`).
        let argv0 = if image.applets {
            "sh".to_string()
        } else {
            image_program.display().to_string()
        };
        return Ok(Exec {
            program: image_program.to_path_buf(),
            argv0,
            args,
        });
    };
    let applet = first.rsplit('/').next().unwrap_or(first);
    let in_image_bin = ["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/"]
        .iter()
        .any(|d| first.starts_with(d));
    let program = if image.applets && (!first.contains('/') || in_image_bin) {
        // busybox's /bin/sh, /bin/wget, … are the one program under other names; a path
        // elsewhere (a mounted script) is a file.
        return Ok(Exec {
            program: image_program.to_path_buf(),
            argv0: applet.to_string(),
            args: rest.iter().cloned().chain(args).collect(),
        });
    } else if let Some(name) = image
        .toolbox
        .as_deref()
        .and_then(|tb| super::toolbox::applet(tb, first))
    {
        // An Alpine image's `nslookup`, `/bin/sh`: busybox under that name.
        return Ok(Exec {
            program: image.toolbox.clone().unwrap_or_default(),
            argv0: name.to_string(),
            args: rest.iter().cloned().chain(args).collect(),
        });
    } else if first.contains('/') {
        let p = PathBuf::from(first);
        if !p.is_file() {
            return Err(format!(
                "exec: \"{first}\": stat {first}: no such file or directory"
            ));
        }
        p
    } else {
        let path = env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        std::env::split_paths(path)
            .map(|dir| dir.join(first))
            .find(|p| is_executable(p))
            .ok_or_else(|| format!("exec: \"{first}\": executable file not found in $PATH"))?
    };
    Ok(Exec {
        program,
        argv0: first.clone(),
        args: rest.iter().cloned().chain(args).collect(),
    })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env() -> Vec<(String, String)> {
        vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("GREETING".into(), "hi".into()),
        ]
    }

    #[test]
    fn command_replaces_the_entrypoint_and_args_follow() {
        let image = &crate::kubelet::images::Image {
            program: PathBuf::from("/images/app"),
            applets: false,
            entrypoint: true,
            default_command: Vec::new(),
            layer: None,
            absent: Vec::new(),
            toolbox: None,
        };
        let e = resolve(image, &json!({"args": ["--port", "$(GREETING)"]}), &env()).unwrap();
        assert_eq!(
            (e.program.as_path(), e.args),
            (image.program.as_path(), vec!["--port".into(), "hi".into()])
        );
        let e = resolve(
            image,
            &json!({"command": ["sh", "-c"], "args": ["echo $(GREETING) $$HOME $(NOPE)"]}),
            &env(),
        )
        .unwrap();
        assert!(e.program.ends_with("sh"), "{e:?}");
        assert_eq!(e.argv0, "sh");
        assert_eq!(e.args, ["-c", "echo hi $HOME $(NOPE)"]);
        assert_eq!(
            resolve(image, &json!({"command": ["no-such-program"]}), &env()).unwrap_err(),
            "exec: \"no-such-program\": executable file not found in $PATH"
        );
        assert!(
            resolve(image, &json!({"command": ["/no/such"]}), &env())
                .unwrap_err()
                .contains("no such file or directory")
        );
    }
}

#[cfg(test)]
mod applet_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_multi_call_image_runs_its_applets_under_their_names() {
        let image = crate::kubelet::images::Image {
            program: PathBuf::from("/bin/busybox"),
            applets: true,
            entrypoint: false,
            default_command: Vec::new(),
            layer: None,
            absent: Vec::new(),
            toolbox: None,
        };
        let env = vec![("PATH".to_string(), "/nowhere".to_string())];
        let e = resolve(&image, &json!({"command": ["wget", "-qO-", "web"]}), &env).unwrap();
        assert_eq!(
            (e.program, e.argv0.as_str()),
            (PathBuf::from("/bin/busybox"), "wget")
        );
        assert_eq!(e.args, ["-qO-", "web"]);
        let e = resolve(&image, &json!({"command": ["/bin/sh", "-c", "true"]}), &env).unwrap();
        assert_eq!(e.argv0, "sh");
        assert_eq!(resolve(&image, &json!({}), &env).unwrap().argv0, "sh");
        // No ENTRYPOINT: `kubectl run --image=busybox -- wget …` puts the command in args.
        let e = resolve(&image, &json!({"args": ["wget", "-qO-", "web"]}), &env).unwrap();
        assert_eq!((e.argv0.as_str(), e.args.len()), ("wget", 2));
    }
}
