//! The LimitRanger plugin for containers: `defaultRequest` and `default` fill what a
//! container leaves out, then `min`/`max` bound what it asks for.

use serde_json::{Value, json};

use super::View;
use crate::resources::{LIMIT_RANGE, POD, ResourceType};
use quantity::milli;

/// Applies every Container LimitRange of the namespace to a new pod.
pub fn admit(view: &dyn View, rt: &ResourceType, ns: &str, pod: &mut Value) -> Result<(), String> {
    if rt != &POD {
        return Ok(());
    }
    let ranges: Vec<Value> = view
        .list(&LIMIT_RANGE, ns)
        .into_iter()
        .flat_map(|lr| lr["spec"]["limits"].as_array().cloned().unwrap_or_default())
        .filter(|l| l["type"] == "Container")
        .collect();
    if ranges.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    let mut annotated = Vec::new();
    for list in ["initContainers", "containers"] {
        for c in pod["spec"]
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let cname = c["name"].as_str().unwrap_or_default().to_string();
            for range in &ranges {
                for (from, into) in [("defaultRequest", "requests"), ("default", "limits")] {
                    for (res, q) in range[from].as_object().into_iter().flatten() {
                        if c["resources"][into][res].is_null() {
                            c["resources"][into][res] = q.clone();
                            annotated.push(format!(
                                "{res} {} for container {cname}",
                                &into[..into.len() - 1]
                            ));
                        }
                    }
                }
                // A default limit below an absent request: the request follows it.
                for (res, q) in c["resources"]["limits"]
                    .as_object()
                    .cloned()
                    .into_iter()
                    .flatten()
                {
                    if c["resources"]["requests"][&res].is_null() {
                        c["resources"]["requests"][&res] = q;
                    }
                }
                errors.extend(bounds(range, &c["resources"]));
            }
        }
    }
    if !annotated.is_empty() {
        let note = format!("LimitRanger plugin set: {}", annotated.join("; "));
        pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] = json!(note);
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(format!("[{}]", errors.join(", "))),
    }
}

fn bounds(range: &Value, resources: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    for (res, max) in range["max"].as_object().into_iter().flatten() {
        let limit = &resources["limits"][res];
        let over = match (milli(&text(limit)), milli(&text(max))) {
            (Some(l), Some(m)) => l > m,
            _ => false,
        };
        if limit.is_null() {
            errors.push(format!(
                "maximum {res} usage per Container is {}.  No limit is specified",
                text(max)
            ));
        } else if over {
            errors.push(format!(
                "maximum {res} usage per Container is {}, but limit is {}",
                text(max),
                text(limit)
            ));
        }
    }
    for (res, min) in range["min"].as_object().into_iter().flatten() {
        let request = &resources["requests"][res];
        let under = match (milli(&text(request)), milli(&text(min))) {
            (Some(r), Some(m)) => r < m,
            _ => false,
        };
        if request.is_null() {
            errors.push(format!(
                "minimum {res} usage per Container is {}.  No request is specified",
                text(min)
            ));
        } else if under {
            errors.push(format!(
                "minimum {res} usage per Container is {}, but request is {}",
                text(min),
                text(request)
            ));
        }
    }
    errors
}
