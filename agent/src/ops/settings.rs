//! todo-ops's settings file, `$XDG_CONFIG_HOME/todo-ops/config.toml` (or
//! `~/.config/todo-ops/config.toml`, or `TODO_OPS_CONFIG`): flags and environment win over
//! it, it wins over the defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use todo_ops_tools::user_dirs::UserDir;

/// What the file may set.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChatConfig {
    /// Model name.
    pub model: Option<String>,
    /// OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1`.
    pub base_url: Option<String>,
    /// API key (prefer `OPENAI_API_KEY`; a key here is never printed).
    pub api_key: Option<String>,
    /// Model calls allowed in one turn.
    pub max_model_calls: Option<u32>,
    /// Timeout of one model request, in seconds.
    pub timeout_secs: Option<u64>,
    /// The model has no native function calling (`--tool-shim`).
    pub tool_shim: Option<bool>,
    /// The model's context window in tokens (default 50000): history and the share one tool
    /// result may take are sized from it.
    pub context_tokens: Option<u64>,
    /// The context window per model name, over `context_tokens`, e.g.
    /// `model_context_tokens = { "smollm2" = 8192 }`.
    #[serde(default)]
    pub model_context_tokens: std::collections::BTreeMap<String, u64>,
    /// A charts folder to use instead of the built-in charts (relative to this file).
    pub charts: Option<PathBuf>,
    /// A playbooks folder to use instead of the built-in playbooks (relative to this file).
    pub playbooks: Option<PathBuf>,
    /// An eval tasks folder to use instead of the built-in tasks (relative to this file).
    pub evals: Option<PathBuf>,
}

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Unreadable.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or an unknown or mistyped setting.
    #[error(
        "{path} is not a valid todo-ops config: {message}; the settings are model, base_url, api_key, max_model_calls, timeout_secs, tool_shim, charts, playbooks, evals"
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's words, with line and column.
        message: String,
    },
}

/// The default location.
pub fn default_path() -> PathBuf {
    UserDir::Config.path().join("config.toml")
}

/// The settings of the file `TODO_OPS_CONFIG` names (which must exist), else of the default
/// location (which may be absent), for commands that have no `--config` flag.
pub fn load_from_env() -> Result<(ChatConfig, PathBuf), ConfigError> {
    match std::env::var_os("TODO_OPS_CONFIG").filter(|v| !v.is_empty()) {
        Some(p) => {
            let p = PathBuf::from(p);
            Ok((load(&p, true)?, p))
        }
        None => {
            let p = default_path();
            Ok((load(&p, false)?, p))
        }
    }
}

/// Reads `path`; a missing file at the default location is no settings, not an error.
pub fn load(path: &Path, explicit: bool) -> Result<ChatConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(ChatConfig::default());
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string().trim().replace('\n', " "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("todo-ops-config-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn settings_load_and_mistakes_name_file_and_setting() {
        let p = write(
            "ok.toml",
            "model = \"qwen2.5:7b\"\nbase_url = \"http://localhost:11434/v1\"\nmax_model_calls = 8\n",
        );
        let c = load(&p, true).unwrap();
        assert_eq!(c.model.as_deref(), Some("qwen2.5:7b"));
        assert_eq!(c.max_model_calls, Some(8));

        let p = write("typo.toml", "modle = \"x\"\n");
        let e = load(&p, true).unwrap_err().to_string();
        assert!(e.contains("typo.toml") && e.contains("modle"), "{e}");

        let p = write("type.toml", "max_model_calls = \"many\"\n");
        let e = load(&p, true).unwrap_err().to_string();
        assert!(e.contains("max_model_calls") && e.contains("line 1"), "{e}");

        let missing = p.with_file_name("absent.toml");
        assert_eq!(load(&missing, false).unwrap(), ChatConfig::default());
        assert!(
            load(&missing, true)
                .unwrap_err()
                .to_string()
                .contains("absent.toml")
        );
    }
}
