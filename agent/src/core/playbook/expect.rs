//! What a playbook step's result must show: `PATH OP [VALUE]` over the tool's JSON result.
//!
//! PATH is `.`-separated keys, `[]` steps into every element of a list (`findings[].id`,
//! `[].rollout`; `.` alone is the whole result). OP is `has V` (some value is V), `lacks V`
//! (none is), `== V` (there are values and all are V), `empty` (no values), or
//! `count OP N` with OP one of `== != >= <= > <`. V is JSON (`"Running"`, `3`, `true`).

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Each,
}

/// How the values reached are judged.
#[derive(Debug, Clone, PartialEq)]
enum Check {
    Has(Value),
    Lacks(Value),
    All(Value),
    Empty,
    Count(String, usize),
}

/// A parsed `expect:` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    path: Vec<Segment>,
    check: Check,
    /// The line as written, for messages.
    pub text: String,
}

const COMPARISONS: [&str; 6] = ["==", "!=", ">=", "<=", ">", "<"];

impl Expectation {
    /// Parses `PATH OP [VALUE]`; the error says what is wrong and what is allowed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (path_text, rest) = text.split_once(char::is_whitespace).ok_or_else(|| {
            format!("{text:?} needs an operator: PATH has|lacks|==|empty|count …")
        })?;
        let path = parse_path(path_text)?;
        let rest = rest.trim();
        let (op, arg) = rest
            .split_once(char::is_whitespace)
            .map(|(o, a)| (o, a.trim()))
            .unwrap_or((rest, ""));
        let value = |arg: &str| {
            serde_json::from_str::<Value>(arg).map_err(|e| {
                format!("{arg:?} is not a JSON value ({e}); quote strings: \"Running\"")
            })
        };
        let check = match op {
            "has" => Check::Has(value(arg)?),
            "lacks" => Check::Lacks(value(arg)?),
            "==" => Check::All(value(arg)?),
            "empty" if arg.is_empty() => Check::Empty,
            "count" => {
                let (cmp, n) = arg
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| format!("{arg:?}: write count >= N"))?;
                if !COMPARISONS.contains(&cmp) {
                    return Err(format!(
                        "{cmp:?} is not a comparison; use one of {COMPARISONS:?}"
                    ));
                }
                let n = n
                    .trim()
                    .parse()
                    .map_err(|_| format!("{n:?} is not a count"))?;
                Check::Count(cmp.to_string(), n)
            }
            other => {
                return Err(format!(
                    "unknown operator {other:?}; use has, lacks, ==, empty or count"
                ));
            }
        };
        Ok(Self {
            path,
            check,
            text: text.to_string(),
        })
    }

    /// `Ok` when `data` shows it; else what was found instead.
    pub fn check(&self, data: &Value) -> Result<(), String> {
        let found = select(data, &self.path);
        let ok = match &self.check {
            Check::Has(v) => found.contains(&v),
            Check::Lacks(v) => !found.contains(&v),
            Check::All(v) => !found.is_empty() && found.iter().all(|f| *f == v),
            Check::Empty => found.is_empty(),
            Check::Count(cmp, n) => {
                let c = found.len();
                match cmp.as_str() {
                    "==" => c == *n,
                    "!=" => c != *n,
                    ">=" => c >= *n,
                    "<=" => c <= *n,
                    ">" => c > *n,
                    _ => c < *n,
                }
            }
        };
        if ok {
            return Ok(());
        }
        let shown: Vec<String> = found.iter().take(10).map(|v| v.to_string()).collect();
        let more = found.len().saturating_sub(10);
        Err(format!(
            "expected {}; found [{}]{}",
            self.text,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ))
    }
}

fn parse_path(text: &str) -> Result<Vec<Segment>, String> {
    if text == "." {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in text.split('.') {
        let (key, each) = match part.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (part, false),
        };
        if key.contains(['[', ']']) || (key.is_empty() && !each) {
            return Err(format!(
                "{text:?} is not a path; write keys separated by dots, [] for every element: findings[].id"
            ));
        }
        if !key.is_empty() {
            out.push(Segment::Key(key.to_string()));
        }
        if each {
            out.push(Segment::Each);
        }
    }
    Ok(out)
}

fn select<'a>(data: &'a Value, path: &[Segment]) -> Vec<&'a Value> {
    let mut current = vec![data];
    for seg in path {
        current = current
            .into_iter()
            .flat_map(|v| match (seg, v) {
                (Segment::Key(k), Value::Object(m)) => m.get(k).into_iter().collect::<Vec<_>>(),
                (Segment::Each, Value::Array(a)) => a.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expectations_read_the_result() {
        let d = json!({"findings": [{"id": "oom-killed"}, {"id": "crash-loop"}]});
        let e = |t: &str| Expectation::parse(t).unwrap().check(&d);
        assert!(e(r#"findings[].id has "oom-killed""#).is_ok());
        assert!(e(r#"findings[].id lacks "scaled-to-zero""#).is_ok());
        assert!(e("findings[] count == 2").is_ok());
        let err = e("findings[] empty").unwrap_err();
        assert!(err.contains("found [{\"id\":\"oom-killed\"}"), "{err}");
        assert!(e(r#"findings[].id == "oom-killed""#).is_err());
        let rows = json!([{"rollout": "successfully rolled out"}]);
        assert!(
            Expectation::parse(r#"[].rollout == "successfully rolled out""#)
                .unwrap()
                .check(&rows)
                .is_ok()
        );
        assert!(
            Expectation::parse("[].ready == 1")
                .unwrap()
                .check(&json!([]))
                .is_err(),
            "== needs values"
        );
    }

    #[test]
    fn mistakes_say_what_is_allowed() {
        for (bad, says) in [
            ("findings[].id", "needs an operator"),
            ("findings[].id is 3", "unknown operator"),
            ("findings[].id has Running", "quote strings"),
            ("a[0].b has 1", "not a path"),
            ("[] count about 3", "not a comparison"),
        ] {
            let err = Expectation::parse(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
