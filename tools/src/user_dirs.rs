//! Where todo-ops keeps a person's files, after the XDG base directory rules: each kind of
//! file in `$XDG_<KIND>_HOME/todo-ops`, else under `$HOME`.

use std::path::PathBuf;

/// The kinds of per-user folders todo-ops uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserDir {
    /// Settings (`config.toml`): `$XDG_CONFIG_HOME`, else `~/.config`.
    Config,
    /// Things that outlive a run (kubeconfig, sessions): `$XDG_STATE_HOME`, else `~/.local/state`.
    State,
    /// Installed data (the Helm SDK library): `$XDG_DATA_HOME`, else `~/.local/share`.
    Data,
    /// What can be made again (unpacked charts and playbooks): `$XDG_CACHE_HOME`, else `~/.cache`.
    Cache,
}

impl UserDir {
    fn variable_and_fallback(self) -> (&'static str, &'static str) {
        match self {
            UserDir::Config => ("XDG_CONFIG_HOME", ".config"),
            UserDir::State => ("XDG_STATE_HOME", ".local/state"),
            UserDir::Data => ("XDG_DATA_HOME", ".local/share"),
            UserDir::Cache => ("XDG_CACHE_HOME", ".cache"),
        }
    }

    /// `<base>/todo-ops` for this kind, read from the environment now.
    pub fn path(self) -> PathBuf {
        let (var, fallback) = self.variable_and_fallback();
        base(std::env::var_os(var), std::env::var_os("HOME"), fallback).join("todo-ops")
    }
}

/// The base folder: the variable when it is an absolute path (the XDG rules ignore relative
/// ones), else `$HOME/<fallback>`, else the current folder.
fn base(
    var: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
    fallback: &str,
) -> PathBuf {
    if let Some(p) = var.map(PathBuf::from).filter(|p| p.is_absolute()) {
        return p;
    }
    match home.filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h).join(fallback),
        None => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_variable_wins_and_relative_is_ignored() {
        let home = Some("/home/ada".into());
        assert_eq!(
            base(Some("/x/data".into()), home.clone(), ".local/share"),
            PathBuf::from("/x/data")
        );
        assert_eq!(
            base(Some("rel/data".into()), home.clone(), ".local/share"),
            PathBuf::from("/home/ada/.local/share")
        );
        assert_eq!(
            base(Some("".into()), home, ".cache"),
            PathBuf::from("/home/ada/.cache")
        );
        assert_eq!(base(None, None, ".cache"), PathBuf::from("."));
    }
}
