//! Where `libhelm_c.so` is: `HELM_C_LIB` (a file or a folder), else the project-local
//! install made by `scripts/install-helm-lib` (`.local/helm/lib/`), looked for from the
//! current directory upwards and from this crate's workspace.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The library's file name.
pub const LIB_NAME: &str = "libhelm_c.so";
/// The project-local folder, relative to the workspace root.
pub const LOCAL_DIR: &str = ".local/helm/lib";

/// Every path to try, in order, given `HELM_C_LIB` and the current directory.
pub fn candidates(helm_c_lib: Option<OsString>, cwd: Option<PathBuf>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(v) = helm_c_lib.filter(|v| !v.is_empty()) {
        let p = PathBuf::from(v);
        if p.is_dir() {
            out.push(p.join(LIB_NAME));
        } else {
            out.push(p);
        }
        // An explicit choice is not second-guessed.
        return out;
    }
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(cwd) = cwd {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    // The workspace this crate was built in (tests, `cargo run`).
    roots.extend(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(Path::to_path_buf),
    );
    for root in roots {
        let p = root.join(LOCAL_DIR).join(LIB_NAME);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_file_or_folder_wins_alone() {
        let dir = std::env::temp_dir();
        assert_eq!(
            candidates(Some(dir.clone().into()), None),
            vec![dir.join(LIB_NAME)]
        );
        let file = PathBuf::from("/opt/helm/libhelm_c.so.0.2.2");
        assert_eq!(candidates(Some(file.clone().into()), None), vec![file]);
    }

    #[test]
    fn project_local_install_is_searched_upwards() {
        let c = candidates(None, Some(PathBuf::from("/work/repo/app/src")));
        assert_eq!(
            c[0],
            PathBuf::from("/work/repo/app/src/.local/helm/lib/libhelm_c.so")
        );
        assert!(c.contains(&PathBuf::from("/work/repo/.local/helm/lib/libhelm_c.so")));
    }

    #[test]
    fn missing_library_error_says_how_to_install() {
        let e = crate::helm::HelmError::LibraryMissing {
            searched: vec![PathBuf::from("/x/libhelm_c.so")],
        };
        let msg = e.to_string();
        assert!(
            msg.contains("scripts/install-helm-lib")
                && msg.contains("HELM_C_LIB")
                && msg.contains("/x/libhelm_c.so"),
            "{msg}"
        );
    }
}
