//! The one way to reach a cluster: kubeconfig resolution as kubectl does it
//! (`--kubeconfig`, then `KUBECONFIG`, then `~/.kube/config`; `--context`; `-n`).

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};

/// The field manager the agent's writes are recorded under (`metadata.managedFields`), so a
/// person can tell them from kubectl's and Helm's.
pub const FIELD_MANAGER: &str = "todo-ops";

/// Errors reaching or reading the cluster; the API status stays matchable.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No kubeconfig could be read.
    #[error("cannot read the kubeconfig {path}: {reason}; {hint}")]
    Kubeconfig {
        /// What was tried.
        path: String,
        /// Why it failed.
        reason: String,
        /// What to do.
        hint: String,
    },
    /// The kubeconfig is there but unusable (context, credentials).
    #[error("cannot use the kubeconfig: {0}")]
    Config(String),
    /// The API server did not answer.
    #[error(
        "the cluster at {server} is unreachable: {reason}; is it running (todo-ops sim start / minikube start)?"
    )]
    Unreachable {
        /// The server URL tried.
        server: String,
        /// The transport error.
        reason: String,
    },
    /// The API refused (403 names the verb and resource).
    #[error("the API refused: {0}")]
    Api(Box<kube::core::Status>),
    /// Any other client error.
    #[error("{0}")]
    Client(String),
}

/// Which cluster and namespace.
#[derive(Debug, Clone, Default)]
pub struct ClusterTarget {
    /// `--kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`.
    pub context: Option<String>,
    /// `-n/--namespace` (default: the context's, else `default`).
    pub namespace: Option<String>,
    /// `--as`: the user to act as (the kubeconfig's identity must be allowed to impersonate).
    pub impersonate: Option<String>,
    /// `--as-group`: the groups to act as.
    pub impersonate_groups: Vec<String>,
}

/// A connected client with its namespace and server.
#[derive(Clone)]
pub struct Cluster {
    /// The kube client.
    pub client: kube::Client,
    /// The namespace commands work in.
    pub namespace: String,
    /// The API server URL (for messages).
    pub server: String,
    /// The kubeconfig context in use (empty when the kubeconfig names none).
    pub context: String,
    /// The identity acting: the context's user entry in the kubeconfig.
    pub user: String,
    /// What it was connected from (to reach another context the same way).
    pub target: ClusterTarget,
}

/// Where `todo-ops sim start` writes kubesim's kubeconfig by default:
/// `$XDG_STATE_HOME/todo-ops/kubesim.kubeconfig`.
pub fn kubesim_kubeconfig() -> PathBuf {
    crate::user_dirs::UserDir::State
        .path()
        .join("kubesim.kubeconfig")
}

/// What to do about an unreadable kubeconfig; names kubesim's when `todo-ops sim start`
/// wrote one, since that is the cluster a person without one is most likely using.
fn kubeconfig_hint() -> String {
    let sim = kubesim_kubeconfig();
    if sim.is_file() {
        format!(
            "kubesim (`todo-ops sim start`) wrote {p}: pass --kubeconfig {p} or export KUBECONFIG={p}",
            p = sim.display()
        )
    } else {
        "pass --kubeconfig or set KUBECONFIG (`todo-ops sim start` starts a local cluster)".into()
    }
}

impl ClusterTarget {
    /// The kubeconfig with `--as`/`--as-group` written into the identity of the context in
    /// use (`as`, `as-groups`), for clients that read a kubeconfig (kube-rs, Helm).
    pub fn kubeconfig(&self) -> Result<Kubeconfig, ClusterError> {
        let path = self.kubeconfig_path()?;
        let mut kc = Kubeconfig::read_from(&path).map_err(|e| ClusterError::Kubeconfig {
            path: path.display().to_string(),
            reason: e.to_string(),
            hint: kubeconfig_hint(),
        })?;
        if self.impersonate.is_none() && self.impersonate_groups.is_empty() {
            return Ok(kc);
        }
        let (_, user) = self.context_and_user(&kc);
        let Some(auth) = kc
            .auth_infos
            .iter_mut()
            .find(|a| a.name == user)
            .and_then(|a| a.auth_info.as_mut())
        else {
            return Err(ClusterError::Config(format!(
                "--as needs the context's user {user:?} in the kubeconfig {}, and it is not there",
                path.display()
            )));
        };
        auth.impersonate = self.impersonate.clone();
        auth.impersonate_groups = Some(self.impersonate_groups.clone()).filter(|g| !g.is_empty());
        Ok(kc)
    }

    /// The context in use and the kubeconfig user it names.
    fn context_and_user(&self, kc: &Kubeconfig) -> (String, String) {
        let context = self
            .context
            .clone()
            .or_else(|| kc.current_context.clone())
            .unwrap_or_default();
        let user = kc
            .contexts
            .iter()
            .find(|c| c.name == context)
            .and_then(|c| c.context.as_ref()?.user.clone())
            .unwrap_or_default();
        (context, user)
    }

    /// Who acts: the kubeconfig user, or the impersonated user and groups through it.
    fn identity(&self, user: &str) -> String {
        match (&self.impersonate, self.impersonate_groups.is_empty()) {
            (None, true) => user.to_string(),
            (who, _) => {
                let mut s = who.clone().unwrap_or_else(|| user.to_string());
                if !self.impersonate_groups.is_empty() {
                    s.push_str(&format!(" (groups {})", self.impersonate_groups.join(", ")));
                }
                format!("{s}, impersonated by {user}")
            }
        }
    }

    /// The kubeconfig file: `--kubeconfig`, then the first of `KUBECONFIG`, then
    /// `~/.kube/config`.
    fn kubeconfig_path(&self) -> Result<PathBuf, ClusterError> {
        self.kubeconfig
            .clone()
            .or_else(|| {
                std::env::var_os("KUBECONFIG").map(|v| {
                    PathBuf::from(v.to_string_lossy().split(':').next().unwrap_or_default())
                })
            })
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config")))
            .ok_or_else(|| ClusterError::Kubeconfig {
                path: "~/.kube/config".into(),
                reason: "HOME is not set".into(),
                hint: kubeconfig_hint(),
            })
    }

    /// Resolves the kubeconfig and builds the client (no request is made yet).
    pub async fn connect(&self) -> Result<Cluster, ClusterError> {
        let kc = self.kubeconfig()?;
        // Which context and identity act, for the audit log and messages.
        let (context, user) = self.context_and_user(&kc);
        let user = self.identity(&user);
        let opts = KubeConfigOptions {
            context: self.context.clone(),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kc, &opts)
            .await
            .map_err(|e| ClusterError::Config(e.to_string()))?;
        let namespace = self
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let server = config.cluster_url.to_string();
        let client =
            kube::Client::try_from(config).map_err(|e| ClusterError::Config(e.to_string()))?;
        Ok(Cluster {
            client,
            namespace,
            server,
            context,
            user,
            target: self.clone(),
        })
    }
}

impl Cluster {
    /// The API of a namespaced kind in the session's namespace, or in every namespace.
    pub fn list_api<K>(&self, all_namespaces: bool) -> kube::Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        if all_namespaces {
            kube::Api::all(self.client.clone())
        } else {
            kube::Api::namespaced(self.client.clone(), &self.namespace)
        }
    }

    /// Maps a client error, naming the server when it is unreachable.
    pub fn error(&self, e: kube::Error) -> ClusterError {
        match e {
            kube::Error::Api(s) => ClusterError::Api(s),
            kube::Error::HyperError(err) => ClusterError::Unreachable {
                server: self.server.clone(),
                reason: err.to_string(),
            },
            kube::Error::Service(err) => ClusterError::Unreachable {
                server: self.server.clone(),
                reason: err.to_string(),
            },
            other => ClusterError::Client(other.to_string()),
        }
    }
}
