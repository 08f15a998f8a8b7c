//! What of a tool result must hold again on replay: its structure, findings and object
//! states — not timestamps, ages, counters, log text or the random parts of generated names.

use serde_json::Value;

/// Keys whose values change from run to run of the same session.
const VOLATILE: &[&str] = &[
    "age",
    "cause",
    "containerID",
    "count",
    "creationTimestamp",
    "deployed_at",
    "evidence",
    "finishedAt",
    "first_seen",
    "hostIP",
    "hostIPs",
    "lastProbeTime",
    "lastTransitionTime",
    "lastUpdateTime",
    "last_seen",
    "lines",
    "managedFields",
    "podIP",
    "podIPs",
    "restartCount",
    "restarts",
    "resourceVersion",
    "resource_version",
    "startTime",
    "startedAt",
    "summary",
    "uid",
];

/// A string with the run-specific parts masked: generated-name segments (pod and
/// ReplicaSet suffixes use a vowel-less alphabet) become `*`, runs of digits `#`.
pub fn mask(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (is_word, token) in tokens(s) {
        if !is_word {
            out.push_str(token);
            continue;
        }
        let masked: Vec<String> = token
            .split('-')
            .enumerate()
            .map(|(i, seg)| {
                if i > 0 && generated(seg) {
                    "*".to_string()
                } else if hex_id(seg) {
                    "#".to_string()
                } else {
                    digits_masked(seg)
                }
            })
            .collect();
        out.push_str(&masked.join("-"));
    }
    out
}

/// A suffix Kubernetes generates: 5–10 characters from its vowel-less alphabet.
fn generated(seg: &str) -> bool {
    (5..=10).contains(&seg.len())
        && seg
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        && !seg.chars().any(|c| "aeiouy01".contains(c))
}

/// Part of a UID or a checksum: hex with a digit in it, four or more long.
fn hex_id(seg: &str) -> bool {
    seg.len() >= 4
        && seg
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && seg.chars().any(|c| c.is_ascii_digit())
}

/// Runs of two or more digits (times, ports, sizes) become `#`; a single digit ("1/2"
/// ready) is state and stays.
fn digits_masked(seg: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        out.push_str(if run.len() > 1 { "#" } else { run.as_str() });
        run.clear();
    };
    for c in seg.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Splits into runs of name characters (words) and the rest.
fn tokens(s: &str) -> Vec<(bool, &str)> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in s.char_indices() {
        let w = word(c);
        if current.is_some_and(|k| k != w) {
            out.push((current.unwrap_or(false), &s[start..i]));
            start = i;
        }
        current = Some(w);
    }
    if let Some(k) = current {
        out.push((k, &s[start..]));
    }
    out
}

/// The comparable form: volatile keys dropped, strings masked, lists as sorted sets.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(normalize).collect();
            items.sort_by_cached_key(|x| x.to_string());
            items.dedup();
            Value::Array(items)
        }
        Value::String(s) => Value::String(mask(s)),
        other => other.clone(),
    }
}

/// Whether `actual` still shows what `recorded` showed. Events only grow, so for
/// `get_events` every recorded event must be there and new ones are fine. For `diagnose`
/// the errors are what count: every recorded error finding must be reported again, and a
/// recording without errors needs a cluster without errors (warnings come and go with
/// timing, and so does the pod count).
pub fn holds(tool: &str, recorded: &Value, actual: &Value) -> bool {
    let (r, a) = (normalize(recorded), normalize(actual));
    match (tool, &r, &a) {
        ("get_events", Value::Array(r), Value::Array(a)) => r.iter().all(|e| a.contains(e)),
        ("diagnose", _, _) => {
            let (r, a) = (errors(&r), errors(&a));
            if r.is_empty() {
                a.is_empty()
            } else {
                r.iter().all(|f| a.contains(f))
            }
        }
        _ => r == a,
    }
}

/// The error findings of a normalized diagnosis.
pub fn errors(diagnosis: &Value) -> Vec<&Value> {
    diagnosis["findings"]
        .as_array()
        .map(|fs| fs.iter().filter(|f| f["severity"] == "error").collect())
        .unwrap_or_default()
}

/// Pairs of (recorded, current) names that differ only in their generated parts, so the
/// model's later calls that name a recorded pod reach the pod that plays its part now.
pub fn learn_aliases(recorded: &Value, actual: &Value, out: &mut Vec<(String, String)>) {
    match (recorded, actual) {
        (Value::Object(r), Value::Object(a)) => {
            for (k, rv) in r {
                if let Some(av) = a.get(k) {
                    learn_aliases(rv, av, out);
                }
            }
        }
        (Value::Array(r), Value::Array(a)) => {
            let mut used = vec![false; a.len()];
            let current: Vec<Value> = a.iter().map(normalize).collect();
            for rv in r {
                let n = normalize(rv);
                if let Some(i) = (0..a.len()).find(|&i| !used[i] && current[i] == n) {
                    used[i] = true;
                    learn_aliases(rv, &a[i], out);
                }
            }
        }
        (Value::String(r), Value::String(a)) if r != a && mask(r) == mask(a) => {
            let (rt, at) = (tokens(r), tokens(a));
            for ((_, rw), (_, aw)) in rt.iter().zip(at.iter()) {
                // Only generated object names are mapped; numbers and times never are.
                let generated_name = rw.contains('-') && mask(rw) != *rw;
                if generated_name && rw != aw && !out.iter().any(|(k, _)| k == rw) {
                    out.push((rw.to_string(), aw.to_string()));
                }
            }
        }
        _ => {}
    }
}

/// `text` with every recorded name replaced by its current counterpart.
pub fn apply_aliases(text: &str, aliases: &[(String, String)]) -> String {
    tokens(text)
        .into_iter()
        .map(
            |(is_word, t)| match aliases.iter().find(|(was, _)| is_word && was == t) {
                Some((_, now)) => now.as_str(),
                None => t,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_names_timestamps_and_counters_do_not_count() {
        assert_eq!(
            mask("pod todo-backend-7fz5d9bkc4-x2k9z ready 1/2 at 10:42"),
            "pod todo-backend-*-* ready 1/2 at #:#"
        );
        // Words with vowels are names people chose.
        assert_eq!(mask("todo-frontend"), "todo-frontend");
        let was = json!([{"name": "todo-backend-7fz5d9bkc4-x2k9z", "status": "Running", "restarts": 0, "age": "5s"}]);
        let now = json!([{"name": "todo-backend-5bb9cdfgh2-qq2zp", "status": "Running", "restarts": 2, "age": "1m"}]);
        assert!(holds("list_pods", &was, &now));
        let broken =
            json!([{"name": "todo-backend-5bb9cdfgh2-qq2zp", "status": "CrashLoopBackOff"}]);
        assert!(!holds("list_pods", &was, &broken));
        assert!(!holds("list_pods", &was, &json!([])));
    }

    #[test]
    fn events_may_grow_but_not_lose_what_was_seen() {
        let was = json!([{"reason": "BackOff", "object": "pod/a-x2k9z"}]);
        let now = json!([{"reason": "Pulled", "object": "pod/a-q2kzz"}, {"reason": "BackOff", "object": "pod/a-zzzzz"}]);
        assert!(holds("get_events", &was, &now));
        assert!(!holds("get_events", &now, &was));
    }

    #[test]
    fn a_diagnosis_must_show_the_recorded_errors_again() {
        let err =
            |id: &str| json!({"id": id, "severity": "error", "object": "deployment/todo-backend"});
        let warn = json!({"id": "pdb", "severity": "warning", "object": "pdb/x"});
        let was = json!({"pods": 2, "findings": [err("oom-killed"), warn.clone()]});
        let now = json!({"pods": 3, "findings": [err("oom-killed"), err("crash-loop")]});
        assert!(holds("diagnose", &was, &now));
        assert!(!holds("diagnose", &now, &was), "crash-loop is gone");
        let healthy = json!({"pods": 2, "findings": [warn]});
        assert!(holds(
            "diagnose",
            &healthy,
            &json!({"pods": 4, "findings": []})
        ));
        assert!(
            !holds("diagnose", &healthy, &now),
            "errors where the recording had none"
        );
    }

    #[test]
    fn recorded_names_are_mapped_to_the_current_ones() {
        let was = json!({"pods": [{"name": "todo-backend-7fz5d9bkc4-x2k9z", "ready": "1/1"}]});
        let now = json!({"pods": [{"name": "todo-backend-5bb9cdfgh2-qq2zp", "ready": "1/1"}]});
        let mut aliases = Vec::new();
        learn_aliases(&was, &now, &mut aliases);
        assert_eq!(
            apply_aliases(r#"{"pod":"todo-backend-7fz5d9bkc4-x2k9z"}"#, &aliases),
            r#"{"pod":"todo-backend-5bb9cdfgh2-qq2zp"}"#
        );
        // Regression: numbers that differ between runs are not names to map.
        let mut aliases = Vec::new();
        learn_aliases(
            &json!({"t": "at 10:48"}),
            &json!({"t": "at 11:20"}),
            &mut aliases,
        );
        assert!(aliases.is_empty(), "{aliases:?}");
        assert_eq!(apply_aliases("${random:48}", &aliases), "${random:48}");
    }
}
