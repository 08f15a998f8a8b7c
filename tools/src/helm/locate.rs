//! Where `libhelm_c.so` is, in this order: `HELM_C_LIB` (a file or a folder) alone when set;
//! else beside the running binary (an installed todo-ops shipped with it); else the user's
//! data folder, where `todo-ops setup helm` installs it; else a checkout's `.local/helm/lib`,
//! looked for from the current directory upwards. Never the folder the binary was built in:
//! an installed todo-ops must behave the same on the machine that built it and elsewhere.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::user_dirs::UserDir;

/// The library's file name.
pub const LIB_NAME: &str = "libhelm_c.so";
/// The project-local folder, relative to the workspace root.
pub const LOCAL_DIR: &str = ".local/helm/lib";

/// What the search looks at, read from the environment by [`Search::from_env`].
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// `HELM_C_LIB`.
    pub helm_c_lib: Option<OsString>,
    /// The folder of the running binary.
    pub exe_dir: Option<PathBuf>,
    /// The user's data folder for todo-ops (`$XDG_DATA_HOME/todo-ops`).
    pub data_dir: Option<PathBuf>,
    /// The current directory.
    pub cwd: Option<PathBuf>,
}

impl Search {
    /// This process's environment.
    pub fn from_env() -> Self {
        Search {
            helm_c_lib: std::env::var_os("HELM_C_LIB"),
            exe_dir: std::env::current_exe()
                .ok()
                .and_then(|e| e.parent().map(Path::to_path_buf)),
            data_dir: Some(UserDir::Data.path()),
            cwd: std::env::current_dir().ok(),
        }
    }

    /// Every path to try, in order.
    pub fn candidates(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(v) = self.helm_c_lib.as_ref().filter(|v| !v.is_empty()) {
            let p = PathBuf::from(v);
            // An explicit choice is not second-guessed.
            return vec![if p.is_dir() { p.join(LIB_NAME) } else { p }];
        }
        let mut push = |p: PathBuf| {
            if !out.contains(&p) {
                out.push(p);
            }
        };
        if let Some(d) = &self.exe_dir {
            push(d.join(LIB_NAME));
        }
        if let Some(d) = &self.data_dir {
            push(user_install_dir(d).join(LIB_NAME));
        }
        for root in self.cwd.iter().flat_map(|c| c.ancestors()) {
            push(root.join(LOCAL_DIR).join(LIB_NAME));
        }
        out
    }
}

/// Where `todo-ops setup helm` installs the library for this user, given the data folder.
pub fn user_install_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("lib")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_file_or_folder_wins_alone() {
        let dir = std::env::temp_dir();
        let search = |v: &Path| Search {
            helm_c_lib: Some(v.into()),
            exe_dir: Some("/opt/bin".into()),
            ..Default::default()
        };
        assert_eq!(search(&dir).candidates(), vec![dir.join(LIB_NAME)]);
        let file = PathBuf::from("/opt/helm/libhelm_c.so.0.2.2");
        assert_eq!(search(&file).candidates(), vec![file]);
    }

    #[test]
    fn beside_binary_then_data_folder_then_checkout_upwards() {
        let c = Search {
            helm_c_lib: Some("".into()),
            exe_dir: Some("/opt/todo/bin".into()),
            data_dir: Some("/home/ada/.local/share/todo-ops".into()),
            cwd: Some("/work/repo/app/src".into()),
        }
        .candidates();
        assert_eq!(c[0], PathBuf::from("/opt/todo/bin/libhelm_c.so"));
        assert_eq!(
            c[1],
            PathBuf::from("/home/ada/.local/share/todo-ops/lib/libhelm_c.so")
        );
        assert_eq!(
            c[2],
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
            msg.contains("todo-ops setup helm")
                && msg.contains("HELM_C_LIB")
                && msg.contains("/x/libhelm_c.so"),
            "{msg}"
        );
    }
}
