//! Finding the repository's folders (charts, playbooks, eval tasks) from wherever todo-ops
//! runs: the current directory and its parents first, then next to this source tree.

use std::path::{Path, PathBuf};

/// `relative` under the nearest ancestor where `marker` (a path inside it) exists.
pub fn find(relative: &str, marker: &str) -> Option<PathBuf> {
    let mut roots: Vec<PathBuf> = std::env::current_dir()
        .map(|d| d.ancestors().map(Path::to_path_buf).collect())
        .unwrap_or_default();
    roots.extend(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(Path::to_path_buf),
    );
    roots
        .into_iter()
        .map(|r| r.join(relative))
        .find(|d| d.join(marker).exists())
}
