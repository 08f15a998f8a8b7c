//! The chart a release is upgraded or diffed with: the local one when the charts folder has
//! it, else the chart Helm stored in the release's latest revision, written out as a chart
//! folder. So the Helm tools work on any release, not only on charts we ship.

use std::path::PathBuf;

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use serde_json::Value;

use crate::release_history::release_record;
use crate::tool::{ToolContext, ToolError};

/// Where a release's chart comes from.
pub(crate) enum ChartSource {
    /// A chart folder to render with.
    Folder(PathBuf),
    /// Only the release's stored rendering of `revision` (its latest): the chart has
    /// subcharts, which Helm does not keep in the release. Re-applying that rendering (a
    /// rollback to it) is possible; rendering other values is not.
    StoredRendering {
        /// The latest revision.
        revision: u32,
        /// Why no folder: what to do to get one.
        why: String,
    },
}

/// The chart folder for `release`; an answer for the model when only its stored rendering
/// exists.
pub(crate) async fn chart_for(ctx: &ToolContext, release: &str) -> Result<PathBuf, ToolError> {
    match chart_source(ctx, release).await? {
        ChartSource::Folder(dir) => Ok(dir),
        ChartSource::StoredRendering { why, .. } => Err(ToolError::Retry(why)),
    }
}

/// The chart folder for `release`, or its latest stored rendering where no folder can be had.
pub(crate) async fn chart_source(
    ctx: &ToolContext,
    release: &str,
) -> Result<ChartSource, ToolError> {
    let local = ctx.helm()?.charts.join(release);
    if local.join("Chart.yaml").is_file() {
        return Ok(ChartSource::Folder(local));
    }
    let secrets = Api::<Secret>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
        .list(&ListParams::default().labels(&format!("owner=helm,name={release}")))
        .await
        .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
    let record = secrets
        .items
        .iter()
        .filter_map(|s| serde_json::to_value(s).ok())
        .filter_map(|s| release_record(&s))
        .max_by_key(|r| r["version"].as_i64().unwrap_or(0))
        .ok_or_else(|| {
            ToolError::Retry(format!(
                "there is no chart for release {release:?}: no folder {} and no Helm release of that name in namespace {} (helm_list shows the releases)",
                local.display(),
                ctx.cluster.namespace
            ))
        })?;
    // Helm keeps a chart's own files in the release, not its subcharts: such a chart cannot
    // be rebuilt from the release alone.
    let subcharts: Vec<&str> = record["chart"]["metadata"]["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str())
        .collect();
    if !subcharts.is_empty() {
        return Ok(ChartSource::StoredRendering {
            revision: u32::try_from(record["version"].as_i64().unwrap_or(0)).unwrap_or(0),
            why: format!(
                "release {release:?} uses subcharts ({}) that Helm does not keep in the release, so its chart cannot be rendered with other values from the cluster (re-applying its current values works: helm_upgrade with an empty patch); put the chart folder, with its charts/ dependencies (`helm dependency build`), at {} and try again",
                subcharts.join(", "),
                local.display()
            ),
        });
    }
    let dir = crate::user_dirs::UserDir::Cache
        .path()
        .join("release-charts")
        .join(&ctx.cluster.namespace)
        .join(format!(
            "{release}-{}",
            record["version"].as_i64().unwrap_or(0)
        ));
    write_chart(&record["chart"], &dir).map_err(|e| {
        ToolError::Fatal(format!(
            "writing the chart stored in release {release} to {}: {e}",
            dir.display()
        ))
    })?;
    Ok(ChartSource::Folder(dir))
}

/// Writes a chart as Helm serialises it in a release (metadata, base64 templates and files,
/// values, schema) as a chart folder.
fn write_chart(chart: &Value, dir: &std::path::Path) -> std::io::Result<()> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    // JSON is YAML: Chart.yaml and values.yaml are written as JSON.
    std::fs::write(dir.join("Chart.yaml"), chart["metadata"].to_string())?;
    let values = if chart["values"].is_object() {
        chart["values"].to_string()
    } else {
        "{}".into()
    };
    std::fs::write(dir.join("values.yaml"), values)?;
    if let Some(schema) = chart["schema"].as_str().and_then(|s| b64.decode(s).ok()) {
        std::fs::write(dir.join("values.schema.json"), schema)?;
    }
    for list in ["templates", "files"] {
        for f in chart[list].as_array().into_iter().flatten() {
            let (Some(name), Some(data)) = (f["name"].as_str(), f["data"].as_str()) else {
                continue;
            };
            // A stored name never leaves the chart folder.
            if name.split('/').any(|p| p == ".." || p.is_empty()) {
                continue;
            }
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, b64.decode(data).unwrap_or_default())?;
        }
    }
    Ok(())
}
