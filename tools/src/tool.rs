//! One shape for every tool the LLM, MCP, playbooks and the CLI call: a name, a one-line
//! description, whether it mutates, the JSON Schema of its input (derived from its args
//! struct, whose doc comments become the schema), typed output and a compact text form.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cluster::{Cluster, ClusterError};
use crate::redact::Redactor;

/// What a tool call may use.
#[derive(Clone)]
pub struct ToolContext {
    /// The cluster and namespace.
    pub cluster: Cluster,
    /// Masks Secret values in every output.
    pub redactor: Arc<Redactor>,
    /// Helm on the same cluster, and the charts folder, for the Helm tools.
    pub helm: Option<HelmAccess>,
    /// Where results too big for the model are kept whole, and the size that is too big.
    pub results: Arc<crate::results::ResultStore>,
}

/// What the Helm tools need.
#[derive(Clone)]
pub struct HelmAccess {
    /// A client on the same kubeconfig and namespace.
    pub client: Arc<crate::helm::HelmClient>,
    /// Where `todo-backend/` and `todo-frontend/` charts are.
    pub charts: std::path::PathBuf,
}

impl ToolContext {
    /// The Helm access, or an error the model can read.
    pub fn helm(&self) -> Result<&HelmAccess, ToolError> {
        self.helm.as_ref().ok_or_else(|| {
            ToolError::Fatal(
                "Helm is not configured for this session (no kubeconfig or charts folder)".into(),
            )
        })
    }
}

/// Runs a blocking Helm call for a tool; SDK errors about the release go back to the model.
pub async fn helm_call<T, F>(op: &str, f: F) -> Result<T, ToolError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, crate::helm::HelmError> + Send + 'static,
{
    crate::helm::blocking(op, f)
        .await
        .map_err(|e| match e.code() {
            Some(
                crate::helm::ErrorCode::NotFound
                | crate::helm::ErrorCode::Values
                | crate::helm::ErrorCode::InvalidArg,
            ) => ToolError::Retry(e.to_string()),
            _ => ToolError::Fatal(e.to_string()),
        })
}

/// A failed call: the model may correct and retry, or the session must stop.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// Bad arguments or a missing object: tell the model, it may retry.
    #[error("{0}")]
    Retry(String),
    /// The cluster is gone or refuses: stop and tell the person.
    #[error("{0}")]
    Fatal(String),
}

impl From<ClusterError> for ToolError {
    fn from(e: ClusterError) -> Self {
        match e {
            // The request was wrong (a missing object, a bad field, a conflict, too long,
            // forbidden): the model is told and may correct it. A rejected identity (401)
            // and server failures end the session.
            ClusterError::Api(s) if (400..500).contains(&s.code) && s.code != 401 => {
                Self::Retry(format!("{} ({} {})", s.message, s.code, s.reason))
            }
            other => Self::Fatal(other.to_string()),
        }
    }
}

/// A tool's result: typed data (JSON) and a compact text rendering for a model.
#[derive(Debug, Clone, Serialize)]
pub struct ToolOutput {
    /// The typed result.
    pub data: Value,
    /// The same, short, for an LLM (cut to the budget, saying what was cut).
    pub text: String,
}

/// The boxed future a tool returns.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolError>> + Send + 'a>>;

/// A tool.
pub trait Tool: Send + Sync {
    /// Name as the model calls it.
    fn name(&self) -> &'static str;
    /// One line for the model and people.
    fn description(&self) -> &'static str;
    /// Whether it changes the cluster (then it needs the person's yes).
    fn mutates(&self) -> bool;
    /// JSON Schema of the arguments.
    fn schema(&self) -> Value;
    /// JSON Schema of the typed result (`ToolOutput::data`).
    fn output_schema(&self) -> Value;
    /// Runs it; arguments that do not fit the schema are a [`ToolError::Retry`].
    fn call<'a>(&'a self, ctx: &'a ToolContext, args: Value) -> ToolFuture<'a>;
    /// What a change would do (a server-side dry run), shown before the person is asked;
    /// `None` when the tool has nothing to show.
    fn preview<'a>(&'a self, ctx: &'a ToolContext, args: Value) -> PreviewFuture<'a>;
}

/// The boxed future of [`Tool::preview`].
pub type PreviewFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<String>, ToolError>> + Send + 'a>>;

/// The boxed future a [`TypedTool`] returns.
pub type ToolRun<'a, T> = Pin<Box<dyn Future<Output = Result<T, ToolError>> + Send + 'a>>;

/// A tool with typed arguments and a typed result; every one is also a [`Tool`] through
/// the blanket impl, which parses the arguments, serialises the result and redacts the text.
pub trait TypedTool: Send + Sync {
    /// Name as the model calls it.
    const NAME: &'static str;
    /// One line for the model and people.
    const DESCRIPTION: &'static str;
    /// Whether it changes the cluster (then it needs the person's yes).
    const MUTATES: bool;
    /// Whether the end of a long result matters most (logs, events): then a result over the
    /// budget keeps its tail, else its head.
    const KEEPS_TAIL: bool = false;
    /// Whether it works in a namespace: then it also takes an optional `namespace`
    /// argument (default: the session's), handled here for every such tool.
    const NAMESPACED: bool = true;
    /// The arguments; their doc comments become the schema the model sees.
    type Args: DeserializeOwned + schemars::JsonSchema + Send;
    /// The result.
    type Output: Serialize + Send + schemars::JsonSchema;
    /// Runs it on parsed arguments.
    fn run<'a>(&'a self, ctx: &'a ToolContext, args: Self::Args) -> ToolRun<'a, Self::Output>;
    /// The compact text for a model (the wrapper redacts it).
    fn render(&self, out: &Self::Output) -> String;
    /// For a change: what it would do, from a server-side dry run, for the person to read
    /// before saying yes (`None`: no dry run).
    fn preview<'a>(
        &'a self,
        _ctx: &'a ToolContext,
        _args: Self::Args,
    ) -> Option<ToolRun<'a, String>> {
        None
    }
}

impl<T: TypedTool> Tool for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn description(&self) -> &'static str {
        T::DESCRIPTION
    }
    fn mutates(&self) -> bool {
        T::MUTATES
    }
    fn schema(&self) -> Value {
        let mut schema = schema_of::<T::Args>();
        if let Some(props) = schema["properties"].as_object_mut() {
            if T::NAMESPACED {
                props.insert(
                    NAMESPACE_ARG.into(),
                    serde_json::json!({
                        "description": "The namespace (default: the session's).",
                        "type": ["string", "null"]
                    }),
                );
            }
            // A tool's own field never gives way to the common one.
            debug_assert!(!props.contains_key(crate::kube_context::CONTEXT_ARG));
            props.insert(
                crate::kube_context::CONTEXT_ARG.into(),
                serde_json::json!({
                    "description": "The kubeconfig context to act in (default: the session's); list_contexts lists them.",
                    "type": ["string", "null"]
                }),
            );
        }
        schema
    }
    fn output_schema(&self) -> Value {
        schema_of::<T::Output>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let (scoped, parsed) = scoped_args::<T>(ctx, a).await?;
            let ctx = scoped.as_ref().unwrap_or(ctx);
            let out = self.run(ctx, parsed).await?;
            let data = serde_json::to_value(&out).map_err(|e| {
                ToolError::Fatal(format!("{}: could not serialise the result: {e}", T::NAME))
            })?;
            let data = ctx.redactor.redact_json(data);
            let text = ctx.redactor.redact(&self.render(&out));
            Ok(ToolOutput {
                text: ctx.results.fit(T::NAME, text, T::KEEPS_TAIL),
                data,
            })
        })
    }
    fn preview<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> PreviewFuture<'a> {
        Box::pin(async move {
            let (scoped, parsed) = scoped_args::<T>(ctx, a).await?;
            let ctx = scoped.as_ref().unwrap_or(ctx);
            match TypedTool::preview(self, ctx, parsed) {
                Some(run) => Ok(Some(ctx.redactor.redact(&run.await?))),
                None => Ok(None),
            }
        })
    }
}

/// Rows of a list tool, and whether they span every namespace (then the text names each
/// row's namespace, as `kubectl get -A` does). Serialised as the rows alone.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Listed<T> {
    /// Whether the rows come from every namespace.
    #[serde(skip)]
    pub all_namespaces: bool,
    /// The rows.
    pub rows: Vec<T>,
}

impl<T> Listed<T> {
    /// `name`, or `namespace/name` when the rows span every namespace.
    pub fn qualified(&self, namespace: &str, name: &str) -> String {
        if self.all_namespaces {
            format!("{namespace}/{name}")
        } else {
            name.to_string()
        }
    }
}

/// A call's arguments parsed for `T`, and the context of the namespace they name (if they
/// name another than the session's).
async fn scoped_args<T: TypedTool>(
    ctx: &ToolContext,
    mut a: Value,
) -> Result<(Option<ToolContext>, T::Args), ToolError> {
    let other = crate::kube_context::in_context(ctx, &mut a).await?;
    let base = other.as_ref().unwrap_or(ctx);
    let scoped = if T::NAMESPACED {
        in_namespace(base, &mut a)?
    } else {
        None
    };
    Ok((scoped.or(other), args(T::NAME, a)?))
}

/// The argument every namespaced tool takes.
pub const NAMESPACE_ARG: &str = "namespace";

/// Takes the `namespace` argument out of `args`; a context in that namespace when one is
/// given and differs from the session's.
fn in_namespace(ctx: &ToolContext, args: &mut Value) -> Result<Option<ToolContext>, ToolError> {
    let Some(given) = args.as_object_mut().and_then(|m| m.remove(NAMESPACE_ARG)) else {
        return Ok(None);
    };
    match given {
        Value::Null => Ok(None),
        Value::String(ns) if ns == ctx.cluster.namespace => Ok(None),
        Value::String(ns) if is_dns_label(&ns) => {
            let mut scoped = ctx.clone();
            // Helm keeps a release's records in its namespace: its client must look there.
            if let Some(h) = &ctx.helm {
                let client = crate::helm::client_for(&ctx.cluster.target, Some(&ns))
                    .map_err(|e| ToolError::Fatal(format!("Helm in namespace {ns}: {e}")))?;
                scoped.helm = Some(HelmAccess {
                    client: Arc::new(client),
                    charts: h.charts.clone(),
                });
            }
            scoped.cluster.namespace = ns;
            Ok(Some(scoped))
        }
        other => Err(ToolError::Retry(format!(
            "namespace must be a namespace name (lowercase letters, digits and '-'), got {other}"
        ))),
    }
}

/// An RFC 1123 label, what a namespace name must be: 1 to 63 of `a-z0-9-`, alphanumeric at
/// both ends.
fn is_dns_label(s: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (1..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && edge(s.chars().next())
        && edge(s.chars().last())
}

/// Parses a tool's arguments, telling the model what did not fit.
pub fn args<A: DeserializeOwned>(tool: &str, v: Value) -> Result<A, ToolError> {
    serde_json::from_value(if v.is_null() {
        Value::Object(Default::default())
    } else {
        v
    })
    .map_err(|e| ToolError::Retry(format!("invalid arguments for {tool}: {e}")))
}

/// The schema of an args struct.
pub fn schema_of<A: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(A)).unwrap_or(Value::Null)
}

/// Cuts `text` to about `max` characters, keeping the end (logs, events) or the start
/// (lists); whole lines are dropped and the cut says how many.
pub fn budget(text: &str, max: usize, keep_tail: bool) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    let ordered: Box<dyn Iterator<Item = &&str>> = if keep_tail {
        Box::new(lines.iter().rev())
    } else {
        Box::new(lines.iter())
    };
    for l in ordered {
        let n = l.chars().count() + 1;
        if used + n > max {
            break;
        }
        used += n;
        kept.push(l);
    }
    if kept.is_empty() {
        // One line longer than the budget: cut inside it.
        let n = text.chars().count();
        let cut = n - max;
        return if keep_tail {
            format!(
                "[{cut} earlier characters left out]\n{}",
                text.chars().skip(cut).collect::<String>()
            )
        } else {
            format!(
                "{}\n[{cut} more characters left out]",
                text.chars().take(max).collect::<String>()
            )
        };
    }
    let dropped = lines.len() - kept.len();
    if keep_tail {
        kept.reverse();
        format!("[{dropped} earlier lines left out]\n{}", kept.join("\n"))
    } else {
        format!("{}\n[{dropped} more lines left out]", kept.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn budget_drops_whole_lines_and_says_how_many() {
        assert_eq!(super::budget("abc", 5, true), "abc");
        let text = "one\ntwo\nthree\nfour";
        assert_eq!(
            super::budget(text, 11, true),
            "[2 earlier lines left out]\nthree\nfour"
        );
        assert_eq!(
            super::budget(text, 8, false),
            "one\ntwo\n[2 more lines left out]"
        );
        assert_eq!(
            super::budget("abcdef", 2, true),
            "[4 earlier characters left out]\nef"
        );
    }
}

#[cfg(test)]
mod namespace_tests {
    use super::*;

    #[test]
    fn namespace_names_are_rfc_1123_labels() {
        for ok in ["shop", "a", "team-1", "0ns"] {
            assert!(is_dns_label(ok), "{ok}");
        }
        for bad in ["", "Shop", "-a", "a-", "a_b", "a.b", &"x".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad}");
        }
    }
}
