//! One read of everything the analyzers look at in a namespace, with Secret values kept
//! only inside the redactor.

use base64::Engine;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Event, Pod, Secret, Service};
use kube::api::{Api, ListParams, LogParams};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cluster::{Cluster, ClusterError};
use crate::redact::Redactor;

/// The namespace's objects as JSON (Secrets: names and keys only).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Namespace read.
    pub namespace: String,
    /// Pods.
    pub pods: Vec<Value>,
    /// Deployments.
    pub deployments: Vec<Value>,
    /// ReplicaSets.
    pub replicasets: Vec<Value>,
    /// Services.
    pub services: Vec<Value>,
    /// Endpoints.
    pub endpoints: Vec<Value>,
    /// Events.
    pub events: Vec<Value>,
    /// ConfigMaps.
    pub configmaps: Vec<Value>,
    /// Secrets with `data` replaced by the list of its keys.
    pub secrets: Vec<Value>,
}

async fn list<K>(c: &Cluster) -> Result<Vec<Value>, ClusterError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + serde::Serialize,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(c.client.clone(), &c.namespace);
    let items = api
        .list(&ListParams::default())
        .await
        .map_err(|e| c.error(e))?;
    Ok(items
        .items
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect())
}

/// Teaches `redactor` the values of one Secret (JSON as the API serves it, base64 data).
fn learn_values(redactor: &mut Redactor, secret: &Value) {
    for v in secret["data"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        if let Some(decoded) = v
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        {
            redactor.learn(&String::from_utf8_lossy(&decoded));
        }
    }
}

/// A redactor that knows every Secret value of the namespace (one list call); a chat
/// refreshes it each turn so Secrets created meanwhile are masked too.
pub async fn secret_redactor(c: &Cluster) -> Result<Redactor, ClusterError> {
    let mut redactor = Redactor::default();
    for s in list::<Secret>(c).await? {
        learn_values(&mut redactor, &s);
    }
    Ok(redactor)
}

impl Snapshot {
    /// Reads the namespace; the redactor learns every Secret value on the way.
    pub async fn read(c: &Cluster) -> Result<(Self, Redactor), ClusterError> {
        let raw_secrets = list::<Secret>(c).await?;
        let mut redactor = Redactor::default();
        let secrets = raw_secrets
            .into_iter()
            .map(|mut s| {
                learn_values(&mut redactor, &s);
                let keys: Vec<String> = s["data"]
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                s["data"] = serde_json::json!(keys);
                if let Some(m) = s.as_object_mut() {
                    m.remove("stringData");
                }
                s
            })
            .collect();
        Ok((
            Self {
                namespace: c.namespace.clone(),
                pods: list::<Pod>(c).await?,
                deployments: list::<Deployment>(c).await?,
                replicasets: list::<ReplicaSet>(c).await?,
                services: list::<Service>(c).await?,
                endpoints: list::<Endpoints>(c).await?,
                events: list::<Event>(c).await?,
                configmaps: list::<ConfigMap>(c).await?,
                secrets,
            },
            redactor,
        ))
    }

    /// The last `lines` log lines of a pod's container (previous instance when asked), redacted.
    pub async fn logs(
        c: &Cluster,
        redactor: &Redactor,
        pod: &str,
        container: &str,
        previous: bool,
        lines: i64,
    ) -> Option<String> {
        let api: Api<Pod> = Api::namespaced(c.client.clone(), &c.namespace);
        let p = LogParams {
            container: Some(container.to_string()),
            previous,
            tail_lines: Some(lines),
            ..Default::default()
        };
        api.logs(pod, &p).await.ok().map(|t| redactor.redact(&t))
    }
}
