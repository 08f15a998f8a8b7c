//! `exec`: run a command in a pod's container, as `kubectl exec` (gated as a change: a
//! command can change anything the container can). Output is capped and the command has a
//! time limit; its exit code comes from the API server's status.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Bytes kept of each output stream.
const OUTPUT_CAP: u64 = 16 * 1024;

/// Arguments of `exec`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecArgs {
    /// The pod.
    pub pod: String,
    /// The container (default: the pod's first).
    #[serde(default)]
    pub container: Option<String>,
    /// The program and its arguments, e.g. `["cat", "/etc/config/app.yaml"]` (no shell unless
    /// you run one: `["sh", "-c", "…"]`).
    pub command: Vec<String>,
    /// Seconds before the command is abandoned (default 30, at most 300).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// What the command printed and how it ended.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExecOutput {
    /// Standard output (at most 16 KiB).
    pub stdout: String,
    /// Standard error (at most 16 KiB).
    pub stderr: String,
    /// The exit code (0 when the server reports success).
    pub exit_code: Option<i64>,
}

async fn read_capped(stream: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut s) = stream else {
        return String::new();
    };
    let mut kept = Vec::new();
    let _ = (&mut s).take(OUTPUT_CAP).read_to_end(&mut kept).await;
    // The rest is drained so the command is not blocked on a full pipe.
    let _ = tokio::io::copy(&mut s, &mut tokio::io::sink()).await;
    String::from_utf8_lossy(&kept).into_owned()
}

async fn exec(ctx: &ToolContext, a: &ExecArgs) -> Result<ExecOutput, ToolError> {
    if a.command.is_empty() {
        return Err(ToolError::Retry(
            "command is empty; give the program and its arguments, e.g. [\"ls\", \"/data\"]".into(),
        ));
    }
    let api: Api<Pod> = Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
    let mut params = AttachParams::default()
        .stdout(true)
        .stderr(true)
        .stdin(false);
    if let Some(c) = &a.container {
        params = params.container(c);
    }
    let secs = a.timeout_secs.unwrap_or(30).clamp(1, 300);
    let run = async {
        let mut process = api
            .exec(&a.pod, a.command.clone(), &params)
            .await
            .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
        let status = process.take_status();
        let (stdout, stderr) =
            tokio::join!(read_capped(process.stdout()), read_capped(process.stderr()));
        let status = match status {
            Some(s) => s.await,
            None => None,
        };
        let exit_code = status.map(|s| {
            if s.status.as_deref() == Some("Success") {
                0
            } else {
                s.details
                    .and_then(|d| d.causes)
                    .into_iter()
                    .flatten()
                    .find(|c| c.reason.as_deref() == Some("ExitCode"))
                    .and_then(|c| c.message)
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(1)
            }
        });
        Ok(ExecOutput {
            stdout,
            stderr,
            exit_code,
        })
    };
    tokio::time::timeout(std::time::Duration::from_secs(secs), run)
        .await
        .map_err(|_| {
            ToolError::Retry(format!(
                "the command in pod {} did not finish within {secs} s; give a shorter command or a larger timeout_secs",
                a.pod
            ))
        })?
}

/// The tool.
pub struct Exec;

impl TypedTool for Exec {
    const NAME: &'static str = "exec";
    const DESCRIPTION: &'static str = "Run a command in a pod's container, as kubectl exec (asks first: a command can change what the container holds); returns stdout, stderr and the exit code.";
    const MUTATES: bool = true;
    type Args = ExecArgs;
    type Output = ExecOutput;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ExecArgs) -> ToolRun<'a, ExecOutput> {
        Box::pin(async move { exec(ctx, &a).await })
    }

    fn render(&self, o: &ExecOutput) -> String {
        let code = o
            .exit_code
            .map_or_else(|| "unknown".to_string(), |c| c.to_string());
        let mut out = format!("exit code {code}");
        if !o.stdout.is_empty() {
            out.push_str(&format!("\nstdout:\n{}", o.stdout.trim_end()));
        }
        if !o.stderr.is_empty() {
            out.push_str(&format!("\nstderr:\n{}", o.stderr.trim_end()));
        }
        out
    }
}
