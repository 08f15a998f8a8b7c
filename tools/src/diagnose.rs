//! A diagnosis: snapshot, previous logs of crashing containers, analyzers.

use serde::Serialize;

use crate::analyzers::{self, Finding, Logs};
use crate::cluster::{Cluster, ClusterError};
use crate::snapshot::Snapshot;

/// The result of `diagnose`.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// Namespace looked at.
    pub namespace: String,
    /// Pods seen.
    pub pods: usize,
    /// Problems found, errors first.
    pub findings: Vec<Finding>,
}

/// Reads the namespace and runs every analyzer.
pub async fn diagnose(c: &Cluster) -> Result<Diagnosis, ClusterError> {
    let (snap, redactor) = Snapshot::read(c).await?;
    let mut logs = Logs::default();
    for pod in &snap.pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        for cs in pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if cs["restartCount"].as_i64().unwrap_or(0) > 0 {
                let cname = cs["name"].as_str().unwrap_or_default();
                if let Some(text) = Snapshot::logs(c, &redactor, name, cname, true, 20).await {
                    logs.previous
                        .push(((name.to_string(), cname.to_string()), text));
                }
            }
        }
    }
    let findings = analyzers::analyze(&snap, &logs)
        .into_iter()
        .map(|mut f| {
            f.summary = redactor.redact(&f.summary);
            f.evidence = f.evidence.iter().map(|e| redactor.redact(e)).collect();
            f
        })
        .collect();
    Ok(Diagnosis {
        namespace: snap.namespace,
        pods: snap.pods.len(),
        findings,
    })
}
