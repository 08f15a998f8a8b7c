//! No Docker engine runs here, so the Dockerfiles' invariants are checked against the Cargo
//! targets and the ports the binaries use: multi-stage, small final base, numeric non-root
//! user, `EXPOSE` = default `PORT`, the built binary is the one that runs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::Path;

use todo_app::config::{DEFAULT_BACKEND_PORT, DEFAULT_FRONTEND_PORT};

struct Dockerfile {
    stages: Vec<Vec<(String, String)>>,
}

fn parse(path: &Path) -> Dockerfile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Join continuation lines, drop comments.
    let joined = text.replace("\\\n", " ");
    let mut stages: Vec<Vec<(String, String)>> = Vec::new();
    for line in joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (instr, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let instr = instr.to_ascii_uppercase();
        if instr == "FROM" {
            stages.push(Vec::new());
        }
        stages
            .last_mut()
            .unwrap_or_else(|| panic!("{}: instruction before FROM", path.display()))
            .push((instr, rest.trim().to_string()));
    }
    Dockerfile { stages }
}

fn cargo_bins() -> Vec<String> {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"').to_string())
        .collect()
}

fn check(file: &str, bin: &str, port: u16) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let df = parse(&root.join(file));
    assert!(df.stages.len() >= 2, "{file}: must be multi-stage");
    assert!(
        cargo_bins().contains(&bin.to_string()),
        "{bin} is not a [[bin]] of app/Cargo.toml"
    );

    let build: Vec<&(String, String)> = df.stages[..df.stages.len() - 1].iter().flatten().collect();
    assert!(
        build.iter().any(|(i, r)| i == "RUN"
            && r.contains("cargo build --release --locked")
            && r.contains(&format!("--bin {bin}"))),
        "{file}: the build stage must build --bin {bin} with --locked"
    );

    let last = df.stages.last().unwrap();
    let base = &last[0].1;
    assert!(
        !base.starts_with("rust"),
        "{file}: the final image must not be the Rust toolchain ({base})"
    );
    assert!(
        base.contains("distroless") || base.contains("slim") || base.contains("alpine"),
        "{file}: final base {base} is not small"
    );
    let get = |instr: &str| {
        last.iter()
            .filter(|(i, _)| i == instr)
            .map(|(_, r)| r.clone())
            .collect::<Vec<_>>()
    };

    let users = get("USER");
    assert_eq!(
        users.len(),
        1,
        "{file}: the final stage needs exactly one USER"
    );
    let uid = users[0].split(':').next().unwrap();
    let uid: u32 = uid
        .parse()
        .unwrap_or_else(|_| panic!("{file}: USER {uid} must be numeric (runAsNonRoot needs it)"));
    assert!(uid > 0, "{file}: USER must not be root");

    assert_eq!(
        get("EXPOSE"),
        vec![port.to_string()],
        "{file}: EXPOSE must match the default PORT"
    );
    assert!(
        get("ENV")
            .iter()
            .any(|e| e.contains(&format!("PORT={port}"))),
        "{file}: ENV PORT={port} expected"
    );

    let copied = get("COPY");
    assert!(
        copied
            .iter()
            .any(|c| c.starts_with("--from=") && c.ends_with(&format!("/usr/local/bin/{bin}"))),
        "{file}: binary not copied from the build stage"
    );
    assert_eq!(
        get("ENTRYPOINT"),
        vec![format!("[\"/usr/local/bin/{bin}\"]")],
        "{file}: ENTRYPOINT"
    );
}

#[test]
fn backend_dockerfile() {
    check("Dockerfile.backend", "todo-backend", DEFAULT_BACKEND_PORT);
}

#[test]
fn frontend_dockerfile() {
    check(
        "Dockerfile.frontend",
        "todo-frontend",
        DEFAULT_FRONTEND_PORT,
    );
}

#[test]
fn dockerignore_keeps_the_context_small() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.dockerignore");
    let text = std::fs::read_to_string(&path).expect(".dockerignore at the repository root");
    for entry in ["target", ".git"] {
        assert!(
            text.lines().any(|l| l.trim() == entry),
            ".dockerignore must list {entry}"
        );
    }
}
