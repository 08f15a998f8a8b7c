//! The approval policy a person writes (`policy.toml` beside the settings file, or
//! `--policy FILE`): rules that match a call's tool, verb, kind, namespace and name, each
//! deciding `allow`, `ask` or `deny`; the first that matches wins. Pure data and matching:
//! `approval::decide` reads it, nothing here does IO but [`load`].
//!
//! ```toml
//! paranoid = false                  # ask for every call, reads included
//! changes_only_in_playbooks = false # changes only while a playbook runs
//!
//! [[rule]]
//! verb = "delete"
//! namespace = "prod*"
//! decision = "deny"
//!
//! [[rule]]
//! tool = "scale"
//! namespace = "staging"
//! decision = "allow"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use todo_ops_tools::object_versions::{HELM_RELEASE, ObjectRef};
use todo_ops_tools::tool::Tool;

/// What a call does, as a rule names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    /// Looks only.
    Read,
    /// Makes something new (apply, install).
    Create,
    /// Changes something that exists.
    Update,
    /// Removes something.
    Delete,
    /// Runs a command in a container.
    Exec,
}

/// What a rule decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Runs without asking.
    Allow,
    /// Waits for the person's yes.
    Ask,
    /// Refused; the model is told which rule refused it.
    Deny,
}

/// One rule: every field given must match (`*` in a pattern matches any run of characters).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The tool's name pattern, e.g. `helm_*`.
    #[serde(default)]
    pub tool: Option<String>,
    /// The verb.
    #[serde(default)]
    pub verb: Option<Verb>,
    /// The object's kind pattern, e.g. `deployment`, `secret`, `helmrelease`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The namespace pattern.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The object's name pattern.
    #[serde(default)]
    pub name: Option<String>,
    /// What happens to a matching call.
    pub decision: Decision,
}

/// The policy: presets and rules.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Ask for every call that no rule decides, reads included.
    #[serde(default)]
    pub paranoid: bool,
    /// Changes no rule allows run only while a playbook runs (and are still asked for).
    #[serde(default)]
    pub changes_only_in_playbooks: bool,
    /// The rules, first match wins.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    /// Kinds no call may name, read or write (`secrets`, `configmaps`, …), before any rule.
    #[serde(default)]
    pub deny_kinds: Vec<String>,
}

/// A kind as written by a person or a call, compared: lowercase, singular.
fn kind_key(kind: &str) -> String {
    let k = kind.trim().to_ascii_lowercase();
    k.strip_suffix('s').map(str::to_string).unwrap_or(k)
}

impl Policy {
    /// The first kind `call` names that the policy denies.
    pub fn denied_kind<'a>(&self, call: &'a Call) -> Option<&'a str> {
        let denied: Vec<String> = self.deny_kinds.iter().map(|k| kind_key(k)).collect();
        call.objects
            .iter()
            .map(|o| o.kind.as_str())
            .find(|k| denied.contains(&kind_key(k)))
    }
}

/// A call as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The tool.
    pub tool: String,
    /// What it does.
    pub verb: Verb,
    /// The object's kind (`deployment`, `pod`, `helmrelease`, …), when it names one.
    pub kind: Option<String>,
    /// The namespace it acts in.
    pub namespace: String,
    /// The object's name, when it names one.
    pub name: Option<String>,
    /// Every object the call names: its object, or each document of a manifest.
    pub objects: Vec<ObjectRef>,
}

/// The verb of a tool: reads read; the rest by what the tool does.
pub fn verb_of(name: &str, tool: Option<&dyn Tool>) -> Verb {
    if tool.is_some_and(|t| !t.mutates()) {
        return Verb::Read;
    }
    match name {
        "exec" => Verb::Exec,
        "delete" | "delete_pod" | "helm_uninstall" => Verb::Delete,
        "apply" | "helm_install" => Verb::Create,
        _ => Verb::Update,
    }
}

/// What a call acts on, read from its arguments; `session_namespace` when it names none.
pub fn call_of(name: &str, tool: Option<&dyn Tool>, args: &Value, session_namespace: &str) -> Call {
    let s = |k: &str| args[k].as_str().map(str::to_string);
    let (kind, object) =
        if let Some((k, n)) = s("object").as_deref().and_then(|o| o.split_once('/')) {
            (Some(k.to_ascii_lowercase()), Some(n.to_string()))
        } else if let Some(d) = s("deployment") {
            (Some("deployment".into()), Some(d))
        } else if let Some(p) = s("pod") {
            (Some("pod".into()), Some(p))
        } else if let Some(r) = s("release").or_else(|| s("chart")) {
            (Some(HELM_RELEASE.into()), Some(r))
        } else {
            (None, None)
        };
    let mut call = Call {
        tool: name.to_string(),
        // A re-create deletes first: rules about deletions hold for it.
        verb: if args["recreate"] == true && verb_of(name, tool) != Verb::Read {
            Verb::Delete
        } else {
            verb_of(name, tool)
        },
        kind,
        namespace: s("namespace").unwrap_or_else(|| session_namespace.to_string()),
        name: object,
        objects: Vec::new(),
    };
    call.objects = crate::core::access::named_objects(&call, args);
    call
}

/// Whether `text` fits `pattern`, where `*` matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

impl Rule {
    /// Whether the rule matches `call`: every field it gives fits.
    pub fn matches(&self, call: &Call) -> bool {
        let fits = |pattern: &Option<String>, value: Option<&str>| match (pattern, value) {
            (None, _) => true,
            (Some(p), Some(v)) => glob(p, v),
            (Some(_), None) => false,
        };
        fits(&self.tool, Some(&call.tool))
            && self.verb.is_none_or(|v| v == call.verb)
            && fits(&self.kind, call.kind.as_deref())
            && fits(&self.namespace, Some(&call.namespace))
            && fits(&self.name, call.name.as_deref())
    }

    /// The rule in the words of a policy file.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("tool", &self.tool),
            ("kind", &self.kind),
            ("namespace", &self.namespace),
            ("name", &self.name),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k} = {v:?}"));
            }
        }
        if let Some(v) = self.verb {
            parts.push(format!("verb = {:?}", format!("{v:?}").to_lowercase()));
        }
        parts.push(format!(
            "decision = {:?}",
            format!("{:?}", self.decision).to_lowercase()
        ));
        parts.join(", ")
    }
}

impl Policy {
    /// The first rule that matches `call`, with its number (1-based, as in the file).
    pub fn rule_for(&self, call: &Call) -> Option<(usize, &Rule)> {
        self.rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(call))
            .map(|(i, r)| (i + 1, r))
    }

    /// The preset that asks for every call.
    pub fn paranoid() -> Self {
        Self {
            paranoid: true,
            ..Self::default()
        }
    }
}

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// It cannot be read.
    #[error("reading the policy file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a policy.
    #[error("the policy file {path} is not valid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and where (TOML names the line).
        message: String,
    },
}

/// Where the policy lives unless `--policy` says: beside the settings file.
pub fn default_path() -> PathBuf {
    crate::ops::settings::default_path().with_file_name("policy.toml")
}

/// Reads `path`; a missing default file is no policy, a missing named one an error.
pub fn load(path: &Path, named: bool) -> Result<Policy, PolicyError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if !named && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Policy::default());
        }
        Err(source) => {
            return Err(PolicyError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| PolicyError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use todo_ops_tools::tools::find;

    fn call(tool: &str, args: Value) -> Call {
        let t = find(tool);
        call_of(tool, t.as_deref(), &args, "default")
    }

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob("prod*", "prod-eu"));
        assert!(glob("*-eu", "prod-eu"));
        assert!(glob("helm_*", "helm_upgrade"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("prod*", "staging"));
        assert!(glob("exact", "exact") && !glob("exact", "exactly"));
    }

    #[test]
    fn calls_are_read_from_their_arguments() {
        let c = call(
            "delete",
            json!({"object": "Secret/db", "namespace": "prod"}),
        );
        assert_eq!(
            (
                c.verb,
                c.kind.as_deref(),
                c.namespace.as_str(),
                c.name.as_deref()
            ),
            (Verb::Delete, Some("secret"), "prod", Some("db"))
        );
        assert_eq!(
            call("scale", json!({"deployment": "web"})).kind.as_deref(),
            Some("deployment")
        );
        assert_eq!(call("list_pods", json!({})).verb, Verb::Read);
        assert_eq!(call("exec", json!({"pod": "p"})).verb, Verb::Exec);
        assert_eq!(
            call("helm_upgrade", json!({"release": "r"}))
                .kind
                .as_deref(),
            Some("helmrelease")
        );
        assert_eq!(call("apply", json!({"manifest": "x"})).verb, Verb::Create);
    }

    #[test]
    fn the_first_matching_rule_decides_and_every_field_must_fit() {
        let p: Policy = toml::from_str(
            r#"
[[rule]]
verb = "delete"
namespace = "prod*"
decision = "deny"

[[rule]]
tool = "scale"
namespace = "staging"
name = "web"
decision = "allow"

[[rule]]
kind = "secret"
decision = "deny"

[[rule]]
verb = "read"
decision = "ask"
"#,
        )
        .unwrap();
        let rule = |c: Call| p.rule_for(&c).map(|(n, r)| (n, r.decision));
        assert_eq!(
            rule(call(
                "delete",
                json!({"object": "pod/x", "namespace": "prod-eu"})
            )),
            Some((1, Decision::Deny))
        );
        assert_eq!(
            rule(call(
                "delete",
                json!({"object": "pod/x", "namespace": "dev"})
            )),
            None
        );
        assert_eq!(
            rule(call(
                "scale",
                json!({"deployment": "web", "namespace": "staging"})
            )),
            Some((2, Decision::Allow))
        );
        assert_eq!(
            rule(call(
                "scale",
                json!({"deployment": "api", "namespace": "staging"})
            )),
            None
        );
        assert_eq!(
            rule(call("patch", json!({"object": "secret/db"}))),
            Some((3, Decision::Deny))
        );
        assert_eq!(rule(call("list_pods", json!({}))), Some((4, Decision::Ask)));
        assert!(p.rules[1].describe().contains("tool = \"scale\""));
    }

    #[test]
    fn bad_policy_files_name_the_line_and_the_field() {
        let dir = std::env::temp_dir().join(format!("todo-ops-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("policy.toml");
        std::fs::write(&f, "[[rule]]\nverb = \"destroy\"\ndecision = \"deny\"\n").unwrap();
        let e = load(&f, true).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("destroy"), "{e}");
        std::fs::write(&f, "[[rule]]\nverbs = \"read\"\ndecision = \"deny\"\n").unwrap();
        let e = load(&f, true).unwrap_err().to_string();
        assert!(e.contains("verbs"), "{e}");
        assert!(load(&dir.join("none.toml"), true).is_err());
        assert_eq!(
            load(&dir.join("none.toml"), false).unwrap(),
            Policy::default()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
