//! Reading a plain request: which intent, which app or object, which number or values.

use serde_json::Value;
use todo_ops_tools::values::ValuesPatch;

/// What a request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Run every analyzer and report.
    Diagnose,
    /// Rollout state of the Deployments.
    Status,
    /// Diagnose, then apply the first suggested values patch (through the gate).
    Fix,
    /// Scale a Deployment.
    Scale {
        /// The Deployment.
        deployment: String,
        /// Replicas.
        replicas: i32,
    },
    /// Rolling restart.
    Restart(String),
    /// Helm rollback to the previous revision.
    Rollback(String),
    /// The log tail of an app's first pod (or of a named pod).
    Logs(String),
    /// Recent events, optionally about one object.
    Events {
        /// Only warnings.
        warnings_only: bool,
        /// Only about this object.
        object: Option<String>,
    },
    /// Describe one object.
    Describe {
        /// `pod`, `deployment`, `replicaset` or `service`.
        kind: String,
        /// Its name.
        name: String,
    },
    /// A release's values.
    Values {
        /// The release.
        release: String,
        /// Computed values, not only user-supplied.
        all: bool,
    },
    /// What a values change would do.
    DiffValues {
        /// The release.
        release: String,
        /// The change.
        patch: Value,
    },
    /// The pods.
    Pods,
    /// Deploying the chatbot (answered with the commands).
    Deploy,
    /// Port-forwarding (answered with the command).
    PortForward(String),
    /// A playbook by name (answered with how to run it: `/run NAME`).
    Playbook(String),
    /// What the planner can do.
    Help,
    /// Not understood.
    Unknown,
}

/// The app a request names: short names as whole words ("ui" inside "quickly" is not the
/// UI), long ones also inside a word ("todo-frontend").
pub fn app(words: &[&str]) -> Option<String> {
    let any = |names: &[&str]| {
        words.iter().any(|w| {
            names
                .iter()
                .any(|n| *w == *n || (n.len() > 3 && w.contains(n)))
        })
    };
    if any(&["frontend", "ui", "web", "website"]) {
        Some("todo-frontend".into())
    } else if any(&["backend", "api", "server"]) {
        Some("todo-backend".into())
    } else {
        None
    }
}

fn number(words: &[&str]) -> Option<i32> {
    const NAMES: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    words.iter().find_map(|w| {
        w.parse::<i32>()
            .ok()
            .or_else(|| NAMES.iter().position(|n| n == w).map(|i| i as i32))
    })
}

/// `key=value` pairs of a request as one values patch (`replicaCount=3`, `image.tag=v2`).
fn values_patch(request: &str) -> Option<Value> {
    let mut patch = ValuesPatch::new(serde_json::json!({})).ok()?;
    let mut any = false;
    for pair in request.split_whitespace().filter_map(|w| w.split_once('=')) {
        let (key, raw) = pair;
        let raw = raw.trim_end_matches([',', '.', '?']);
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.into()));
        let one = ValuesPatch::set(key, value).ok()?;
        patch = ValuesPatch(one.apply_to(&patch.0));
        any = true;
    }
    any.then_some(patch.0)
}

/// The word after `kind` (`pod todo-backend-abc`), as an object name.
fn named_after(words: &[&str], kinds: &[&str]) -> Option<String> {
    words
        .windows(2)
        .find(|w| kinds.contains(&w[0]) && !["the", "a", "of", "for"].contains(&w[1]))
        .map(|w| w[1].to_string())
}

/// Reads a request.
pub fn intent(request: &str) -> Intent {
    let t = request.to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '.' && c != '=')
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let any = |ws: &[&str]| ws.iter().any(|w| has(w));
    let target = app(&words);

    if any(&["help", "commands"]) || t.contains("what can you do") {
        return Intent::Help;
    }
    if has("playbook") {
        let name = named_after(&words, &["playbook"]).unwrap_or_default();
        return Intent::Playbook(name);
    }
    if any(&["port-forward", "portforward", "forward"]) {
        return Intent::PortForward(target.unwrap_or_else(|| "todo-frontend".into()));
    }
    if any(&["deploy", "install"]) && !any(&["deployment", "deployments"]) {
        return Intent::Deploy;
    }
    if has("diff") {
        if let (Some(release), Some(patch)) = (target.clone(), values_patch(request)) {
            return Intent::DiffValues { release, patch };
        }
        return Intent::Unknown;
    }
    if any(&["scale", "replicas"]) {
        return match (target, number(&words)) {
            (Some(deployment), Some(replicas)) => Intent::Scale {
                deployment,
                replicas,
            },
            _ => Intent::Unknown,
        };
    }
    if any(&["restart", "bounce", "reboot"]) {
        return target.map_or(Intent::Unknown, Intent::Restart);
    }
    if any(&["rollback", "undo", "revert"]) || t.contains("roll back") {
        return target.map_or(Intent::Unknown, Intent::Rollback);
    }
    if any(&["log", "logs"]) {
        return Intent::Logs(
            named_after(&words, &["pod"])
                .unwrap_or_else(|| target.unwrap_or("todo-backend".into())),
        );
    }
    if any(&["event", "events", "warnings"]) {
        return Intent::Events {
            warnings_only: any(&["warning", "warnings"]),
            object: target,
        };
    }
    if any(&["describe", "details"]) {
        for kind in ["pod", "replicaset", "service", "deployment"] {
            if let Some(name) = named_after(&words, &[kind, &format!("{kind}s")]) {
                return Intent::Describe {
                    kind: kind.into(),
                    name,
                };
            }
        }
        let kind = if any(&["service", "svc"]) {
            "service"
        } else {
            "deployment"
        };
        return target.map_or(Intent::Unknown, |name| Intent::Describe {
            kind: kind.into(),
            name,
        });
    }
    if any(&["values", "config", "configuration", "settings"]) {
        return target.map_or(Intent::Unknown, |release| Intent::Values {
            release,
            all: any(&["all", "computed", "effective"]),
        });
    }
    if any(&["fix", "repair", "heal", "remediate"]) {
        return Intent::Fix;
    }
    if any(&["pods", "pod", "containers"]) {
        return Intent::Pods;
    }
    if any(&["status", "rollout", "deployments", "progress"]) {
        return Intent::Status;
    }
    let trouble = [
        "why",
        "wrong",
        "down",
        "broken",
        "failing",
        "diagnose",
        "health",
        "healthy",
        "crash",
        "crashing",
        "error",
        "errors",
        "check",
        "problem",
        "issue",
        "issues",
        "slow",
        "ok",
        "working",
        "unavailable",
    ];
    if any(&trouble) {
        return Intent::Diagnose;
    }
    Intent::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scale(d: &str, n: i32) -> Intent {
        Intent::Scale {
            deployment: d.into(),
            replicas: n,
        }
    }

    #[test]
    fn plain_requests_map_to_intents() {
        let be = || "todo-backend".to_string();
        let fe = || "todo-frontend".to_string();
        let cases: Vec<(&str, Intent)> = vec![
            ("why is the backend down?", Intent::Diagnose),
            ("what's wrong", Intent::Diagnose),
            ("Is everything healthy?", Intent::Diagnose),
            ("diagnose", Intent::Diagnose),
            ("the app is crashing", Intent::Diagnose),
            ("check the cluster please", Intent::Diagnose),
            ("is the chatbot working?", Intent::Diagnose),
            ("status", Intent::Status),
            ("show me the rollout status", Intent::Status),
            ("list deployments", Intent::Status),
            ("fix it", Intent::Fix),
            ("please repair the backend", Intent::Fix),
            ("scale the frontend to 3", scale("todo-frontend", 3)),
            ("please scale backend to 0", scale("todo-backend", 0)),
            ("scale the ui to five", scale("todo-frontend", 5)),
            ("set backend replicas to 4", scale("todo-backend", 4)),
            ("scale it up", Intent::Unknown),
            ("restart the backend", Intent::Restart(be())),
            ("restart the ui", Intent::Restart(fe())),
            ("bounce the api", Intent::Restart(be())),
            ("restart quickly", Intent::Unknown),
            ("roll back the frontend", Intent::Rollback(fe())),
            ("rollback backend", Intent::Rollback(be())),
            ("undo the last backend upgrade", Intent::Rollback(be())),
            ("show backend logs", Intent::Logs(be())),
            ("logs of the frontend", Intent::Logs(fe())),
            (
                "logs of pod todo-backend-7d9f-abcde",
                Intent::Logs("todo-backend-7d9f-abcde".into()),
            ),
            (
                "show warning events",
                Intent::Events {
                    warnings_only: true,
                    object: None,
                },
            ),
            (
                "events for the backend",
                Intent::Events {
                    warnings_only: false,
                    object: Some(be()),
                },
            ),
            (
                "any warnings?",
                Intent::Events {
                    warnings_only: true,
                    object: None,
                },
            ),
            (
                "describe the backend",
                Intent::Describe {
                    kind: "deployment".into(),
                    name: be(),
                },
            ),
            (
                "describe pod todo-frontend-5c-x1",
                Intent::Describe {
                    kind: "pod".into(),
                    name: "todo-frontend-5c-x1".into(),
                },
            ),
            (
                "describe the frontend service",
                Intent::Describe {
                    kind: "service".into(),
                    name: fe(),
                },
            ),
            (
                "show values of the backend",
                Intent::Values {
                    release: be(),
                    all: false,
                },
            ),
            (
                "show all computed values of the frontend",
                Intent::Values {
                    release: fe(),
                    all: true,
                },
            ),
            (
                "what is the backend config",
                Intent::Values {
                    release: be(),
                    all: false,
                },
            ),
            (
                "diff values of backend with replicaCount=3",
                Intent::DiffValues {
                    release: be(),
                    patch: json!({"replicaCount": 3}),
                },
            ),
            (
                "diff the frontend image.tag=v2",
                Intent::DiffValues {
                    release: fe(),
                    patch: json!({"image": {"tag": "v2"}}),
                },
            ),
            ("list pods", Intent::Pods),
            ("show me the containers", Intent::Pods),
            ("deploy the chatbot", Intent::Deploy),
            ("install everything", Intent::Deploy),
            ("port-forward the frontend", Intent::PortForward(fe())),
            ("forward the api port", Intent::PortForward(be())),
            (
                "run playbook oom-killed",
                Intent::Playbook("oom-killed".into()),
            ),
            ("help", Intent::Help),
            ("what can you do?", Intent::Help),
            ("write me a poem", Intent::Unknown),
        ];
        assert!(cases.len() >= 40);
        for (text, want) in cases {
            assert_eq!(intent(text), want, "{text}");
        }
    }
}
