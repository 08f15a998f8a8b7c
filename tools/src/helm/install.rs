//! Installing the Helm SDK library from the pinned PyPI wheel: pick the wheel's address out
//! of the package index, check the wheel's sha256, unpack the library and write it where
//! the locator looks. Pure steps; the download is the caller's (it owns the HTTP client).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::HelmError;
use super::locate::LIB_NAME;

/// The one wheel this binding is written for.
#[derive(Debug, Clone, Copy)]
pub struct PinnedWheel {
    /// The PyPI project.
    pub project: &'static str,
    /// Its version, which is also the C library's version.
    pub version: &'static str,
    /// The Helm SDK version compiled into it.
    pub helm_version: &'static str,
    /// The wheel's file name.
    pub filename: &'static str,
    /// The wheel's sha256, hex.
    pub sha256: &'static str,
    /// The library's path inside the wheel.
    pub member: &'static str,
}

/// helm-python-sdk 0.2.2 for Linux x86_64 (Helm SDK v4.2.3).
pub const PINNED: PinnedWheel = PinnedWheel {
    project: "helm-python-sdk",
    version: "0.2.2",
    helm_version: "v4.2.3",
    filename: "helm_python_sdk-0.2.2-py3-none-manylinux_2_28_x86_64.whl",
    sha256: "28cc13abaf134c3a7e37f070c939be8d9cdc9825c3c8b8b2d35161073bcd4578",
    member: "helm_python/lib/libhelm_c.so",
};

/// The name of the file beside the library that records which wheel it came from.
pub const VERSION_FILE: &str = "VERSION";

impl PinnedWheel {
    /// The platforms the wheel carries a library for, as Rust names them.
    pub fn supports(&self, os: &str, arch: &str) -> bool {
        os == "linux" && arch == "x86_64"
    }

    /// The project's page in a PEP 691 (JSON) simple index, e.g. `https://pypi.org/simple`.
    pub fn index_page(&self, index: &str) -> String {
        format!("{}/{}/", index.trim_end_matches('/'), self.project)
    }

    /// The wheel's download address, read from the project's JSON index page.
    pub fn url_in_index(&self, page: &str) -> Result<String, HelmError> {
        #[derive(Deserialize)]
        struct Page {
            files: Vec<File>,
        }
        #[derive(Deserialize)]
        struct File {
            filename: String,
            url: String,
        }
        let reject = |reason: String| self.rejected("the package index", reason);
        let page: Page = serde_json::from_str(page)
            .map_err(|e| reject(format!("the index page is not PEP 691 JSON: {e}")))?;
        page.files
            .into_iter()
            .find(|f| f.filename == self.filename)
            .map(|f| f.url)
            .ok_or_else(|| reject(format!("it lists no file named {}", self.filename)))
    }

    /// The library inside `wheel` (named `source` in errors), after checking its sha256.
    pub fn library_from_wheel(&self, source: &str, wheel: &[u8]) -> Result<Vec<u8>, HelmError> {
        let actual = hex(&Sha256::digest(wheel));
        if actual != self.sha256 {
            return Err(self.rejected(
                source,
                format!("its sha256 is {actual}, not the pinned {}", self.sha256),
            ));
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(wheel))
            .map_err(|e| self.rejected(source, format!("not a zip archive: {e}")))?;
        let mut member = archive
            .by_name(self.member)
            .map_err(|e| self.rejected(source, format!("no {} inside: {e}", self.member)))?;
        let mut lib = Vec::new();
        member.read_to_end(&mut lib).map_err(|e| {
            self.rejected(source, format!("{} cannot be unpacked: {e}", self.member))
        })?;
        Ok(lib)
    }

    /// Writes `lib` as `dest/libhelm_c.so` (replacing any earlier one in one step) and the
    /// version file beside it; returns the library's path.
    pub fn install(&self, lib: &[u8], dest: &Path) -> Result<PathBuf, HelmError> {
        std::fs::create_dir_all(dest).map_err(write(dest))?;
        let target = dest.join(LIB_NAME);
        // A process that has the old library mapped keeps it: rename, never overwrite.
        let partial = dest.join(format!(".{LIB_NAME}.{}.partial", std::process::id()));
        std::fs::write(&partial, lib).map_err(write(&partial))?;
        std::fs::rename(&partial, &target).map_err(write(&target))?;
        let version = dest.join(VERSION_FILE);
        std::fs::write(&version, format!("{}\n", self.version)).map_err(write(&version))?;
        Ok(target)
    }

    /// Whether `dest` already holds this wheel's library.
    pub fn installed_in(&self, dest: &Path) -> bool {
        dest.join(LIB_NAME).is_file()
            && std::fs::read_to_string(dest.join(VERSION_FILE))
                .is_ok_and(|v| v.trim() == self.version)
    }

    fn rejected(&self, source: &str, reason: String) -> HelmError {
        HelmError::WheelRejected {
            wheel: source.to_string(),
            reason,
            expected: self.filename.to_string(),
        }
    }
}

/// The error for a failed write of `path`.
fn write(path: &Path) -> impl FnOnce(std::io::Error) -> HelmError + '_ {
    move |source| HelmError::InstallWrite {
        path: path.to_path_buf(),
        source,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wheel_with(member: &str, body: &[u8]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        w.start_file(member, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body).unwrap();
        w.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_wheel_with_another_checksum_is_refused_naming_both_sums() {
        let wheel = wheel_with(PINNED.member, b"not helm");
        let e = PINNED.library_from_wheel("x.whl", &wheel).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("x.whl") && msg.contains(PINNED.sha256),
            "{msg}"
        );
        assert!(msg.contains("todo-ops setup helm"), "{msg}");
    }

    #[test]
    fn the_member_is_read_once_the_sum_matches() {
        let wheel = wheel_with(PINNED.member, b"ELF...");
        let pinned = PinnedWheel {
            sha256: Box::leak(hex(&Sha256::digest(&wheel)).into_boxed_str()),
            ..PINNED
        };
        assert_eq!(pinned.library_from_wheel("w", &wheel).unwrap(), b"ELF...");
        let other = wheel_with("helm_python/lib/other.so", b"x");
        let pinned = PinnedWheel {
            sha256: Box::leak(hex(&Sha256::digest(&other)).into_boxed_str()),
            ..PINNED
        };
        let msg = pinned
            .library_from_wheel("w", &other)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("no helm_python/lib/libhelm_c.so inside"),
            "{msg}"
        );
    }

    #[test]
    fn the_index_page_gives_the_pinned_file_only() {
        let page = format!(
            r#"{{"files":[{{"filename":"helm_python_sdk-0.2.1-py3-none-manylinux_2_28_x86_64.whl","url":"https://f/old.whl"}},{{"filename":"{}","url":"https://f/new.whl"}}]}}"#,
            PINNED.filename
        );
        assert_eq!(PINNED.url_in_index(&page).unwrap(), "https://f/new.whl");
        let msg = PINNED
            .url_in_index(r#"{"files":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("lists no file named"), "{msg}");
        assert!(PINNED.url_in_index("<html>").is_err());
    }

    #[test]
    fn install_writes_library_and_version_and_is_recognised() {
        let dir = std::env::temp_dir().join(format!("helm-install-{}", std::process::id()));
        assert!(!PINNED.installed_in(&dir));
        let path = PINNED.install(b"lib", &dir).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"lib");
        assert!(PINNED.installed_in(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
