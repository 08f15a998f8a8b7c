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
    /// A multi-call program (busybox): every applet is a command of the image.
    pub applets: bool,
    /// The program is the image's ENTRYPOINT (`args` follow it); otherwise only its default
    /// CMD, which `args` replace.
    pub entrypoint: bool,
    /// The image's CMD when it is more than the program (`nginx -g 'daemon off;'`).
    pub default_command: Vec<String>,
    /// The image's own files.
    pub layer: Option<&'static Layer>,
    /// The language runtimes the image ships (`python`); `None`: a program of this machine
    /// that may use any of the machine's.
    pub runtimes: Option<&'static [&'static str]>,
    /// Its toolbox (see [`Image::toolbox`]).
    pub toolbox: Option<PathBuf>,
}

/// The families of language runtimes a machine may have and an image may not: a stock
/// image that ships none of a family does not see the machine's (nginx has no python3, so
/// a command running it fails with "not found", as it would on a cluster).
const RUNTIME_FAMILIES: &[&str] = &["python", "node", "nodejs", "ruby", "php", "java", "perl"];

/// Whether `program` (a file name) belongs to the runtime `family`: `python`, `python3`,
/// `python3.11`.
fn of_family(program: &str, family: &str) -> bool {
    program
        .strip_prefix(family)
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The machine's programs, on `PATH`, of the runtime families an image without `runtimes`
/// lacks (each once, links resolved to their own directory's entry).
fn absent_runtimes(runtimes: &[&str]) -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for dir in std::env::split_paths(&path) {
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let lacked = RUNTIME_FAMILIES
                .iter()
                .filter(|f| !runtimes.iter().any(|r| of_family(f, r) || of_family(r, f)))
                .any(|f| of_family(name, f));
            let file = dir.join(name);
            if lacked && !out.contains(&file) {
                out.push(file);
            }
        }
    }
    out
}

/// The files a stock image has besides its program, as its image layers would give them.
#[derive(Debug, PartialEq, Eq)]
pub struct Layer {
    /// (path, content) of each file.
    pub files: &'static [(&'static str, &'static str)],
    /// Directories the program writes in, fresh for each container.
    pub writable: &'static [&'static str],
    /// (path, target) links inside those directories: the image's log files pointing at
    /// the container's output.
    pub links: &'static [(&'static str, &'static str)],
}

impl Layer {
    /// Whether the layer holds the file `path`.
    pub fn has(&self, path: &std::path::Path) -> bool {
        self.files
            .iter()
            .any(|(p, _)| std::path::Path::new(p) == path)
    }
}

/// What an image runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The program (the image's entrypoint).
    pub program: PathBuf,
    /// A multi-call program whose applets are the image's commands: a `command` that names
    /// one runs this program under that name, and the image's default command is `sh`.
    pub applets: bool,
    /// The program is the image's ENTRYPOINT (`args` follow it); otherwise it is the
    /// default CMD and `args` replace it, as for busybox and python.
    pub entrypoint: bool,
    /// The image's CMD when it is more than the program: `argv[0]` and arguments.
    pub default_command: Vec<String>,
    /// The image's own files (configuration, pages), mounted in each of its containers.
    pub layer: Option<&'static Layer>,
    /// Programs of this machine the image does not have (hidden in its containers).
    pub absent: Vec<PathBuf>,
    /// The multi-call program whose applets are the image's small commands (busybox in
    /// busybox and the Alpine-based images).
    pub toolbox: Option<PathBuf>,
}

/// A public image this machine's own program stands in for, when it is installed.
struct Stock {
    repository: &'static str,
    /// The program on this machine that must be installed (and runs, without `entry`).
    program: &'static str,
    /// The image's own entrypoint file in its layer, when that is what runs.
    entry: Option<&'static str>,
    /// A multi-call program (busybox).
    applets: bool,
    /// The program is the image's ENTRYPOINT.
    entrypoint: bool,
    /// The image's CMD, when it is more than the program.
    command: &'static [&'static str],
    layer: Option<&'static Layer>,
    /// The language runtimes it ships.
    runtimes: &'static [&'static str],
    /// Busybox's applets beside the program, as in an Alpine-based image.
    toolbox: bool,
}

/// The nginx image: Debian's nginx with the official image's layout and default site.
static NGINX: Layer = Layer {
    files: &[
        (
            "/etc/nginx/nginx.conf",
            include_str!("../../images/nginx/nginx.conf"),
        ),
        (
            "/etc/nginx/conf.d/default.conf",
            include_str!("../../images/nginx/default.conf"),
        ),
        (
            "/usr/share/nginx/html/index.html",
            include_str!("../../images/nginx/index.html"),
        ),
        (
            "/usr/share/nginx/html/50x.html",
            include_str!("../../images/nginx/50x.html"),
        ),
    ],
    writable: &["/var/log/nginx", "/var/cache/nginx", "/var/lib/nginx"],
    links: &[
        ("/var/log/nginx/access.log", "/dev/stdout"),
        ("/var/log/nginx/error.log", "/dev/stderr"),
    ],
};

/// The httpd image: its default page on port 80, served by busybox's httpd.
static HTTPD: Layer = Layer {
    files: &[(
        "/usr/local/apache2/htdocs/index.html",
        include_str!("../../images/httpd/index.html"),
    )],
    writable: &[],
    links: &[],
};

/// The stock images (see the README's table).
const STOCK: &[Stock] = &[
    Stock {
        repository: "busybox",
        entry: None,
        program: "busybox",
        applets: true,
        entrypoint: false,
        command: &[],
        runtimes: &[],
        layer: None,
        toolbox: false,
    },
    Stock {
        repository: "python",
        entry: None,
        program: "python3",
        applets: false,
        entrypoint: false,
        command: &[],
        runtimes: &["python", "perl"],
        layer: None,
        toolbox: false,
    },
    Stock {
        repository: "curl",
        entry: None,
        program: "curl",
        applets: false,
        entrypoint: true,
        command: &[],
        runtimes: &[],
        layer: None,
        toolbox: true,
    },
    // In-cluster clients: its entrypoint is kubectl, which finds the API server through the
    // ServiceAccount credentials and KUBERNETES_SERVICE_HOST the kubelet gives every pod.
    Stock {
        repository: "kubectl",
        entry: None,
        program: "kubectl",
        applets: false,
        entrypoint: true,
        command: &[],
        runtimes: &["perl"],
        layer: None,
        toolbox: false,
    },
    Stock {
        repository: "nginx",
        entry: None,
        program: "nginx",
        applets: false,
        entrypoint: false,
        command: &["nginx", "-g", "daemon off;"],
        runtimes: &["perl"],
        layer: Some(&NGINX),
        toolbox: false,
    },
    // httpd:alpine has busybox's applets beside the server.
    Stock {
        repository: "httpd",
        entry: None,
        program: "busybox",
        applets: true,
        entrypoint: false,
        command: &[
            "httpd",
            "-f",
            "-v",
            "-p",
            "80",
            "-h",
            "/usr/local/apache2/htdocs",
        ],
        runtimes: &["perl"],
        layer: Some(&HTTPD),
        toolbox: false,
    },
    // MySQL's clients and protocol, served by Debian's MariaDB.
    Stock {
        repository: "mysql",
        entry: Some("/usr/local/bin/docker-entrypoint.sh"),
        program: "mariadbd",
        applets: false,
        entrypoint: true,
        command: &["docker-entrypoint.sh", "mysqld"],
        runtimes: &["perl"],
        layer: Some(&MYSQL),
        toolbox: false,
    },
    // Debian's redis-server in the official image's layout.
    Stock {
        repository: "redis",
        entry: Some("/usr/local/bin/docker-entrypoint.sh"),
        program: "redis-server",
        applets: false,
        entrypoint: true,
        command: &["docker-entrypoint.sh", "redis-server"],
        runtimes: &["perl"],
        layer: Some(&REDIS),
        toolbox: false,
    },
    // Debian's PostgreSQL server; pg_ctlcluster (postgresql-common, which every server
    // package of Debian depends on) shows it is installed, the entrypoint finds the newest.
    Stock {
        repository: "postgres",
        entry: Some("/usr/local/bin/docker-entrypoint.sh"),
        program: "pg_ctlcluster",
        applets: false,
        entrypoint: true,
        command: &["docker-entrypoint.sh", "postgres"],
        runtimes: &["perl"],
        layer: Some(&POSTGRES),
        toolbox: false,
    },
];

/// The redis image: its entrypoint runs the server in `/data`, without protected mode.
static REDIS: Layer = Layer {
    files: &[(
        "/usr/local/bin/docker-entrypoint.sh",
        include_str!("../../images/redis/docker-entrypoint.sh"),
    )],
    writable: &["/data"],
    links: &[],
};

/// The postgres image: an entrypoint that initialises an empty PGDATA, then the server as
/// the postgres user.
static POSTGRES: Layer = Layer {
    files: &[(
        "/usr/local/bin/docker-entrypoint.sh",
        include_str!("../../images/postgres/docker-entrypoint.sh"),
    )],
    writable: &["/var/lib/postgresql/data", "/var/run/postgresql"],
    links: &[],
};

/// The mysql image: an entrypoint that initialises an empty data directory, then MariaDB.
static MYSQL: Layer = Layer {
    files: &[(
        "/usr/local/bin/docker-entrypoint.sh",
        include_str!("../../images/mysql/docker-entrypoint.sh"),
    )],
    writable: &["/var/lib/mysql", "/run/mysqld"],
    links: &[],
};

/// The program of this machine called `program`, from PATH.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Image reference → program.
#[derive(Debug, Clone, Default)]
pub struct ImageTable {
    entries: Vec<ImageEntry>,
}

/// The tags our own images are built with.
pub const BUILT_TAGS: [&str; 2] = ["latest", env!("CARGO_PKG_VERSION")];

/// Words public images use in their tags besides version numbers (variants, distributions,
/// channels). A tag made of anything else — `invalid-tag`, `doesnotexist` — is one no
/// registry has, so pulling it fails as it would on a cluster.
const TAG_WORDS: &[&str] = &[
    "latest",
    "stable",
    "mainline",
    "edge",
    "lts",
    "current",
    "alpine",
    "slim",
    "bookworm",
    "bullseye",
    "buster",
    "stretch",
    "trixie",
    "jammy",
    "focal",
    "noble",
    "bionic",
    "ubuntu",
    "debian",
    "ubi",
    "ubi8",
    "ubi9",
    "perl",
    "otel",
    "musl",
    "glibc",
    "uclibc",
    "jdk",
    "jre",
    "temurin",
    "openjdk",
    "management",
    "fpm",
    "apache",
    "cli",
    "zts",
    "rootless",
    "dind",
    "git",
    "windowsservercore",
    "nanoserver",
    "oracle",
    "distroless",
    "nonroot",
    "debug",
    "static",
    "base",
    "full",
    "minimal",
    "server",
    "community",
    "enterprise",
    "oss",
    "rc",
    "beta",
    "alpha",
    "dev",
    "nightly",
    "amd64",
    "arm64",
    "arm",
    "x86",
    "linux",
];

/// Whether a public image plausibly has `tag`: every part is a number (`1`, `v2`, `rc1`,
/// `3.12`) or one of the words tags are made of.
pub fn plausible_tag(tag: &str) -> bool {
    let word_or_number = |part: &str| {
        let lower = part.to_ascii_lowercase();
        let digits = lower.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let letters = &lower[..lower.len() - digits.len()];
        lower.is_empty()
            || lower.chars().all(|c| c.is_ascii_digit())
            || TAG_WORDS.contains(&lower.as_str())
            || (!digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && (letters.len() <= 1 || TAG_WORDS.contains(&letters)))
    };
    !tag.is_empty() && tag.split(['-', '.', '_']).all(word_or_number)
}

/// The full reference a runtime resolves: Docker Hub's registry and `library/` for an
/// official image, `:latest` when no tag or digest is given (`nginx` →
/// `docker.io/library/nginx:latest`), as containerd names it in its errors.
pub fn full_reference(image: &str) -> String {
    let (first, rest) = image.split_once('/').unwrap_or(("", image));
    let registry_given =
        !first.is_empty() && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut full = if registry_given {
        image.to_string()
    } else if first.is_empty() {
        format!("docker.io/library/{rest}")
    } else {
        format!("docker.io/{image}")
    };
    let last = full.rsplit('/').next().unwrap_or_default();
    if !last.contains(':') && !last.contains('@') {
        full.push_str(":latest");
    }
    full
}

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
            applets: false,
            entrypoint: true,
            default_command: Vec::new(),
            layer: None,
            runtimes: None,
            toolbox: None,
        });
    }

    /// Adds the public images this machine has a program for (see `STOCK`: busybox and its
    /// applets, python, curl — and curlimages/curl, whose name is curl too — and
    /// bitnami/kubectl and registry.k8s.io/kubectl, named kubectl), every tag.
    pub fn add_stock(&mut self) {
        for stock in STOCK {
            if let Some(installed) = on_path(stock.program) {
                // A multi-call image is its own toolbox.
                let toolbox = if stock.applets {
                    Some(installed.clone())
                } else if stock.toolbox {
                    on_path("busybox")
                } else {
                    None
                };
                self.entries.push(ImageEntry {
                    repository: stock.repository.to_string(),
                    tags: Vec::new(),
                    command: stock.entry.map_or(installed, PathBuf::from),
                    applets: stock.applets,
                    entrypoint: stock.entrypoint,
                    default_command: stock.command.iter().map(|a| a.to_string()).collect(),
                    layer: stock.layer,
                    runtimes: Some(stock.runtimes),
                    toolbox,
                });
            }
        }
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
            applets: false,
            entrypoint: true,
            default_command: Vec::new(),
            layer: None,
            runtimes: None,
            toolbox: None,
        });
        Ok(())
    }

    /// What an image runs, if the table has it (and the program exists). Mappings added
    /// later win, so `--image` overrides a stock image.
    pub fn resolve(&self, image: &str) -> Option<Image> {
        let (name, tag) = split(image);
        self.entries
            .iter()
            .rev()
            .find(|e| {
                e.repository == name
                    && if e.tags.is_empty() {
                        image.contains('@') || plausible_tag(&tag)
                    } else {
                        e.tags.contains(&tag)
                    }
            })
            // A program from the image's own layer exists once the container's root does.
            .filter(|e| e.command.is_file() || e.layer.is_some_and(|l| l.has(&e.command)))
            .map(|e| Image {
                program: e.command.clone(),
                applets: e.applets,
                entrypoint: e.entrypoint,
                default_command: e.default_command.clone(),
                layer: e.layer,
                absent: e.runtimes.map(absent_runtimes).unwrap_or_default(),
                toolbox: e.toolbox.clone(),
            })
    }

    /// The program an image runs (tests and callers that need only the file).
    pub fn resolve_program(&self, image: &str) -> Option<PathBuf> {
        self.resolve(image).map(|i| i.program)
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
    fn references_are_completed_as_containerd_completes_them() {
        assert_eq!(full_reference("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(full_reference("nginx:1.27"), "docker.io/library/nginx:1.27");
        assert_eq!(
            full_reference("bitnami/kubectl:1.32"),
            "docker.io/bitnami/kubectl:1.32"
        );
        assert_eq!(
            full_reference("registry.k8s.io/pause:3.9"),
            "registry.k8s.io/pause:3.9"
        );
        assert_eq!(
            full_reference("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
    }

    #[test]
    fn resolves_by_repository_and_tag() {
        let exe = std::env::current_exe().unwrap();
        let mut t = ImageTable::default();
        t.add_built("todo-backend", &exe);
        assert_eq!(t.resolve_program("todo-backend:latest"), Some(exe.clone()));
        assert_eq!(
            t.resolve_program("docker.io/library/todo-backend"),
            Some(exe.clone())
        );
        assert_eq!(t.resolve_program("todo-backend:v9.9.9"), None);
        assert_eq!(t.resolve_program("nginx:1.27"), None);
        // A mapping without a tag stands for a public image: any tag of it runs.
        t.add(&format!("nginx={}", exe.display())).unwrap();
        assert_eq!(t.resolve_program("nginx:1.27"), Some(exe.clone()));
        assert_eq!(
            t.resolve_program("docker.io/library/nginx:1.27-alpine"),
            Some(exe.clone())
        );
        t.add(&format!("redis:7={}", exe.display())).unwrap();
        assert_eq!(t.resolve_program("redis:7"), Some(exe.clone()));
        assert_eq!(t.resolve_program("redis:8"), None);
        assert!(t.add("nonsense").is_err());
        // A tag no registry has fails to pull even for a public image.
        assert_eq!(t.resolve_program("nginx:invalid-tag"), None);
        assert_eq!(t.resolve_program("nginx:doesnotexist"), None);
        for ok in [
            "1.25.3-alpine-slim",
            "mainline-bookworm",
            "alpine3.20",
            "v2.1.0-rc1",
            "3.9-slim-buster",
        ] {
            assert!(plausible_tag(ok), "{ok}");
        }
        assert_eq!(t.resolve_program("nginx@sha256:abc"), Some(exe.clone()));
        assert_eq!(
            split("reg.io:5000/a/b:1.2@sha256:x"),
            ("b".into(), "1.2".into())
        );
    }
}
