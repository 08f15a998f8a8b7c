//! A container whose `command` (or `args`) runs a program its image does not have: the
//! runtime could not execute it, or the shell the command starts could not find it (exit
//! 127, "not found"). Without the override the image runs its own entrypoint and command,
//! which is the one change that follows from that evidence alone.

use serde_json::Value;

use super::Container;
use crate::repair::FieldChange;

/// The exit codes of a shell that could not find (127) or execute (126) a command.
const SHELL_CANNOT_RUN: [i64; 2] = [126, 127];

/// The program the container's shell could not run, from its exit code and last log lines
/// (`sh: 1: python3: not found`, `bash: foo: command not found`, `…: Permission denied`).
pub(super) fn not_found_in_shell(c: &Container) -> Option<String> {
    let code = c.last["exitCode"].as_i64()?;
    if !SHELL_CANNOT_RUN.contains(&code) {
        return None;
    }
    let log = c.logs.get(c.pod_name, c.name)?;
    log.lines().rev().take(5).find_map(|line| {
        let line = line.trim();
        let rest = [
            "command not found",
            "not found",
            "No such file or directory",
            "Permission denied",
        ]
        .iter()
        .find_map(|end| line.strip_suffix(end))?;
        // `sh: 1: NAME: ` / `bash: NAME: ` / `/bin/sh: NAME: `: the name is the last field.
        let name = rest
            .trim_end()
            .trim_end_matches(':')
            .rsplit(": ")
            .next()?
            .trim();
        (!name.is_empty() && !name.contains(' ')).then(|| name.to_string())
    })
}

/// The program `program` is a typo of, corrected where the command or arguments say it,
/// everything else kept: None when it is no near miss of a common program, or the
/// command does not say it as a word.
pub(super) fn typo_corrected(c: &Container, program: &str) -> Option<Vec<FieldChange>> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let (meant, edits) = crate::nearest::nearest(base, crate::programs::COMMON.iter().copied())?;
    let corrected = format!("{}{meant}", &program[..program.len() - base.len()]);
    let basis = format!(
        "{program:?} is no program of the image; {corrected:?} is {edits} edit(s) from it, the rest of the command kept"
    );
    let changes: Vec<FieldChange> = ["command", "args"]
        .iter()
        .filter_map(|field| {
            let current = c.spec[*field].as_array()?;
            let mut said = false;
            let proposed: Vec<Value> = current
                .iter()
                .map(|item| match item.as_str() {
                    Some(text) => {
                        let (fixed, n) = crate::nearest::replace_word(text, program, &corrected);
                        said |= n > 0;
                        Value::String(fixed)
                    }
                    None => item.clone(),
                })
                .collect();
            said.then(|| {
                c.change(
                    field,
                    Value::Array(current.clone()),
                    Some(Value::Array(proposed)),
                    basis.clone(),
                )
            })
        })
        .collect();
    (!changes.is_empty()).then_some(changes)
}

/// The changes that let the image run its own entrypoint: the `command` override removed
/// (and its `args`, which would otherwise be handed to that entrypoint), for `program`.
pub(super) fn without_the_override(c: &Container, program: &str) -> Vec<FieldChange> {
    let image = c.spec["image"].as_str().unwrap_or("its image");
    let basis = format!(
        "{image} has no {program:?}; without the override the image runs its own entrypoint"
    );
    let fields: &[&str] = if c.spec["command"].is_array() {
        &["command", "args"]
    } else {
        &["args"]
    };
    fields
        .iter()
        .filter_map(|field| {
            let current = c.spec[*field].as_array()?;
            Some(FieldChange {
                init: c.init,
                object: c.owner.clone(),
                container: Some(c.name.to_string()),
                field: (*field).into(),
                current: Value::Array(current.clone()),
                proposed: Some(Value::Null),
                basis: basis.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::analyzers::Logs;
    use crate::analyzers::pods::analyze;
    use crate::snapshot::Snapshot;

    fn crashed(container: Value, code: i64, log: &str) -> (Snapshot, Logs) {
        let snap = Snapshot {
            pods: vec![json!({
                "metadata": {"name": "app-1", "namespace": "web"},
                "spec": {"containers": [container]},
                "status": {"containerStatuses": [{
                    "name": "app", "ready": false, "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": code, "reason": "Error"}}
                }]}
            })],
            ..Default::default()
        };
        let logs = Logs {
            previous: vec![(("app-1".into(), "app".into()), log.into())],
            ..Default::default()
        };
        (snap, logs)
    }

    fn crash_loop(snap: &Snapshot, logs: &Logs) -> crate::analyzers::Finding {
        analyze(snap, logs)
            .into_iter()
            .find(|f| f.id == "crash-loop")
            .expect("a crash loop")
    }

    #[test]
    fn a_shell_command_running_a_program_the_image_lacks_loses_its_override() {
        let (snap, logs) = crashed(
            json!({"name": "app", "image": "nginx", "command": ["/bin/sh", "-c"],
                   "args": ["python3 -c 'print(1)'"]}),
            127,
            "/bin/sh: 1: python3: not found\n",
        );
        let f = crash_loop(&snap, &logs);
        let fields: Vec<(&str, &Option<Value>)> = f
            .changes
            .iter()
            .map(|c| (c.field.as_str(), &c.proposed))
            .collect();
        assert_eq!(
            fields,
            [
                ("command", &Some(Value::Null)),
                ("args", &Some(Value::Null))
            ]
        );
        assert!(f.changes[0].basis.contains("nginx has no \"python3\""));
        assert!(
            f.evidence
                .iter()
                .any(|e| e.contains("could not run \"python3\""))
        );
    }

    #[test]
    fn a_misspelled_program_is_corrected_and_the_rest_of_the_command_kept() {
        let (snap, logs) = crashed(
            json!({"name": "app", "image": "busybox:1.36",
                   "command": ["sh", "-c", "echo invoicer starting; slep 3600"]}),
            127,
            "invoicer starting\nsh: slep: not found\n",
        );
        let f = crash_loop(&snap, &logs);
        assert_eq!(f.changes.len(), 1, "{:?}", f.changes);
        assert_eq!(f.changes[0].field, "command");
        assert_eq!(
            f.changes[0].proposed,
            Some(json!(["sh", "-c", "echo invoicer starting; sleep 3600"]))
        );
        // In the arguments of a shell, a word inside another word is left alone.
        let (snap, logs) = crashed(
            json!({"name": "app", "image": "python:3.12", "command": ["/bin/sh", "-c"],
                   "args": ["echo pyhton3-ready && pyhton3 -c 'print(1)'"]}),
            127,
            "/bin/sh: 1: pyhton3: not found\n",
        );
        let f = crash_loop(&snap, &logs);
        assert_eq!(f.changes.len(), 1, "{:?}", f.changes);
        assert_eq!(
            f.changes[0].proposed,
            Some(json!(["echo pyhton3-ready && python3 -c 'print(1)'"]))
        );
    }

    #[test]
    fn args_alone_lose_only_themselves_and_bash_says_it_its_own_way() {
        let (snap, logs) = crashed(
            json!({"name": "app", "image": "debian", "args": ["reconcile", "--once"]}),
            127,
            "bash: line 1: reconcile: command not found\n",
        );
        let f = crash_loop(&snap, &logs);
        assert_eq!(f.changes.len(), 1, "{:?}", f.changes);
        assert_eq!(f.changes[0].field, "args");
    }

    #[test]
    fn an_app_error_that_says_not_found_is_not_a_missing_program() {
        // Exit 1 with an app's own "not found": nothing to take away.
        let (snap, logs) = crashed(
            json!({"name": "app", "image": "shop:2", "command": ["shop", "serve"]}),
            1,
            "ERROR config file /etc/shop.yaml: not found\n",
        );
        assert!(crash_loop(&snap, &logs).changes.is_empty());
        // Exit 127 from the app itself, with no shell's words: nothing either.
        let (snap, logs) = crashed(
            json!({"name": "app", "image": "shop:2", "command": ["shop", "serve"]}),
            127,
            "fatal: giving up\n",
        );
        assert!(crash_loop(&snap, &logs).changes.is_empty());
    }
}
