//! Charts, offline: load, default values, schema validation, render, lint.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::HelmError;
use super::ffi::{ChartJson, native};

fn decode<T: serde::de::DeserializeOwned>(op: &str, text: &str) -> Result<T, HelmError> {
    serde_json::from_str(text).map_err(|e| HelmError::Decode {
        operation: op.to_string(),
        reason: e.to_string(),
    })
}

fn encode(op: &str, v: &Value) -> Result<String, HelmError> {
    serde_json::to_string(v).map_err(|e| HelmError::InvalidInput {
        operation: op.to_string(),
        reason: e.to_string(),
    })
}

/// A loaded chart; its native handle is freed on drop. Immutable and shareable.
#[derive(Debug)]
pub struct Chart {
    handle: u64,
    path: PathBuf,
}

/// Options of an offline render (`helm template`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderOptions {
    /// Release name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Revision number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// Render as an upgrade (`.Release.IsUpgrade`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_upgrade: Option<bool>,
}

impl Chart {
    /// Loads a chart directory or `.tgz`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, HelmError> {
        let path = path.as_ref().to_path_buf();
        let handle = native()?.chart_load(&path.to_string_lossy())?;
        Ok(Self { handle, path })
    }

    pub(super) fn raw_handle(&self) -> u64 {
        self.handle
    }

    /// Where it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `Chart.yaml` as JSON.
    pub fn metadata(&self) -> Result<Value, HelmError> {
        decode(
            "chart metadata",
            &native()?.chart_json(ChartJson::Metadata, self.handle)?,
        )
    }

    /// The chart's default values.
    pub fn default_values(&self) -> Result<Value, HelmError> {
        decode(
            "chart values",
            &native()?.chart_json(ChartJson::Values, self.handle)?,
        )
    }

    /// `values.schema.json`, if the chart has one.
    pub fn schema(&self) -> Result<Option<Value>, HelmError> {
        decode(
            "chart schema",
            &native()?.chart_json(ChartJson::Schema, self.handle)?,
        )
    }

    /// Defaults coalesced with `values`, as an install would compute them.
    pub fn merge_values(&self, values: &Value) -> Result<Value, HelmError> {
        let v = encode("merge values", values)?;
        decode(
            "merge values",
            &native()?.merge_values(self.handle, Some(&v))?,
        )
    }

    /// Validates `values` (coalesced with the defaults) against the chart's schema; the
    /// error names the offending key.
    pub fn validate_values(&self, values: &Value) -> Result<(), HelmError> {
        let merged = self.merge_values(values)?;
        let v = encode("validate values", &merged)?;
        native()?.schema_validate(self.handle, Some(&v))
    }

    /// Renders the templates: template path → manifest text.
    pub fn render(
        &self,
        values: &Value,
        opts: &RenderOptions,
    ) -> Result<BTreeMap<String, String>, HelmError> {
        let v = encode("template", values)?;
        let o = serde_json::to_string(opts).map_err(|e| HelmError::InvalidInput {
            operation: "template".into(),
            reason: e.to_string(),
        })?;
        decode(
            "template",
            &native()?.render(self.handle, Some(&v), Some(&o))?,
        )
    }
}

impl Drop for Chart {
    fn drop(&mut self) {
        if let Ok(n) = native() {
            n.chart_free(self.handle);
        }
    }
}

/// Severity of a lint message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "u8", into = "u8")]
pub enum Severity {
    /// Unknown.
    Unknown,
    /// Informational.
    Info,
    /// Warning.
    Warning,
    /// Error.
    Error,
}

impl From<u8> for Severity {
    fn from(v: u8) -> Self {
        match v {
            1 => Self::Info,
            2 => Self::Warning,
            3 => Self::Error,
            _ => Self::Unknown,
        }
    }
}

impl From<Severity> for u8 {
    fn from(s: Severity) -> u8 {
        s as u8
    }
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintMessage {
    /// How serious.
    pub severity: Severity,
    /// The file it is about.
    pub path: String,
    /// The finding.
    pub error: String,
}

/// The result of `helm lint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintReport {
    /// Charts linted.
    pub total_charts_linted: u32,
    /// Findings.
    #[serde(default)]
    pub messages: Vec<LintMessage>,
    /// Errors that stopped linting.
    #[serde(default)]
    pub errors: Vec<String>,
}

impl LintReport {
    /// Findings at `severity` or worse.
    pub fn at_least(&self, severity: Severity) -> Vec<&LintMessage> {
        self.messages
            .iter()
            .filter(|m| m.severity >= severity)
            .collect()
    }
}

/// Options of `helm lint`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintOptions {
    /// Warnings fail too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// Namespace to render in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Kubernetes version to check against, e.g. `v1.32.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
}

/// Lints the chart at `path` with extra `values`.
pub fn lint(
    path: &Path,
    values: Option<&Value>,
    opts: &LintOptions,
) -> Result<LintReport, HelmError> {
    let v = values.map(|v| encode("lint", v)).transpose()?;
    let o = serde_json::to_string(opts).map_err(|e| HelmError::InvalidInput {
        operation: "lint".into(),
        reason: e.to_string(),
    })?;
    decode(
        "lint",
        &native()?.lint(&path.to_string_lossy(), v.as_deref(), Some(&o))?,
    )
}

/// Parses a YAML values document (a `-f` file) into JSON with Helm's own parser.
pub fn values_from_yaml(yaml: &str) -> Result<Value, HelmError> {
    decode("parse YAML", &native()?.values_from_yaml(yaml)?)
}

/// Parses every YAML document of a rendered manifest into JSON objects.
pub fn manifests_to_json(text: &str) -> Result<Vec<Value>, HelmError> {
    let mut out = Vec::new();
    let mut doc = String::new();
    let mut flush = |doc: &mut String| -> Result<(), HelmError> {
        let meaningful = doc
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if meaningful {
            let v = values_from_yaml(doc)?;
            if !v.is_null() {
                out.push(v);
            }
        }
        doc.clear();
        Ok(())
    };
    for line in text.lines() {
        if line.trim_end() == "---" {
            flush(&mut doc)?;
        } else {
            doc.push_str(line);
            doc.push('\n');
        }
    }
    flush(&mut doc)?;
    Ok(out)
}
