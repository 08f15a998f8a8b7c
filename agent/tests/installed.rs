//! todo-ops as an installed tool: the three binaries copied into an empty folder with no
//! checkout above it, run with an empty HOME and no other environment. `setup helm` installs
//! the Helm SDK from a local copy of the pinned wheel; then the built-in playbooks and charts,
//! a scenario's diagnose and `fix --dry-run`, and the one-shot demo all work there, and bash
//! completes `todo-ops di` from the generated completion script.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use todo_ops_tools::helm::install::PINNED;

/// A folder outside the checkout holding `bin/` (the binaries), `home/` and `work/`.
struct Installed {
    root: PathBuf,
    env: Vec<(String, PathBuf)>,
}

impl Installed {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("todo-ops-installed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["bin", "home", "work"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_todo-ops"));
        for name in ["todo-ops", "todo-backend", "todo-frontend"] {
            let from = exe.with_file_name(name);
            assert!(
                from.is_file(),
                "{} missing: the workspace test run builds it",
                from.display()
            );
            std::fs::copy(&from, root.join("bin").join(name)).unwrap();
        }
        assert!(
            !root.ancestors().any(|a| a.join("Cargo.toml").exists()),
            "{} must not be inside a checkout",
            root.display()
        );
        Installed { root, env: vec![] }
    }

    /// The same installation, with one more environment variable for every command.
    fn with_env(mut self, key: &str, value: &Path) -> Self {
        self.env.push((key.into(), value.to_path_buf()));
        self
    }

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    /// `todo-ops ARGS` in `work/`, with nothing from this environment but PATH.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(self.root.join("bin/todo-ops"));
        c.args(args)
            .current_dir(self.root.join("work"))
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = self.cmd(&["sim", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn local_wheel() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.local/helm")
        .join(PINNED.filename);
    assert!(
        p.is_file(),
        "{} missing: scripts/install-helm-lib keeps the wheel there",
        p.display()
    );
    p
}

#[test]
fn installed_binary_works_away_from_the_checkout() {
    let t = Installed::new();

    let before = t.run(&["--version"]);
    let before_text = text(&before);
    assert!(before.status.success(), "{before_text}");
    assert!(
        before_text.contains("Helm SDK: not usable") && before_text.contains("todo-ops setup helm"),
        "{before_text}"
    );
    // A command that needs Helm, before set-up, says the one command that fixes it.
    let no_helm = t.run(&["sim", "start", "--scenario", "scaled-to-zero"]);
    let no_helm_text = text(&no_helm);
    assert_eq!(no_helm.status.code(), Some(2), "{no_helm_text}");
    assert!(
        no_helm_text.contains("`todo-ops setup helm`"),
        "{no_helm_text}"
    );
    let stop = t.run(&["sim", "stop"]);
    assert!(stop.status.success(), "{}", text(&stop));

    let wheel = local_wheel();
    let setup = t.run(&["setup", "helm", "--wheel", wheel.to_str().unwrap()]);
    let lib = t.home().join(".local/share/todo-ops/lib/libhelm_c.so");
    assert!(setup.status.success(), "{}", text(&setup));
    assert!(lib.is_file(), "{}", text(&setup));
    let version = text(&t.run(&["--version"]));
    assert!(
        version.contains(&format!("Helm SDK {}", PINNED.helm_version))
            && version.contains(&lib.display().to_string())
            && version.contains("Kubernetes API 1."),
        "{version}"
    );
    let again = text(&t.run(&["setup", "helm", "--wheel", wheel.to_str().unwrap()]));
    assert!(again.contains("already installed"), "{again}");

    let list = t.run(&["playbook", "list"]);
    assert!(list.status.success(), "{}", text(&list));
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("verify"),
        "{}",
        text(&list)
    );
    // A person's own playbooks: exported, edited, named in the settings file.
    let config = t.home().join(".config/todo-ops");
    let mine = config.join("my-playbooks");
    let export = t.run(&["playbook", "export", mine.to_str().unwrap()]);
    assert!(export.status.success(), "{}", text(&export));
    let verify = mine.join("verify.md");
    let edited = std::fs::read_to_string(&verify).unwrap().replace(
        "title: Verify the deployment is healthy",
        "title: Our own verify",
    );
    std::fs::write(&verify, edited).unwrap();
    std::fs::write(config.join("config.toml"), "playbooks = \"my-playbooks\"\n").unwrap();
    let list = text(&t.run(&["playbook", "list"]));
    assert!(list.contains("Our own verify"), "{list}");
    std::fs::write(config.join("config.toml"), "playbooks = \"gone\"\n").unwrap();
    let gone = text(&t.run(&["playbook", "list"]));
    assert!(
        gone.contains("gone") && gone.contains("config.toml"),
        "{gone}"
    );
    std::fs::remove_file(config.join("config.toml")).unwrap();

    let export = t.run(&["charts", "export", "my-charts"]);
    assert!(export.status.success(), "{}", text(&export));
    assert!(
        t.root
            .join("work/my-charts/todo-backend/Chart.yaml")
            .is_file()
    );

    // A scenario on a background kubesim, installed with the built-in charts.
    let start = t.run(&[
        "sim",
        "start",
        "--time-scale",
        "10",
        "--scenario",
        "scaled-to-zero",
    ]);
    assert!(start.status.success(), "{}", text(&start));
    // As a person would: the kubeconfig `sim start` printed, named by the error too.
    let bare = text(&t.run(&["diagnose"]));
    let kubeconfig = t.home().join(".local/state/todo-ops/kubesim.kubeconfig");
    assert!(
        bare.contains(&format!("export KUBECONFIG={}", kubeconfig.display())),
        "{bare}"
    );
    let t = t.with_env("KUBECONFIG", &kubeconfig);
    let deadline = Instant::now() + Duration::from_secs(60);
    let diagnosis = loop {
        let d = t.run(&["diagnose"]);
        if d.status.code() == Some(1) || Instant::now() > deadline {
            break d;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let diagnosis_text = text(&diagnosis);
    assert_eq!(diagnosis.status.code(), Some(1), "{diagnosis_text}");
    assert!(diagnosis_text.contains("todo-backend"), "{diagnosis_text}");
    let fix = t.run(&["fix", "--dry-run"]);
    let fix_text = text(&fix);
    // 1: changes are pending, as `kubectl diff` says it.
    assert_eq!(fix.status.code(), Some(1), "{fix_text}");
    assert!(fix_text.contains("replicaCount"), "{fix_text}");
    let stop = t.run(&["sim", "stop"]);
    assert!(stop.status.success(), "{}", text(&stop));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let demo = t.run(&["demo", "--check", "--scenario", "none", "--port", &port]);
    let demo_text = text(&demo);
    assert!(demo.status.success(), "{demo_text}");
    assert!(
        demo_text.contains("check: signed up and added a task"),
        "{demo_text}"
    );
}

#[test]
fn bash_completes_a_subcommand_from_the_generated_script() {
    let t = Installed::new();
    let script = t.run(&["completions", "bash"]);
    assert!(script.status.success(), "{}", text(&script));
    let file = t.root.join("todo-ops.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let probe = format!(
        r#"source {file}
f=$(complete -p todo-ops | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_WORDS=(todo-ops di); COMP_CWORD=1; COMP_LINE="todo-ops di"; COMP_POINT=${{#COMP_LINE}}
"$f" todo-ops di todo-ops
printf '%s\n' "${{COMPREPLY[@]}}""#,
        file = file.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>(),
        vec!["diagnose"],
        "{}",
        text(&out)
    );

    let man = t.run(&["man"]);
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.status.success() && page.contains(".SH NAME") && page.contains("diagnose"),
        "{page}"
    );
    let dir = t.root.join("man1");
    let pages = t.run(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(pages.status.success(), "{}", text(&pages));
    assert!(
        dir.join("todo-ops-diagnose.1").is_file(),
        "{}",
        text(&pages)
    );
}
