//! The image table: which image references run which local program.

use std::path::PathBuf;

/// One entry: a repository (and optionally the tags it exists with) mapped to a program.
#[derive(Debug, Clone)]
pub struct ImageEntry {
    /// Repository name, e.g. `todo-backend`.
    pub repository: String,
    /// The tags the image exists with; empty: any tag (a public image has many).
    pub tags: Vec<String>,
    /// The program to run.
    pub command: PathBuf,
}

/// Image reference → program.
#[derive(Debug, Clone, Default)]
pub struct ImageTable {
    entries: Vec<ImageEntry>,
}

/// The tags our own images are built with.
pub const BUILT_TAGS: [&str; 2] = ["latest", env!("CARGO_PKG_VERSION")];

/// Splits `registry/path/name:tag@digest` into (name, tag).
pub fn split(image: &str) -> (String, String) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    match last.split_once(':') {
        Some((n, t)) => (n.to_string(), t.to_string()),
        None => (last.to_string(), "latest".to_string()),
    }
}

impl ImageTable {
    /// Adds one of our own images: it exists only with the tags our builds give it, so a
    /// tag typo fails to pull as it would from a registry.
    pub fn add_built(&mut self, repository: &str, program: &std::path::Path) {
        self.entries.push(ImageEntry {
            repository: repository.to_string(),
            tags: BUILT_TAGS.iter().map(|t| t.to_string()).collect(),
            command: program.to_path_buf(),
        });
    }

    /// Adds `repo[:tag]=PATH`: that one tag, or without a tag every tag of the repository.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (image, path) = spec.split_once('=').ok_or_else(|| {
            format!("image mapping {spec:?} must look like todo-backend=/path/to/binary")
        })?;
        let (repository, tag) = match image.split_once(':') {
            Some((r, t)) => (r.to_string(), vec![t.to_string()]),
            None => (image.to_string(), vec![]),
        };
        self.entries.push(ImageEntry {
            repository,
            tags: tag,
            command: PathBuf::from(path),
        });
        Ok(())
    }

    /// The program for an image, if the table has it (and the file exists).
    pub fn resolve(&self, image: &str) -> Option<PathBuf> {
        let (name, tag) = split(image);
        self.entries
            .iter()
            .find(|e| e.repository == name && (e.tags.is_empty() || e.tags.contains(&tag)))
            .map(|e| e.command.clone())
            .filter(|p| p.is_file())
    }

    /// Whether nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_by_repository_and_tag() {
        let exe = std::env::current_exe().unwrap();
        let mut t = ImageTable::default();
        t.add_built("todo-backend", &exe);
        assert_eq!(t.resolve("todo-backend:latest"), Some(exe.clone()));
        assert_eq!(
            t.resolve("docker.io/library/todo-backend"),
            Some(exe.clone())
        );
        assert_eq!(t.resolve("todo-backend:v9.9.9"), None);
        assert_eq!(t.resolve("nginx:1.27"), None);
        // A mapping without a tag stands for a public image: any tag of it runs.
        t.add(&format!("nginx={}", exe.display())).unwrap();
        assert_eq!(t.resolve("nginx:1.27"), Some(exe.clone()));
        assert_eq!(
            t.resolve("docker.io/library/nginx:1.27-alpine"),
            Some(exe.clone())
        );
        t.add(&format!("redis:7={}", exe.display())).unwrap();
        assert_eq!(t.resolve("redis:7"), Some(exe.clone()));
        assert_eq!(t.resolve("redis:8"), None);
        assert!(t.add("nonsense").is_err());
        assert_eq!(
            split("reg.io:5000/a/b:1.2@sha256:x"),
            ("b".into(), "1.2".into())
        );
    }
}
