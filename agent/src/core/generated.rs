//! Secrets generated for a tool call: an argument `"${random:N}"` becomes N fresh random
//! letters and digits when the call runs, hidden by the redactor before anything is shown,
//! so neither the model, the transcript nor the screen ever holds the value.

use std::io::Read;

use serde_json::Value;
use todo_ops_tools::redact::Redactor;

/// `args` with every `${random:N}` string replaced; each value is hidden by `redactor`.
pub fn expand(args: Value, redactor: &Redactor) -> Result<Value, String> {
    Ok(match args {
        Value::String(s) => match placeholder(&s) {
            Some(n) => {
                let v = random_text(n)?;
                redactor.hide(&v);
                Value::String(v)
            }
            None => Value::String(s),
        },
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| Ok((k, expand(v, redactor)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|v| expand(v, redactor))
                .collect::<Result<_, String>>()?,
        ),
        other => other,
    })
}

fn placeholder(s: &str) -> Option<usize> {
    s.strip_prefix("${random:")?.strip_suffix('}')?.parse().ok()
}

/// `n` letters and digits from the kernel's random source.
fn random_text(n: usize) -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if !(16..=256).contains(&n) {
        return Err(format!(
            "${{random:{n}}}: a generated secret has 16 to 256 characters"
        ));
    }
    let mut bytes = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot generate ${{random:{n}}}: /dev/urandom: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_become_hidden_random_values() {
        let r = Redactor::default();
        let shared = r.clone();
        let out = expand(
            json!({"secrets": {"s": "${random:40}"}, "n": 2, "t": "${random}"}),
            &r,
        )
        .unwrap();
        let v = out["secrets"]["s"].as_str().unwrap();
        assert_eq!(v.len(), 40);
        assert!(v.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(out["t"], "${random}", "not a placeholder: left alone");
        assert_eq!(
            shared.redact(&format!("x={v}")),
            "x=[REDACTED]",
            "clones hide it too"
        );
        assert!(
            expand(json!("${random:4}"), &r)
                .unwrap_err()
                .contains("16 to 256")
        );
    }
}
