//! `apply`: create or update objects from a manifest (YAML or JSON, one or more documents),
//! as `kubectl apply --server-side` with the field manager `todo-ops` (mutating). A field
//! another manager owns is a conflict the model is told about; nothing is forced.

use kube::api::{DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::object::{api_for, object_diff};
use crate::served_kinds::ServedKinds;
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `apply`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyArgs {
    /// The manifest: YAML or JSON, documents separated by `---`.
    pub manifest: String,
}

/// One object applied.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Applied {
    /// KIND/NAME.
    pub object: String,
    /// `created`, `configured` or `unchanged`.
    pub action: String,
    /// The object's diff.
    pub diff: String,
}

/// Every object applied, in order.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AppliedAll(pub Vec<Applied>);

/// The manifest's documents as JSON objects, read by the YAML parser's own document
/// stream (a `---` inside a block scalar stays text); empty documents are skipped.
fn documents(manifest: &str) -> Result<Vec<Value>, ToolError> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for (i, doc) in serde_norway::Deserializer::from_str(manifest).enumerate() {
        let v = Value::deserialize(doc).map_err(|e| {
            ToolError::Retry(format!(
                "document {} of the manifest is not YAML or JSON: {e}",
                i + 1
            ))
        })?;
        match v {
            Value::Object(_) => out.push(v),
            Value::Null => {}
            other => {
                return Err(ToolError::Retry(format!(
                    "document {} is not an object: {other}",
                    i + 1
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(ToolError::Retry("the manifest holds no object".into()));
    }
    Ok(out)
}

async fn apply(ctx: &ToolContext, a: &ApplyArgs, dry_run: bool) -> Result<AppliedAll, ToolError> {
    let docs = documents(&a.manifest)?;
    let served = ServedKinds::read(ctx).await?;
    let mut out = Vec::new();
    // Namespaces this manifest creates: a dry run stores nothing, so what goes into them can
    // only be said, not checked, until they exist.
    let mut new_namespaces: Vec<String> = Vec::new();
    for doc in docs {
        let api_version = doc["apiVersion"].as_str().unwrap_or_default();
        let kind = doc["kind"].as_str().unwrap_or_default();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        if api_version.is_empty() || kind.is_empty() || name.is_empty() {
            return Err(ToolError::Retry(format!(
                "every object needs apiVersion, kind and metadata.name; got apiVersion {api_version:?}, kind {kind:?}, name {name:?}"
            )));
        }
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let Some((resource, namespaced)) = served.iter().find(|(ar, _)| {
            ar.group == gvk.group && ar.version == gvk.version && ar.kind == gvk.kind
        }) else {
            return Err(ToolError::Retry(format!(
                "the cluster serves no {kind} in {api_version}"
            )));
        };
        let in_new_namespace = doc["metadata"]["namespace"]
            .as_str()
            .is_some_and(|ns| *namespaced && new_namespaces.iter().any(|n| n == ns));
        if dry_run && in_new_namespace {
            out.push(Applied {
                object: format!("{}/{name}", kind.to_lowercase()),
                action: "created (in a namespace this manifest creates)".into(),
                diff: String::new(),
            });
            continue;
        }
        let mut scoped = ctx.clone();
        if let Some(ns) = doc["metadata"]["namespace"]
            .as_str()
            .filter(|_| *namespaced)
        {
            scoped.cluster.namespace = ns.to_string();
        }
        let api = api_for(&scoped, resource, *namespaced);
        let err = |e| ToolError::from(ctx.cluster.error(e));
        let before = api.get_opt(name).await.map_err(err)?;
        let params = PatchParams {
            dry_run,
            field_manager: Some(crate::cluster::FIELD_MANAGER.into()),
            ..PatchParams::default()
        };
        let obj: DynamicObject = serde_json::from_value(doc.clone())
            .map_err(|e| ToolError::Retry(format!("{kind}/{name}: {e}")))?;
        let after = api
            .patch(name, &params, &Patch::Apply(&obj))
            .await
            .map_err(err)?;
        let diff = object_diff(ctx, before.as_ref(), Some(&after), ("live", "applied"));
        if kind == "Namespace" && before.is_none() {
            new_namespaces.push(name.to_string());
        }
        let action = match (&before, diff.is_empty()) {
            (None, _) => "created",
            (Some(_), true) => "unchanged",
            (Some(_), false) => "configured",
        };
        out.push(Applied {
            object: format!("{}/{name}", kind.to_lowercase()),
            action: action.into(),
            diff,
        });
    }
    Ok(AppliedAll(out))
}

fn render(all: &AppliedAll, dry_run: bool) -> String {
    all.0
        .iter()
        .map(|a| {
            let verb = if dry_run {
                format!("would be {}", a.action)
            } else {
                a.action.clone()
            };
            if a.diff.is_empty() {
                format!("{} {verb}", a.object)
            } else {
                format!("{} {verb}:\n{}", a.object, a.diff)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The tool.
pub struct Apply;

impl TypedTool for Apply {
    const NAME: &'static str = "apply";
    const DESCRIPTION: &'static str = "Create or update objects from a YAML or JSON manifest (documents separated by ---), as kubectl apply --server-side; each object's diff is shown.";
    const MUTATES: bool = true;
    type Args = ApplyArgs;
    type Output = AppliedAll;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ApplyArgs) -> ToolRun<'a, AppliedAll> {
        Box::pin(async move { apply(ctx, &a, false).await })
    }

    fn render(&self, all: &AppliedAll) -> String {
        render(all, false)
    }

    fn preview<'a>(&'a self, ctx: &'a ToolContext, a: ApplyArgs) -> Option<ToolRun<'a, String>> {
        Some(Box::pin(async move {
            apply(ctx, &a, true).await.map(|all| render(&all, true))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::documents;

    #[test]
    fn documents_come_from_the_yaml_stream_not_a_text_split() {
        let manifest = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  notes: |\n    before\n    ---\n    after\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
        let docs = documents(manifest).unwrap();
        assert_eq!(docs.len(), 2, "{docs:?}");
        assert_eq!(docs[0]["data"]["notes"], "before\n---\nafter\n");
        assert!(documents("- a list\n").is_err());
        assert!(documents("# nothing\n").is_err());
    }
}
