//! The charts, playbooks and eval tasks built into the binary, so an installed todo-ops
//! works away from its source tree. They are unpacked once per build into the user's cache
//! folder, so every reader (the Helm SDK, the playbook loader, eval) reads an ordinary
//! folder. A folder given with a flag, or in the settings file, is used instead.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use todo_ops_tools::user_dirs::UserDir;

use crate::ops::settings::{self, ConfigError};

static CHARTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../charts");
static PLAYBOOKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../playbooks");
static TASKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../tests/evals");

/// A folder todo-ops ships inside its binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundled {
    /// The chatbot's Helm charts (`todo-backend/`, `todo-frontend/`).
    Charts,
    /// The markdown playbooks.
    Playbooks,
    /// The eval tasks (`*.toml`).
    Tasks,
}

/// A folder that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A folder given by a flag or the settings file does not exist.
    #[error(
        "the {what} folder {path} (from {origin}) does not exist; fix the path, or leave it out to use the built-in {what}"
    )]
    Missing {
        /// charts, playbooks or tasks.
        what: &'static str,
        /// The folder.
        path: PathBuf,
        /// The flag or the settings file that named it.
        origin: String,
    },
    /// Writing the built-in copy failed.
    #[error("cannot write the built-in {what} to {path}: {source}; {hint}")]
    Write {
        /// charts, playbooks or tasks.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// What to do.
        hint: &'static str,
    },
    /// An export target that already has files in it.
    #[error(
        "{path} is not empty; export the built-in {what} into a new or empty folder, so nothing of yours is overwritten"
    )]
    NotEmpty {
        /// charts, playbooks or tasks.
        what: &'static str,
        /// The folder.
        path: PathBuf,
    },
    /// The settings file is unusable.
    #[error(transparent)]
    Settings(#[from] ConfigError),
}

impl Bundled {
    /// The folder's name in the source tree and in messages.
    pub fn what(self) -> &'static str {
        match self {
            Bundled::Charts => "charts",
            Bundled::Playbooks => "playbooks",
            Bundled::Tasks => "tasks",
        }
    }

    /// The flag (and settings-file key, without the dashes) that names another folder.
    pub fn flag(self) -> &'static str {
        match self {
            Bundled::Charts => "--charts",
            Bundled::Playbooks => "--playbooks",
            Bundled::Tasks => "--evals",
        }
    }

    fn embedded(self) -> &'static Dir<'static> {
        match self {
            Bundled::Charts => &CHARTS,
            Bundled::Playbooks => &PLAYBOOKS,
            Bundled::Tasks => &TASKS,
        }
    }

    fn setting(self, c: &settings::ChatConfig) -> Option<&PathBuf> {
        match self {
            Bundled::Charts => c.charts.as_ref(),
            Bundled::Playbooks => c.playbooks.as_ref(),
            Bundled::Tasks => c.evals.as_ref(),
        }
    }

    /// The folder to read: `given` (from the flag), else the settings file's, else the
    /// built-in copy, unpacked into the cache folder on first use.
    pub fn folder(self, given: Option<&Path>) -> Result<PathBuf, BundleError> {
        let exists = |path: PathBuf, origin: String| {
            if path.is_dir() {
                Ok(path)
            } else {
                Err(BundleError::Missing {
                    what: self.what(),
                    path,
                    origin,
                })
            }
        };
        if let Some(d) = given {
            return exists(d.to_path_buf(), self.flag().to_string());
        }
        let (settings, file) = settings::load_from_env()?;
        if let Some(d) = self.setting(&settings) {
            let base = file.parent().unwrap_or(Path::new("."));
            return exists(base.join(d), file.display().to_string());
        }
        self.unpacked()
    }

    /// The built-in copy in `$XDG_CACHE_HOME/todo-ops/bundle/<version>-<content hash>/`.
    fn unpacked(self) -> Result<PathBuf, BundleError> {
        let root = UserDir::Cache.path().join("bundle").join(format!(
            "{}-{}",
            env!("CARGO_PKG_VERSION"),
            content_hash(self.embedded())
        ));
        let target = root.join(self.what());
        if target.is_dir() {
            return Ok(target);
        }
        let write = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BundleError::Write {
                what: self.what(),
                path,
                source,
                hint: "set XDG_CACHE_HOME to a writable folder, or pass the folder with a flag",
            }
        };
        // Unpacked beside the target and renamed into place, so a concurrent todo-ops
        // never reads a half-written folder.
        let partial = root.join(format!(".{}.{}.partial", self.what(), std::process::id()));
        std::fs::create_dir_all(&partial).map_err(write(&partial))?;
        self.embedded().extract(&partial).map_err(write(&partial))?;
        if let Err(e) = std::fs::rename(&partial, &target) {
            let _ = std::fs::remove_dir_all(&partial);
            if !target.is_dir() {
                return Err(write(&target)(e));
            }
        }
        Ok(target)
    }

    /// Writes the built-in copy into `dest` (created when missing, refused when not
    /// empty); returns how many files were written.
    pub fn export(self, dest: &Path) -> Result<usize, BundleError> {
        let has_files = std::fs::read_dir(dest).is_ok_and(|mut d| d.next().is_some());
        if has_files {
            return Err(BundleError::NotEmpty {
                what: self.what(),
                path: dest.to_path_buf(),
            });
        }
        let write = |source| BundleError::Write {
            what: self.what(),
            path: dest.to_path_buf(),
            source,
            hint: "pick a folder you can write to",
        };
        std::fs::create_dir_all(dest).map_err(write)?;
        self.embedded().extract(dest).map_err(write)?;
        Ok(files(self.embedded()).count())
    }
}

fn files(
    dir: &'static Dir<'static>,
) -> Box<dyn Iterator<Item = &'static include_dir::File<'static>>> {
    Box::new(
        dir.files()
            .chain(dir.dirs().flat_map(|d| files(d).collect::<Vec<_>>())),
    )
}

/// A short hash of every path and content, so a new build never reads an old unpacked copy.
fn content_hash(dir: &'static Dir<'static>) -> String {
    let mut h = Sha256::new();
    let mut all: Vec<_> = files(dir).collect();
    all.sort_by_key(|f| f.path());
    for f in all {
        h.update(f.path().to_string_lossy().as_bytes());
        h.update([0]);
        h.update((f.contents().len() as u64).to_le_bytes());
        h.update(f.contents());
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_folder_has_what_its_readers_look_for() {
        assert!(CHARTS.get_file("todo-backend/Chart.yaml").is_some());
        assert!(CHARTS.get_file("todo-frontend/Chart.yaml").is_some());
        assert!(PLAYBOOKS.get_file("verify.md").is_some());
        assert!(files(&TASKS).any(|f| f.path().extension().is_some_and(|e| e == "toml")));
    }

    #[test]
    fn export_refuses_a_folder_with_files_and_writes_an_empty_one() {
        let dir = std::env::temp_dir().join(format!("bundle-export-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let n = Bundled::Playbooks.export(&dir).unwrap();
        assert_eq!(n, files(&PLAYBOOKS).count());
        assert!(dir.join("verify.md").is_file());
        let e = Bundled::Playbooks.export(&dir).unwrap_err().to_string();
        assert!(e.contains("not empty") && e.contains("overwritten"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_given_folder_names_the_flag() {
        let e = Bundled::Charts
            .folder(Some(Path::new("/nonexistent/charts")))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--charts") && e.contains("/nonexistent/charts"),
            "{e}"
        );
    }
}
