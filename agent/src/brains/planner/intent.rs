//! Reading a plain request: which intent, with which number, image or values. Which object it
//! is about is not decided here but against what the cluster holds (`resolve`).

use serde_json::Value;
use todo_ops_tools::values::ValuesPatch;

/// How many replicas a scale request asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// Exactly this many.
    To(i64),
    /// The current count times this ("double", "by 50%" down).
    Times(f64),
    /// The current count plus this ("2 more", "down by 1").
    By(i64),
}

impl Amount {
    /// The replicas this asks for, from `current`; never below zero.
    pub fn apply(self, current: i64) -> i64 {
        let n = match self {
            Amount::To(n) => n,
            // Half of an odd count keeps the extra replica, as people round capacity.
            Amount::Times(f) => (current as f64 * f).round() as i64,
            Amount::By(d) => current + d,
        };
        n.max(0)
    }
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Run every analyzer and report.
    Diagnose,
    /// Rollout state of the Deployments.
    Status,
    /// Diagnose, then apply the repairs the evidence gives (through the gate).
    Fix,
    /// Scale a workload.
    Scale(Amount),
    /// Rolling restart.
    Restart,
    /// Back to the previous revision.
    Rollback,
    /// The log tail of a pod.
    Logs,
    /// Recent events.
    Events {
        /// Only warnings.
        warnings_only: bool,
    },
    /// Describe one object, of the kinds the request says, the last said first ("the cart
    /// service deployment" is a Deployment); empty when it says none.
    Describe(Vec<String>),
    /// A release's values.
    Values {
        /// Computed values, not only user-supplied.
        all: bool,
    },
    /// What a values change would do.
    DiffValues(Value),
    /// A new image for a workload's container.
    SetImage(String),
    /// A new tag (version) for a workload's image, its repository kept.
    SetTag(String),
    /// Point a Service at the pods labelled with this value instead.
    SwitchTraffic(String),
    /// New objects, as the request describes them (applied in order).
    Create(Vec<Value>),
    /// The images the pods run.
    Images,
    /// The pods.
    Pods,
    /// Deploying the chatbot (answered with the commands).
    Deploy,
    /// Port-forwarding (answered with the command).
    PortForward,
    /// A playbook by name (answered with how to run it: `/run NAME`).
    Playbook(String),
    /// What the planner can do.
    Help,
    /// Not understood.
    Unknown,
}

/// The words of a request, lower-cased, with the characters names, images and amounts use
/// (`web-app`, `busybox:1.37`, `50%`, `key=value`).
pub fn words(request: &str) -> Vec<String> {
    request
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || "-._=%:/@".contains(c)))
        .map(|w| {
            w.trim_matches(|c: char| ".,:;!?'\"".contains(c))
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

const NUMBER_NAMES: [&str; 11] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

fn number_word(w: &str) -> Option<i64> {
    w.parse::<i64>()
        .ok()
        .or_else(|| NUMBER_NAMES.iter().position(|n| *n == w).map(|i| i as i64))
}

/// The replicas a scale request asks for, if it says.
pub fn amount(words: &[String]) -> Option<Amount> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let down = [
        "down", "reduce", "decrease", "cut", "lower", "shrink", "fewer", "less", "remove",
    ]
    .iter()
    .any(|w| has(w));
    let sign = if down { -1 } else { 1 };
    for (i, w) in words.iter().enumerate() {
        if let Some(p) = w.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) {
            return Some(Amount::Times(1.0 + (sign as f64) * p / 100.0));
        }
        if w == "percent"
            && let Some(p) = i.checked_sub(1).and_then(|j| words[j].parse::<f64>().ok())
        {
            return Some(Amount::Times(1.0 + (sign as f64) * p / 100.0));
        }
    }
    if ["double", "twice", "2x", "doubled"].iter().any(|w| has(w)) {
        return Some(Amount::Times(2.0));
    }
    if ["triple", "3x", "tripled"].iter().any(|w| has(w)) {
        return Some(Amount::Times(3.0));
    }
    if ["halve", "half", "halved"].iter().any(|w| has(w)) {
        return Some(Amount::Times(0.5));
    }
    for pair in words.windows(2) {
        let (a, b) = (pair[0].as_str(), pair[1].as_str());
        match (a, number_word(b)) {
            ("by", Some(n)) | ("add", Some(n)) | ("remove", Some(n)) => {
                return Some(Amount::By(sign * n));
            }
            _ => {}
        }
        if let Some(n) = number_word(a) {
            if ["more", "extra", "additional"].contains(&b) {
                return Some(Amount::By(n));
            }
            if ["fewer", "less"].contains(&b) {
                return Some(Amount::By(-n));
            }
        }
    }
    words
        .iter()
        .filter(|w| !w.contains('.'))
        .find_map(|w| number_word(w))
        .map(Amount::To)
}

/// `key=value` pairs of a request as one values patch (`replicaCount=3`, `image.tag=v2`),
/// read with their case, since values keys are case-sensitive.
fn values_patch(request: &str) -> Option<Value> {
    let mut patch = ValuesPatch::new(serde_json::json!({})).ok()?;
    let mut any = false;
    for (key, raw) in request.split_whitespace().filter_map(|w| w.split_once('=')) {
        let raw = raw.trim_end_matches([',', '.', '?', '!']);
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.into()));
        let one = ValuesPatch::set(key, value).ok()?;
        patch = ValuesPatch(one.apply_to(&patch.0));
        any = true;
    }
    any.then_some(patch.0)
}

/// An image reference in the request (`busybox:1.37`, `ghcr.io/x/y:v2`, `app@sha256:…`).
fn image(words: &[String]) -> Option<String> {
    reference(words).or_else(|| spelled_out(words))
}

/// "to nginx 1.27": a repository said as a word, its version as the next, after "to".
fn spelled_out(words: &[String]) -> Option<String> {
    words.windows(3).find_map(|w| match w {
        [to, repo, tag]
            if to == "to"
                && looks_like_version(tag)
                && repo.chars().next().is_some_and(char::is_alphabetic)
                && !["version", "tag", "image", "the", "a", "v"].contains(&repo.as_str()) =>
        {
            Some(format!("{repo}:{tag}"))
        }
        _ => None,
    })
}

/// Whether a word is a version number: `1.27`, `v2.0.1`, `1.27-alpine`.
fn looks_like_version(w: &str) -> bool {
    let core = w.strip_prefix('v').unwrap_or(w);
    let numeric = core.split(['-', '+']).next().unwrap_or(core);
    numeric.contains('.')
        && numeric
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// An image reference said as one word (`nginx:1.27`, `repo@sha256:…`).
fn reference(words: &[String]) -> Option<String> {
    words
        .iter()
        .find(|w| {
            let (repo, tag) = match w.split_once('@') {
                Some((r, d)) => (r, d),
                None => match w.rsplit_once(':') {
                    Some((r, t)) => (r, t),
                    None => return false,
                },
            };
            !repo.is_empty()
                && !tag.is_empty()
                && !w.contains("://")
                && repo
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-._/:".contains(c))
                && repo.chars().next().is_some_and(char::is_alphanumeric)
        })
        .cloned()
}

/// The word after `to` (skipping `the`), e.g. the colour in "switch traffic to green".
fn word_after_to(words: &[String]) -> Option<String> {
    let at = words.iter().rposition(|w| w == "to")?;
    words[at + 1..]
        .iter()
        .find(|w| !["the", "a", "version", "track"].contains(&w.as_str()))
        .cloned()
}

/// A version a request names for an image: the word after the last `to` (or after
/// `version`/`tag`) made of numbers and dots, with an optional leading `v` and suffix
/// (`1.22`, `v2.1.0`, `1.25-alpine`).
fn version(words: &[String]) -> Option<String> {
    let looks = |w: &str| looks_like_version(w);
    let after = |marker: &str| {
        let at = words.iter().rposition(|w| w == marker)?;
        words[at + 1..]
            .iter()
            .find(|w| !["the", "a", "version", "tag", "image"].contains(&w.as_str()))
            .filter(|w| looks(w))
            .cloned()
    };
    after("to")
        .or_else(|| after("version"))
        .or_else(|| after("tag"))
}

/// The word after `playbook`.
fn after(words: &[String], word: &str) -> Option<String> {
    let at = words.iter().position(|w| w == word)?;
    words.get(at + 1).cloned()
}

/// Whether the request forbids changes: a negation right before a verb of change ("do not
/// change anything", "don't touch it", "without restarting") or "just/only explain".
fn forbids_change(words: &[String]) -> bool {
    const NEGATIONS: [&str; 6] = ["not", "t", "dont", "never", "no", "without"];
    const CHANGES: [&str; 10] = [
        "chang", "touch", "modif", "edit", "apply", "fix", "alter", "restart", "scal", "repair",
    ];
    words.windows(2).any(|w| {
        (NEGATIONS.contains(&w[0].as_str()) && CHANGES.iter().any(|c| w[1].starts_with(c)))
            || (["just", "only"].contains(&w[0].as_str()) && w[1].starts_with("explain"))
    })
}

/// Reads a request.
pub fn intent(request: &str) -> Intent {
    let t = request.to_lowercase();
    let words = words(request);
    let has = |w: &str| words.iter().any(|x| x == w);
    let any = |ws: &[&str]| ws.iter().any(|w| has(w));

    // "help" asks about the agent only on its own ("help", "help me", "commands"); in a
    // request ("can you help diagnose and fix this?") it is only politeness.
    let about_me = words.len() <= 2 && any(&["help", "commands"]);
    if about_me || t.contains("what can you do") {
        return Intent::Help;
    }
    if has("playbook") {
        return Intent::Playbook(after(&words, "playbook").unwrap_or_default());
    }
    if any(&["port-forward", "portforward", "forward"]) {
        return Intent::PortForward;
    }
    if (has("create") || super::create::asks_for_access(request))
        && let Some(docs) = super::create::manifests(request)
    {
        return Intent::Create(docs);
    }
    if any(&["deploy", "install"]) && !any(&["deployment", "deployments"]) {
        return Intent::Deploy;
    }
    if has("diff") {
        return values_patch(request).map_or(Intent::Unknown, Intent::DiffValues);
    }
    let changing = [
        "update", "upgrade", "set", "change", "roll", "bump", "move", "switch", "use",
    ];
    if let Some(image) = image(&words)
        && any(&changing)
    {
        return Intent::SetImage(image);
    }
    if any(&changing)
        && any(&["image", "version", "tag"])
        && !any(&["replica", "replicas", "scale"])
        && let Some(tag) = version(&words)
    {
        return Intent::SetTag(tag);
    }
    if any(&["image", "images"]) && any(&["which", "what", "list", "show", "running"]) {
        return Intent::Images;
    }
    let repair_words = ["fix", "repair", "heal", "remediate", "resolve", "unstick"];
    if any(&["switch", "route", "point", "shift", "send", "flip", "cut"])
        && any(&["traffic", "service", "svc"])
        && !any(&repair_words)
        && let Some(to) = word_after_to(&words)
    {
        return Intent::SwitchTraffic(to);
    }
    if any(&[
        "scale", "replicas", "replica", "double", "halve", "half", "triple",
    ]) {
        // "how many replicas does X have?" asks, it does not scale.
        let question = t.contains("how many") || t.trim_end().ends_with('?') || has("what");
        return match amount(&words) {
            Some(a) => Intent::Scale(a),
            None if question && !has("scale") => Intent::Status,
            None => Intent::Unknown,
        };
    }
    if any(&["restart", "bounce", "reboot", "recycle"]) {
        return Intent::Restart;
    }
    let back = (has("roll") || has("go") || has("set")) && has("back");
    if any(&["rollback", "undo", "revert"]) || back || t.contains("previous version") {
        return Intent::Rollback;
    }
    // A request to repair is one whatever evidence it mentions ("its log shows no error,
    // can you fix it?").
    let outcome = [
        "run", "running", "work", "working", "start", "started", "ready", "healthy", "complete",
        "succeed", "finish", "going",
    ];
    let get_it = has("get") && any(&["it", "them", "again"]);
    let make_run = (has("make") || get_it) && any(&outcome);
    if any(&["fix", "repair", "heal", "remediate", "resolve", "unstick"])
        || make_run
        || t.contains("sort it out")
        || t.contains("sort out")
    {
        return Intent::Fix;
    }
    // "X logs permission errors; give it the access it needs": a repair, not a log request.
    if any(&["permission", "permissions", "access", "forbidden"])
        && any(&["give", "grant", "needs", "need", "allow"])
    {
        return Intent::Fix;
    }
    if any(&["log", "logs"]) {
        return Intent::Logs;
    }
    if any(&["event", "events", "warnings"]) {
        return Intent::Events {
            warnings_only: any(&["warning", "warnings"]),
        };
    }
    if any(&["describe", "details"]) {
        fn kind_of(w: &str) -> Option<&'static str> {
            match w.trim_end_matches('s') {
                "svc" | "service" => Some("service"),
                "pod" => Some("pod"),
                "replicaset" => Some("replicaset"),
                "deployment" => Some("deployment"),
                "statefulset" => Some("statefulset"),
                _ => None,
            }
        }
        let mut kinds: Vec<String> = Vec::new();
        for k in words.iter().rev().filter_map(|w| kind_of(w)) {
            if !kinds.iter().any(|x| x == k) {
                kinds.push(k.to_string());
            }
        }
        return Intent::Describe(kinds);
    }
    // "What memory limit does the cache have?": its spec answers, as describe shows it.
    let asks = any(&["what", "which", "how", "show", "list"]) || t.trim_end().ends_with('?');
    let spec_words = [
        "limit",
        "limits",
        "request",
        "requests",
        "resources",
        "probe",
        "probes",
        "liveness",
        "readiness",
        "cpu",
        "memory",
    ];
    if asks && any(&spec_words) && !any(&["fix", "repair", "wrong", "why"]) {
        return Intent::Describe(Vec::new());
    }
    if any(&["values", "config", "configuration", "settings"]) && !any(&["fix", "wrong"]) {
        return Intent::Values {
            all: any(&["all", "computed", "effective"]),
        };
    }
    // A complaint about something that does not work, with no question in it ("catalog
    // still runs the old version", "pods never start"), asks for it to work.
    let complaint = any(&[
        "never", "still", "won't", "wont", "can't", "cannot", "doesn't", "nothing", "keeps",
        "stays", "broke", "failed", "longer",
    ]);
    // "get no answer" complains; "do not change anything" forbids a repair.
    let forbids_change = forbids_change(&words);
    let negated = any(&["no", "not"]) && !forbids_change;
    if (complaint || negated) && !asks && !forbids_change {
        return Intent::Fix;
    }
    let trouble = [
        "why",
        "wrong",
        "down",
        "broken",
        "failing",
        "fails",
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
        "pending",
        "stuck",
    ];
    if any(&trouble) || t.contains("what's wrong") {
        return Intent::Diagnose;
    }
    if any(&["pods", "pod", "containers", "running"]) {
        return Intent::Pods;
    }
    if any(&["status", "rollout", "deployments", "progress"]) {
        return Intent::Status;
    }
    Intent::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_requests_map_to_intents() {
        let cases: Vec<(&str, Intent)> = vec![
            ("why is the backend down?", Intent::Diagnose),
            ("what's wrong", Intent::Diagnose),
            ("Is everything healthy?", Intent::Diagnose),
            ("the app is crashing", Intent::Diagnose),
            ("What's wrong with the loader pod?", Intent::Diagnose),
            ("status", Intent::Status),
            ("show me the rollout status", Intent::Status),
            ("list deployments", Intent::Status),
            ("fix it", Intent::Fix),
            ("please repair the backend", Intent::Fix),
            (
                "the collector pods stay Pending. Make them run.",
                Intent::Fix,
            ),
            ("scale the frontend to 3", Intent::Scale(Amount::To(3))),
            ("scale the ui to five", Intent::Scale(Amount::To(5))),
            (
                "Requests to the api service in orders get no answer.",
                Intent::Fix,
            ),
            (
                "The frontend service in portal does not route to its pods; fix it",
                Intent::Fix,
            ),
            (
                "pod-watcher in audit logs permission errors. Give it the access it needs and nothing more.",
                Intent::Fix,
            ),
            (
                "I changed catalog to nginx 1.27 but the pods still run the old version.",
                Intent::Fix,
            ),
            (
                "What memory limit and CPU request does the cache in shop have?",
                Intent::Describe(vec![]),
            ),
            (
                "The migrate job in crm failed. Make it complete.",
                Intent::Fix,
            ),
            (
                "The backup cronjob has not run. Get it running again.",
                Intent::Fix,
            ),
            ("indexer is crash looping, please sort it out", Intent::Fix),
            (
                "Upgrade gateway in edge to nginx 1.27. It has to keep serving",
                Intent::SetImage("nginx:1.27".into()),
            ),
            (
                "We need five replicas of the db statefulset in store.",
                Intent::Scale(Amount::To(5)),
            ),
            ("set backend replicas to 4", Intent::Scale(Amount::To(4))),
            (
                "scale web-app up by 100%",
                Intent::Scale(Amount::Times(2.0)),
            ),
            (
                "scale down web-service by 50%",
                Intent::Scale(Amount::Times(0.5)),
            ),
            (
                "double the search-api replicas",
                Intent::Scale(Amount::Times(2.0)),
            ),
            (
                "cut the pdf-worker replicas by half",
                Intent::Scale(Amount::Times(0.5)),
            ),
            ("give cart 2 more replicas", Intent::Scale(Amount::By(2))),
            ("scale it up", Intent::Unknown),
            ("restart the backend", Intent::Restart),
            ("roll back the frontend", Intent::Rollback),
            ("undo the last backend upgrade", Intent::Rollback),
            (
                "Roll checkout in the orders namespace back to the previous version.",
                Intent::Rollback,
            ),
            ("show backend logs", Intent::Logs),
            (
                "the exporter keeps restarting, though its log shows no error; can you fix it?",
                Intent::Fix,
            ),
            (
                "any warnings?",
                Intent::Events {
                    warnings_only: true,
                },
            ),
            (
                "describe the frontend service",
                Intent::Describe(vec!["service".into()]),
            ),
            ("describe the backend", Intent::Describe(vec![])),
            (
                "describe the cart service deployment",
                Intent::Describe(vec!["deployment".into(), "service".into()]),
            ),
            ("how many replicas does cart-service have?", Intent::Status),
            ("what is running in the shop namespace?", Intent::Pods),
            (
                "show all computed values of the frontend",
                Intent::Values { all: true },
            ),
            (
                "diff values of backend with replicaCount=3",
                Intent::DiffValues(json!({"replicaCount": 3})),
            ),
            (
                "diff the frontend image.tag=v2",
                Intent::DiffValues(json!({"image": {"tag": "v2"}})),
            ),
            (
                "Roll the renderer deployment out to busybox:1.37",
                Intent::SetImage("busybox:1.37".into()),
            ),
            (
                "update web-app to nginx:1.22 with zero downtime",
                Intent::SetImage("nginx:1.22".into()),
            ),
            (
                "Update the image of the web-app in rollout-test namespace to 1.22 version.",
                Intent::SetTag("1.22".into()),
            ),
            (
                "bump the api image tag to v2.1.0-alpine",
                Intent::SetTag("v2.1.0-alpine".into()),
            ),
            (
                "Switch the gateway service in payments over to green.",
                Intent::SwitchTraffic("green".into()),
            ),
            ("What images are all pods running?", Intent::Images),
            ("list pods", Intent::Pods),
            ("deploy the chatbot", Intent::Deploy),
            ("port-forward the frontend", Intent::PortForward),
            (
                "run playbook oom-killed",
                Intent::Playbook("oom-killed".into()),
            ),
            ("help", Intent::Help),
            ("help me", Intent::Help),
            (
                "The logs show: 'Error: connection to web failed'. Can you help diagnose and fix this issue?",
                Intent::Fix,
            ),
            (
                "why is the backend down? just explain, do not change anything",
                Intent::Diagnose,
            ),
            ("The worker pods in jobs do not start.", Intent::Fix),
            (
                "don't touch anything, tell me why the api is failing",
                Intent::Diagnose,
            ),
            ("write me a poem", Intent::Unknown),
        ];
        for (text, want) in cases {
            assert_eq!(intent(text), want, "{text}");
        }
    }

    #[test]
    fn amounts_apply_to_the_current_count() {
        assert_eq!(Amount::Times(2.0).apply(1), 2);
        assert_eq!(Amount::Times(0.5).apply(2), 1);
        assert_eq!(Amount::Times(0.5).apply(6), 3);
        assert_eq!(Amount::By(-5).apply(2), 0);
        assert_eq!(Amount::To(4).apply(9), 4);
    }
}
