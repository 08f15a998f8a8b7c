//! Backend configuration read from the environment, with one clear error per bad setting.

use std::fmt;

/// The minimum length of `BETTER_AUTH_SECRET`, as Better Auth requires.
pub const MIN_AUTH_SECRET_LEN: usize = 32;
/// The port the backend listens on when `PORT` is unset.
pub const DEFAULT_BACKEND_PORT: u16 = 8000;
/// Database connection attempts at start-up when `DATABASE_CONNECT_ATTEMPTS` is unset.
pub const DEFAULT_DB_CONNECT_ATTEMPTS: u32 = 6;
/// The port the frontend listens on when `PORT` is unset.
pub const DEFAULT_FRONTEND_PORT: u16 = 3000;

/// A setting that is missing or invalid: names the variable and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it and how to fix it.
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (the default in containers).
    Json,
    /// Human-readable text.
    Text,
}

/// Settings for the OpenAI-compatible chat model; absent means the offline engine.
#[derive(Clone)]
pub struct LlmConfig {
    /// The API key (never printed).
    pub api_key: String,
    /// Base URL of an OpenAI-compatible endpoint, e.g. `https://api.openai.com/v1`.
    pub base_url: Option<String>,
    /// The model name.
    pub model: String,
}

impl fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmConfig")
            .field("api_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .finish()
    }
}

/// Everything the backend needs to start.
#[derive(Clone)]
pub struct BackendConfig {
    /// `postgres://…` or `sqlite://…`.
    pub database_url: String,
    /// Secret used to derive session token hashes (never printed).
    pub auth_secret: String,
    /// Public base URL of the auth endpoints, used for cookie security.
    pub auth_url: Option<String>,
    /// The chat model, when `OPENAI_API_KEY` is set.
    pub llm: Option<LlmConfig>,
    /// TCP port.
    pub port: u16,
    /// Log line format.
    pub log_format: LogFormat,
    /// Connection attempts at start-up before giving up (`DATABASE_CONNECT_ATTEMPTS`).
    pub db_connect_attempts: u32,
    /// How long requests are still served after SIGTERM (`SHUTDOWN_DRAIN_SECONDS`).
    pub drain: std::time::Duration,
}

impl fmt::Debug for BackendConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendConfig")
            .field("database", &redact_database_url(&self.database_url))
            .field("auth_secret", &"<redacted>")
            .field("auth_url", &self.auth_url)
            .field("llm", &self.llm)
            .field("port", &self.port)
            .field("log_format", &self.log_format)
            .field("db_connect_attempts", &self.db_connect_attempts)
            .field("drain", &self.drain)
            .finish()
    }
}

/// Reads a variable, treating an empty value as unset.
fn get(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
}

/// Parses `LOG_FORMAT` (json|text, default json).
pub fn log_format_from(lookup: &dyn Fn(&str) -> Option<String>) -> Result<LogFormat, ConfigError> {
    match get(lookup, "LOG_FORMAT")
        .as_deref()
        .map(str::to_ascii_lowercase)
    {
        None => Ok(LogFormat::Json),
        Some(v) if v == "json" => Ok(LogFormat::Json),
        Some(v) if v == "text" => Ok(LogFormat::Text),
        Some(v) => Err(ConfigError::new(
            "LOG_FORMAT",
            format!("is {v:?}: expected \"json\" or \"text\""),
        )),
    }
}

/// Parses `PORT`, falling back to `default`.
pub fn port_from(
    lookup: &dyn Fn(&str) -> Option<String>,
    default: u16,
) -> Result<u16, ConfigError> {
    match get(lookup, "PORT") {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u16>() {
            Ok(p) if p > 0 => Ok(p),
            _ => Err(ConfigError::new(
                "PORT",
                format!("is {v:?}: expected a TCP port number between 1 and 65535"),
            )),
        },
    }
}

impl BackendConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|k| std::env::var(k).ok())
    }

    /// Reads the configuration through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let log_format = log_format_from(lookup)?;
        let database_url = get(lookup, "DATABASE_URL").ok_or_else(|| {
            ConfigError::new(
                "DATABASE_URL",
                "is not set: set it to a postgres://user:password@host:5432/db or sqlite://path.db URL",
            )
        })?;
        let database_url = database_url.trim().to_string();
        if !(database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
            || database_url.starts_with("sqlite:"))
        {
            let scheme = database_url.split(':').next().unwrap_or_default();
            return Err(ConfigError::new(
                "DATABASE_URL",
                format!(
                    "has unsupported scheme {scheme:?}: expected postgres:// (or postgresql://) or sqlite://"
                ),
            ));
        }
        let auth_secret = get(lookup, "BETTER_AUTH_SECRET").ok_or_else(|| {
            ConfigError::new(
                "BETTER_AUTH_SECRET",
                format!(
                    "is not set: set it to a random string of at least {MIN_AUTH_SECRET_LEN} characters (e.g. `openssl rand -base64 32`)"
                ),
            )
        })?;
        if auth_secret.chars().count() < MIN_AUTH_SECRET_LEN {
            return Err(ConfigError::new(
                "BETTER_AUTH_SECRET",
                format!(
                    "is too short: {} characters, at least {MIN_AUTH_SECRET_LEN} are required",
                    auth_secret.chars().count()
                ),
            ));
        }
        let auth_url = get(lookup, "BETTER_AUTH_URL");
        if let Some(url) = &auth_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::new(
                "BETTER_AUTH_URL",
                format!("is {url:?}: expected an http:// or https:// URL"),
            ));
        }
        let base_url = get(lookup, "OPENAI_BASE_URL");
        if let Some(url) = &base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::new(
                "OPENAI_BASE_URL",
                format!(
                    "is {url:?}: expected an http:// or https:// URL such as https://api.openai.com/v1"
                ),
            ));
        }
        let llm = get(lookup, "OPENAI_API_KEY").map(|api_key| LlmConfig {
            api_key,
            base_url,
            model: get(lookup, "OPENAI_MODEL").unwrap_or_else(|| "gpt-4o-mini".to_string()),
        });
        let port = port_from(lookup, DEFAULT_BACKEND_PORT)?;
        let db_connect_attempts = match get(lookup, "DATABASE_CONNECT_ATTEMPTS") {
            None => DEFAULT_DB_CONNECT_ATTEMPTS,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(ConfigError::new(
                        "DATABASE_CONNECT_ATTEMPTS",
                        format!("is {v:?}: expected a whole number from 1 to 1000"),
                    ));
                }
            },
        };
        Ok(Self {
            database_url,
            auth_secret,
            auth_url,
            llm,
            port,
            log_format,
            db_connect_attempts,
            drain: crate::shutdown::drain_from(lookup)?,
        })
    }
}

/// A database URL with its password replaced, safe for logs.
pub fn redact_database_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    let user = userinfo.split(':').next().unwrap_or_default();
    let host = host.split('?').next().unwrap_or_default();
    format!("{scheme}://{user}:***@{host}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<BackendConfig, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BackendConfig::from_lookup(&|k| map.get(k).cloned())
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn missing_database_url_names_the_variable() {
        let err = cfg(&[("BETTER_AUTH_SECRET", SECRET)]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        assert!(err.to_string().starts_with("DATABASE_URL is not set"));
    }

    #[test]
    fn short_secret_is_rejected_with_its_length() {
        let err = cfg(&[
            ("DATABASE_URL", "sqlite://x.db"),
            ("BETTER_AUTH_SECRET", "short"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "BETTER_AUTH_SECRET");
        assert!(err.problem.contains("5 characters"), "{err}");
    }

    #[test]
    fn bad_scheme_port_and_log_format_are_rejected() {
        let base = [
            ("DATABASE_URL", "mysql://x"),
            ("BETTER_AUTH_SECRET", SECRET),
        ];
        assert_eq!(cfg(&base).unwrap_err().variable, "DATABASE_URL");
        let ok = [
            ("DATABASE_URL", "sqlite://x.db"),
            ("BETTER_AUTH_SECRET", SECRET),
        ];
        let mut with_port = ok.to_vec();
        with_port.push(("PORT", "eighty"));
        assert_eq!(cfg(&with_port).unwrap_err().variable, "PORT");
        let mut with_log = ok.to_vec();
        with_log.push(("LOG_FORMAT", "yaml"));
        assert_eq!(cfg(&with_log).unwrap_err().variable, "LOG_FORMAT");
    }

    #[test]
    fn defaults_and_secrets_stay_out_of_debug() {
        let c = cfg(&[
            ("DATABASE_URL", "postgres://app:hunter2hunter2@db:5432/todo"),
            ("BETTER_AUTH_SECRET", SECRET),
            ("OPENAI_API_KEY", "sk-test-very-secret"),
        ])
        .unwrap();
        assert_eq!(c.port, DEFAULT_BACKEND_PORT);
        assert_eq!(c.log_format, LogFormat::Json);
        let shown = format!("{c:?}");
        for secret in ["hunter2hunter2", SECRET, "sk-test-very-secret"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("postgres://app:***@db:5432/todo"));
    }
}
