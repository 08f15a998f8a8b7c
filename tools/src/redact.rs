//! The one redaction function: Secret values never leave the tool, wherever they show up
//! (an app may log its own configuration, an event may quote it).

/// Replaces known secret values with `[REDACTED]`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: Vec<String>,
    /// Values hidden after the redactor was shared (secrets generated for a tool call);
    /// every clone sees them.
    generated: std::sync::Arc<std::sync::RwLock<Vec<String>>>,
    /// Names anyone who can list the namespace reads (its objects' names and their parts):
    /// a Secret value that is one of them hides nothing, and masking it would garble every
    /// name it is part of (`username=ledger` and the Secret `ledger-db`).
    public: Vec<String>,
}

/// What a secret value is replaced with.
pub const MASK: &str = "[REDACTED]";

impl Redactor {
    /// A redactor that never masks these object names, nor the parts of them between `-`
    /// and `.`.
    pub fn with_public_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut public: Vec<String> = Vec::new();
        for n in names {
            public.push(n.to_string());
            public.extend(n.split(['-', '.']).map(str::to_string));
        }
        Self {
            public,
            ..Self::default()
        }
    }

    /// Remembers a value to hide (very short ones would mask ordinary words, so they are
    /// skipped; every line that contains a URL's password is still covered by the URL).
    pub fn learn(&mut self, value: &str) {
        let v = value.trim();
        if self.public.iter().any(|p| p == v) {
            return;
        }
        if v.chars().count() >= 6 && !self.values.iter().any(|x| x == v) {
            self.values.push(v.to_string());
            // Outputs rendered as JSON carry the value escaped (quotes, backslashes); the
            // escaped form is added as is, since escaping it again would never end.
            let escaped = serde_json::to_string(v).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != v && !self.values.iter().any(|x| x == escaped) {
                self.values.push(escaped.to_string());
            }
            // Longest first, so a value containing another is masked whole.
            self.values.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
        // The password inside a URL-shaped secret is a secret too.
        if let Some((_, rest)) = v.split_once("://")
            && let Some((userinfo, _)) = rest.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            self.learn(password);
        }
    }

    /// Hides `value` from now on, in this redactor and every clone of it (a secret
    /// generated while the redactor is shared).
    pub fn hide(&self, value: &str) {
        let mut g = self.generated.write().unwrap_or_else(|p| p.into_inner());
        if !g.iter().any(|x| x == value) {
            g.push(value.to_string());
            g.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }

    /// Hides everything `other` knows too, in this redactor and its clones (Secrets created
    /// since a long-lived redactor was made).
    pub fn absorb(&self, other: &Redactor) {
        for v in &other.values {
            if !self.values.contains(v) {
                self.hide(v);
            }
        }
    }

    /// `text` with every known value masked.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        let generated = self.generated.read().unwrap_or_else(|p| p.into_inner());
        for v in self.values.iter().chain(generated.iter()) {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        out
    }

    /// `value` with [`Self::redact`] applied to every string in it (keys included).
    pub fn redact_json(&self, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.redact(&s)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.redact(&k), self.redact_json(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

impl Redactor {
    /// Configuration values (a Helm release's values, a ConfigMap's data) with secrets
    /// masked whatever the chart: known values and URL passwords in every string, and the
    /// whole value of every key that names a secret (`password`, `*Secret`, `apiKey`,
    /// `token`, a `secrets:` map …). Keys that only name where a secret is
    /// (`existingSecret`, `*SecretName`, `*Ref`) stay readable.
    pub fn redact_values(&self, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(mask_url_password(&self.redact(&s))),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.redact_values(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = if names_a_secret(&k) {
                            mask_all(v)
                        } else {
                            self.redact_values(v)
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

impl Redactor {
    /// A tool call's arguments as a person, a transcript or the audit log may see them:
    /// every known secret masked, and the data of any Secret in a `manifest` argument masked
    /// whatever it is (a Secret the model writes is new to the redactor). A manifest that
    /// cannot be read is dropped rather than shown.
    pub fn redact_arguments(&self, args: &serde_json::Value) -> serde_json::Value {
        use serde::Deserialize;
        let mut args = self.redact_json(args.clone());
        if let Some(manifest) = args["manifest"].as_str()
            && manifest.contains("Secret")
        {
            let masked: Vec<String> = serde_norway::Deserializer::from_str(manifest)
                .filter_map(|d| serde_json::Value::deserialize(d).ok())
                .map(|mut doc| {
                    mask_secret_data(&mut doc);
                    serde_norway::to_string(&doc).unwrap_or_default()
                })
                .collect();
            args["manifest"] = serde_json::Value::String(masked.join("---\n"));
        }
        args
    }
}

/// Masks every value of a Secret object's `data` and `stringData` (a Secret the redactor
/// has never seen, such as one a manifest is about to create).
pub fn mask_secret_data(doc: &mut serde_json::Value) {
    if doc["kind"] != "Secret" {
        return;
    }
    for key in ["data", "stringData"] {
        if let Some(m) = doc[key].as_object_mut() {
            for v in m.values_mut() {
                *v = serde_json::Value::String(MASK.into());
            }
        }
    }
}

/// Whether a configuration key holds a secret value (not the name of one).
fn names_a_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace(['_', '-'], "");
    let a_reference = k.starts_with("existing")
        || k.ends_with("name")
        || k.ends_with("ref")
        || k.ends_with("file")
        || k.ends_with("path");
    let secret_words = [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "credential",
    ];
    let a_secret =
        secret_words.iter().any(|w| k.contains(w)) || k == "accesskey" || k.ends_with("privatekey");
    a_secret && !a_reference
}

/// Every non-empty string under `value` masked; the shape (keys, lists) stays.
fn mask_all(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) if !s.is_empty() => Value::String(MASK.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_all).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, mask_all(v))).collect())
        }
        other => other,
    }
}

/// `scheme://user:PASSWORD@host…` with the password masked.
fn mask_url_password(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return s.to_string();
    };
    match rest[..at].split_once(':') {
        Some((user, password)) if !password.is_empty() && password != MASK => {
            format!("{scheme}://{user}:{MASK}{}", &rest[at..])
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_any_chart_hide_secrets_and_keep_references() {
        let mut r = Redactor::default();
        r.learn("learned-elsewhere-123");
        let values = serde_json::json!({
            "auth": {"postgresPassword": "pw1", "existingSecret": "pg-creds",
                     "existingSecretPasswordKey": "password", "username": "app"},
            "minio": {"accessKey": "AKIA", "secretKey": "S3CR3T", "secretName": "minio-creds"},
            "secrets": {"databaseUrl": "sqlite:///tmp/x.db", "empty": ""},
            "api_token": 12345,
            "tls": {"privateKey": "-----BEGIN", "certFile": "/etc/tls.crt"},
            "externalDatabase": {"url": "postgres://app:hunter2@db:5432/app"},
            "note": "see learned-elsewhere-123",
            "image": {"tag": "1.2.3"},
        });
        let out = r.redact_values(values);
        assert_eq!(out["auth"]["postgresPassword"], MASK);
        assert_eq!(out["auth"]["existingSecret"], "pg-creds");
        assert_eq!(out["auth"]["existingSecretPasswordKey"], "password");
        assert_eq!(out["auth"]["username"], "app");
        assert_eq!(out["minio"]["accessKey"], MASK);
        assert_eq!(out["minio"]["secretKey"], MASK);
        assert_eq!(out["minio"]["secretName"], "minio-creds");
        assert_eq!(out["secrets"]["databaseUrl"], MASK);
        assert_eq!(out["secrets"]["empty"], "");
        // A number under a secret key is not a string to mask; it stays as typed.
        assert_eq!(out["api_token"], 12345);
        assert_eq!(out["tls"]["privateKey"], MASK);
        assert_eq!(out["tls"]["certFile"], "/etc/tls.crt");
        assert_eq!(
            out["externalDatabase"]["url"],
            format!("postgres://app:{MASK}@db:5432/app")
        );
        assert_eq!(out["note"], format!("see {MASK}"));
        assert_eq!(out["image"]["tag"], "1.2.3");
    }

    #[test]
    fn masks_values_and_url_passwords() {
        let mut r = Redactor::default();
        r.learn("postgres://todo:hunter2hunter2@db:5432/todo");
        r.learn("sk-live-abcdef");
        r.learn("abc");
        let text = "connect postgres://todo:hunter2hunter2@db:5432/todo failed; key sk-live-abcdef; pw hunter2hunter2; abc";
        let out = r.redact(text);
        assert!(
            !out.contains("hunter2hunter2") && !out.contains("sk-live-abcdef"),
            "{out}"
        );
        assert!(out.ends_with("abc"), "short values are not masked: {out}");
        r.learn("pa\"ss\\word");
        let rendered =
            serde_json::to_string(&serde_json::json!({"env": "X=pa\"ss\\word"})).unwrap();
        assert!(
            !r.redact(&rendered).contains("ss"),
            "escaped form masked: {rendered}"
        );
        let v = serde_json::json!({"log": ["key sk-live-abcdef"], "sk-live-abcdef": 1, "n": 2});
        let masked = r.redact_json(v).to_string();
        assert!(!masked.contains("sk-live-abcdef"), "{masked}");
        assert!(masked.contains("\"n\":2"), "{masked}");
    }

    #[test]
    fn a_value_that_is_a_name_of_the_namespace_is_not_masked_in_names() {
        let mut r = Redactor::with_public_names(["ledger-db"]);
        r.learn("ledger");
        r.learn("s3cr3t-ledger");
        let out = r.redact("secret ledger-db key password=s3cr3t-ledger");
        assert_eq!(out, format!("secret ledger-db key password={MASK}"));
    }
}
