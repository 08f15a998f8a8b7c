//! Releases on a cluster: install, upgrade, rollback, uninstall, list, status, history,
//! values. Each call blocks; async callers go through [`super::blocking`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::chart::Chart;
use super::error::HelmError;
use super::ffi::{ReleaseAction, ReleaseQuery, native};
use crate::values::ValuesPatch;

/// How to reach the cluster (kubectl's resolution applies to what is left unset).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClusterOptions {
    /// A kubeconfig file (else `KUBECONFIG`, then `~/.kube/config`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubeconfig_path: Option<PathBuf>,
    /// A whole kubeconfig as YAML, instead of a file (used to act as another identity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubeconfig_content: Option<String>,
    /// Context within the kubeconfig.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<String>,
    /// Namespace of the releases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Release storage: `secret` (default), `configmap` or `memory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_driver: Option<String>,
}

/// A release summary as the SDK reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Release {
    /// Release name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Revision number.
    pub revision: u32,
    /// `deployed`, `failed`, `pending-install`, `superseded`, …
    pub status: String,
    /// When this revision was deployed.
    #[serde(default)]
    pub deployed_at: Option<String>,
    /// Chart name.
    #[serde(default)]
    pub chart_name: Option<String>,
    /// Chart version.
    #[serde(default)]
    pub chart_version: Option<String>,
    /// App version.
    #[serde(default)]
    pub app_version: Option<String>,
    /// Rendered NOTES.txt.
    #[serde(default)]
    pub notes: Option<String>,
    /// The rendered manifest (absent from lists).
    #[serde(default)]
    pub manifest: Option<String>,
    /// Revision description.
    #[serde(default)]
    pub description: Option<String>,
}

/// Options of install and upgrade.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionOptions {
    /// Namespace override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Seconds to wait.
    #[serde(rename = "timeout_seconds", skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// `watcher`, `legacy` or `hookOnly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<String>,
    /// `client`, `server` or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// Install: create the namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// Upgrade: keep the last release's values and merge the new ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse_values: Option<bool>,
    /// Revision description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Server-side apply takes fields that other field managers own (`--force-conflicts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_conflicts: Option<bool>,
}

impl ActionOptions {
    /// Options that make the cluster match what the chart renders, taking back fields that
    /// were edited outside Helm (`helm upgrade --force-conflicts`): Helm 4 applies
    /// server-side, and without this an object edited with kubectl refuses the upgrade.
    pub fn restoring() -> Self {
        Self {
            force_conflicts: Some(true),
            ..Self::default()
        }
    }
}

/// Cluster access plus release storage; the native handle is freed on drop.
#[derive(Debug)]
pub struct HelmClient {
    handle: u64,
}

fn json<T: Serialize>(op: &str, v: &T) -> Result<String, HelmError> {
    serde_json::to_string(v).map_err(|e| HelmError::InvalidInput {
        operation: op.to_string(),
        reason: e.to_string(),
    })
}

fn decode<T: serde::de::DeserializeOwned>(op: &str, text: &str) -> Result<T, HelmError> {
    serde_json::from_str(text).map_err(|e| HelmError::Decode {
        operation: op.to_string(),
        reason: e.to_string(),
    })
}

impl HelmClient {
    /// Configures access; the cluster is first contacted by an action.
    pub fn new(opts: &ClusterOptions) -> Result<Self, HelmError> {
        let o = json("configure cluster access", opts)?;
        Ok(Self {
            handle: native()?.config_new(Some(&o))?,
        })
    }

    fn action(
        &self,
        a: ReleaseAction,
        chart: &Chart,
        name: &str,
        values: &Value,
        opts: &ActionOptions,
    ) -> Result<Release, HelmError> {
        let op = format!("{a:?} {name}").to_lowercase();
        let v = json(&op, values)?;
        let o = json(&op, opts)?;
        decode(
            &op,
            &native()?.release_action(
                a,
                self.handle,
                chart_handle(chart),
                name,
                Some(&v),
                Some(&o),
            )?,
        )
    }

    /// Installs `chart` as `name`.
    pub fn install(
        &self,
        chart: &Chart,
        name: &str,
        values: &Value,
        opts: &ActionOptions,
    ) -> Result<Release, HelmError> {
        self.action(ReleaseAction::Install, chart, name, values, opts)
    }

    /// Upgrades `name` to `chart` with `values`.
    pub fn upgrade(
        &self,
        chart: &Chart,
        name: &str,
        values: &Value,
        opts: &ActionOptions,
    ) -> Result<Release, HelmError> {
        self.action(ReleaseAction::Upgrade, chart, name, values, opts)
    }

    /// Upgrades `name` with `patch` applied to its current user-supplied values; the
    /// result is validated against the chart's schema before the cluster sees it.
    pub fn upgrade_with_patch(
        &self,
        chart: &Chart,
        name: &str,
        patch: &ValuesPatch,
        opts: &ActionOptions,
    ) -> Result<Release, HelmError> {
        let current = self.values(name, false, None)?;
        let proposed = patch.apply_to(&current);
        chart.validate_values(&proposed)?;
        self.upgrade(chart, name, &proposed, opts)
    }

    /// Rolls back to `revision` (the previous one when `None`).
    pub fn rollback(
        &self,
        name: &str,
        revision: Option<u32>,
        timeout_secs: Option<u64>,
    ) -> Result<(), HelmError> {
        // A rollback restores an earlier rendering over any edits since, as an upgrade does.
        let o = serde_json::json!({"version": revision, "timeout_seconds": timeout_secs, "force_conflicts": true});
        native()?.rollback(self.handle, name, Some(&strip_nulls(o)))
    }

    /// Uninstalls `name`.
    pub fn uninstall(&self, name: &str) -> Result<Value, HelmError> {
        decode(
            "uninstall",
            &native()?.release_query(ReleaseQuery::Uninstall, self.handle, name, None)?,
        )
    }

    /// Deployed releases (all states when `all`).
    pub fn list(&self, all: bool, all_namespaces: bool) -> Result<Vec<Release>, HelmError> {
        let o = serde_json::json!({"all": all, "all_namespaces": all_namespaces}).to_string();
        decode("list", &native()?.list(self.handle, Some(&o))?)
    }

    /// The current (or a given) revision's summary with its manifest.
    pub fn status(&self, name: &str) -> Result<Release, HelmError> {
        decode(
            "status",
            &native()?.release_query(ReleaseQuery::Status, self.handle, name, None)?,
        )
    }

    /// Every revision, oldest first.
    pub fn history(&self, name: &str) -> Result<Vec<Release>, HelmError> {
        decode(
            "history",
            &native()?.release_query(ReleaseQuery::History, self.handle, name, None)?,
        )
    }

    /// User-supplied values, or the computed ones when `all`.
    pub fn values(&self, name: &str, all: bool, revision: Option<u32>) -> Result<Value, HelmError> {
        let o = strip_nulls(serde_json::json!({"all": all.then_some(true), "revision": revision}));
        decode(
            "get values",
            &native()?.release_query(ReleaseQuery::GetValues, self.handle, name, Some(&o))?,
        )
    }
}

fn strip_nulls(v: Value) -> String {
    match v {
        Value::Object(m) => {
            Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()).to_string()
        }
        other => other.to_string(),
    }
}

fn chart_handle(chart: &Chart) -> u64 {
    chart.raw_handle()
}

impl Drop for HelmClient {
    fn drop(&mut self) {
        if let Ok(n) = native() {
            n.config_free(self.handle);
        }
    }
}
