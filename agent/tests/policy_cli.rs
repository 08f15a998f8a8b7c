//! `todo-ops policy check`: which rule of a policy file decides a call, and what each mode
//! does with it; a bad policy file is named with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args(args)
        .env_remove("TODO_OPS_POLICY")
        .env(
            "XDG_CONFIG_HOME",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("policy-cli-config"),
        )
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn policy_check_names_the_deciding_rule_and_bad_files_their_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("policy-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.toml");
    std::fs::write(
        &file,
        "[[rule]]\nverb = \"delete\"\nnamespace = \"prod*\"\ndecision = \"deny\"\n\n[[rule]]\nkind = \"secret\"\ndecision = \"ask\"\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = run(&[
        "policy",
        "check",
        "delete",
        r#"{"object": "pod/web-1", "namespace": "prod-eu"}"#,
        "--policy",
        f,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("rule 1 decides"), "{out}");
    assert!(
        out.contains("--yes: refused"),
        "deny holds under --yes too: {out}"
    );
    let (_, out, _) = run(&[
        "policy",
        "check",
        "patch",
        r#"{"object": "secret/db"}"#,
        "--policy",
        f,
    ]);
    assert!(
        out.contains("rule 2 decides") && out.contains("asking (the default): asks the person"),
        "{out}"
    );
    assert!(
        out.contains("--yes: refused"),
        "an ask rule has nobody to ask under --yes: {out}"
    );
    let (_, out, _) = run(&["policy", "check", "list_pods", "--paranoid"]);
    assert!(
        out.contains("no rule matches") && out.contains("asking (the default): asks the person"),
        "{out}"
    );

    std::fs::write(&file, "[[rule]]\ndecision = \"maybe\"\n").unwrap();
    let (code, _, err) = run(&["policy", "check", "scale", "--policy", f]);
    assert_eq!(code, Some(2));
    assert!(err.contains("line 2") && err.contains("maybe"), "{err}");
    let (code, _, err) = run(&[
        "policy",
        "check",
        "scale",
        "--policy",
        "/nonexistent/policy.toml",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("/nonexistent/policy.toml"), "{err}");
    let (code, _, err) = run(&["policy", "check", "frobnicate"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no tool named") && err.contains("scale"),
        "{err}"
    );
}
