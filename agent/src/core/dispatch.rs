//! Runs the model's tool calls through the confirmation gate: reads run, mutations are
//! previewed (for a Helm upgrade with the values and rendered-manifest diffs) and wait for
//! the person, refusals and declines go back to the model as plain text it can act on.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde_json::Value;
use todo_ops_tools::tool::{ToolContext, ToolError, ToolOutput};
use todo_ops_tools::tools::find;

use todo_ops_tools::access::review;
use todo_ops_tools::kube_context::in_context;
use todo_ops_tools::object_versions::version;
use todo_ops_tools::served_kinds::ServedKinds;

use crate::core::access::access_requests;
use crate::core::approval::{Approval, DECLINED, Gate, MutationPolicy, verdict};
use crate::core::audit::{AuditLog, ChangedObject, Decision, Draft};
use crate::core::policy::{Policy, call_of};
use crate::protocol::{CallStatus, ChangePreview, ToolCall};

/// The reply to one call: what the model reads, and the full result when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct ToolReply {
    /// The call's id.
    pub call_id: String,
    /// How it ended.
    pub status: CallStatus,
    /// The text the model receives (redacted, within the tool's budget).
    pub content: String,
    /// The typed result, when it ran.
    pub output: Option<ToolOutput>,
}

/// Asks the person about one change; `true` only for an explicit yes.
pub trait Confirm: Send + Sync {
    /// Shows the preview and waits for the answer.
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>>;
}

/// A call that cannot go on: the session stops and the person is told.
#[derive(Debug, thiserror::Error)]
#[error("tool {tool} failed: {message}")]
pub struct FatalToolError {
    /// The tool.
    pub tool: String,
    /// What went wrong.
    pub message: String,
}

/// The largest arguments a call may carry: every tool's arguments are a few names and
/// numbers, or a values patch; more is a model gone wrong, not a request to send on.
pub const MAX_ARGUMENTS: usize = 16 * 1024;

/// Runs tool calls for one session.
#[derive(Clone)]
pub struct Dispatcher {
    /// The cluster and Helm the tools act on.
    pub ctx: ToolContext,
    /// How mutations are treated.
    pub policy: MutationPolicy,
    /// The person's policy file, and whether a playbook is running.
    pub rules: SessionRules,
}

/// The policy rules a session follows.
#[derive(Debug, Clone, Default)]
pub struct SessionRules {
    /// The policy (none: every change asks).
    pub policy: std::sync::Arc<Policy>,
    /// Calls come from a playbook being followed.
    pub in_playbook: bool,
    /// Where every call is recorded (none: not recorded).
    pub audit: Option<std::sync::Arc<AuditLog>>,
}

impl Dispatcher {
    /// The same session's dispatcher while a playbook runs.
    pub fn for_playbook(&self) -> Dispatcher {
        Dispatcher {
            ctx: self.ctx.clone(),
            policy: self.policy,
            rules: SessionRules {
                in_playbook: true,
                ..self.rules.clone()
            },
        }
    }

    /// Runs one call through the gate, and records it in the audit log.
    pub async fn dispatch(
        &self,
        call: &ToolCall,
        confirm: &dyn Confirm,
    ) -> Result<ToolReply, FatalToolError> {
        let mut draft = Draft::new(&call.name);
        draft.acting_in(&self.ctx.cluster);
        let ended = self.gatekeep(call, confirm, &mut draft).await;
        if let Some(log) = &self.rules.audit {
            let outcome = match &ended {
                Ok(reply) => Ok(reply),
                Err(fatal) => Err(fatal.message.as_str()),
            };
            log.append(&draft.finish(log.session(), &self.ctx.redactor, outcome));
        }
        ended
    }

    /// The gate itself: parse, decide, preview and ask, run; `draft` learns each step.
    async fn gatekeep(
        &self,
        call: &ToolCall,
        confirm: &dyn Confirm,
        draft: &mut Draft,
    ) -> Result<ToolReply, FatalToolError> {
        let reply = |status, content: String, output| ToolReply {
            call_id: call.id.clone(),
            status,
            content,
            output,
        };
        if call.arguments.len() > MAX_ARGUMENTS {
            return Ok(reply(
                CallStatus::Failed,
                format!(
                    "the arguments of {} are {} bytes; at most {MAX_ARGUMENTS} are accepted: send only the fields the tool's schema names",
                    call.name,
                    call.arguments.len()
                ),
                None,
            ));
        }
        let args: Value = match call.arguments.trim() {
            "" => Value::Object(Default::default()),
            text => match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    return Ok(reply(
                        CallStatus::Failed,
                        format!(
                            "arguments of {} are not valid JSON ({e}); send a JSON object that fits the tool's schema",
                            call.name
                        ),
                        None,
                    ));
                }
            },
        };
        let mut args = match crate::core::generated::expand(args, &self.ctx.redactor) {
            Ok(a) => a,
            Err(m) => return Ok(reply(CallStatus::Failed, m, None)),
        };
        draft.arguments = self.ctx.redactor.redact_arguments(&args);
        // A call in another kubeconfig context acts, is reviewed, previewed and audited there.
        let other = match in_context(&self.ctx, &mut args).await {
            Ok(other) => other,
            Err(ToolError::Retry(m)) => return Ok(reply(CallStatus::Failed, m, None)),
            Err(ToolError::Fatal(m)) => {
                return Err(FatalToolError {
                    tool: call.name.clone(),
                    message: m,
                });
            }
        };
        let ctx = other.as_ref().unwrap_or(&self.ctx);
        draft.acting_in(&ctx.cluster);
        // Nothing to approve for a name that does not exist: the model is told what does.
        let Some(tool) = find(&call.name) else {
            let known: Vec<&str> = todo_ops_tools::tools::registry()
                .iter()
                .map(|t| t.name())
                .collect();
            return Ok(reply(
                CallStatus::Failed,
                format!(
                    "there is no tool named {:?}; the tools are: {}",
                    call.name,
                    known.join(", ")
                ),
                None,
            ));
        };
        let facts = call_of(
            &call.name,
            Some(tool.as_ref()),
            &args,
            &ctx.cluster.namespace,
        );
        draft.verb = format!("{:?}", facts.verb).to_lowercase();
        draft.namespace = facts.namespace.clone();
        let gate = Gate {
            mode: self.policy,
            policy: &self.rules.policy,
            in_playbook: self.rules.in_playbook,
        };
        let verdict = verdict(gate, &call.name, Some(tool.as_ref()), &facts);
        draft.decided_by = verdict.basis.to_string();
        if let Approval::Forbid(why) = verdict.approval {
            draft.decision = Decision::Refused;
            return Ok(reply(CallStatus::Forbidden, why, None));
        }
        // What a change names: its permissions are reviewed and its versions audited, with
        // the kinds the server serves read once for both.
        let served = if tool.mutates() && !facts.objects.is_empty() {
            ServedKinds::read(ctx).await.unwrap_or_default()
        } else {
            ServedKinds::default()
        };
        // What RBAC would refuse is never put to the person (reads need no review).
        for request in access_requests(&facts) {
            if let Some(refusal) = review(ctx, &served, &request).await {
                draft.decision = Decision::Refused;
                draft.decided_by = "the API server's access review".into();
                return Ok(reply(CallStatus::Forbidden, refusal, None));
            }
        }
        if verdict.approval == Approval::Ask {
            let preview = preview(ctx, tool.as_ref(), &args).await;
            let preview = match preview {
                Ok(p) => p,
                // A patch that does not fit the schema is the model's to fix, not the person's.
                Err(ToolError::Retry(m)) => return Ok(reply(CallStatus::Failed, m, None)),
                Err(ToolError::Fatal(m)) => {
                    return Err(FatalToolError {
                        tool: call.name.clone(),
                        message: m,
                    });
                }
            };
            let approved = confirm.confirm(&preview).await;
            draft.preview = Some(preview);
            draft.decided_by = format!(
                "the person ({}; asked because: {})",
                if approved { "yes" } else { "no" },
                verdict.basis
            );
            if !approved {
                draft.decision = Decision::Declined;
                return Ok(reply(CallStatus::Declined, DECLINED.into(), None));
            }
            draft.decision = Decision::Approved;
        } else {
            draft.decision = Decision::Run;
        }
        // The versions of what a change names, before and after, for the audit log.
        let audited = match (&self.rules.audit, tool.mutates()) {
            (Some(_), true) => facts.objects.clone(),
            _ => Vec::new(),
        };
        for object in audited {
            let before = version(ctx, &served, &object).await;
            draft.changed.push(ChangedObject {
                object,
                before,
                after: None,
            });
        }
        let ran = tool.call(ctx, args).await;
        for changed in &mut draft.changed {
            changed.after = version(ctx, &served, &changed.object).await;
        }
        match ran {
            Ok(out) => Ok(reply(CallStatus::Done, out.text.clone(), Some(out))),
            Err(ToolError::Retry(m)) => Ok(reply(CallStatus::Failed, m, None)),
            Err(ToolError::Fatal(m)) => Err(FatalToolError {
                tool: call.name.clone(),
                message: m,
            }),
        }
    }
}

/// The preview of a mutation; a Helm upgrade also shows both diffs (which validate the
/// patch against the chart's schema before the person is asked).
async fn preview(
    ctx: &ToolContext,
    tool: &dyn todo_ops_tools::tool::Tool,
    args: &Value,
) -> Result<ChangePreview, ToolError> {
    let name = tool.name();
    let mut preview = ChangePreview {
        tool: name.to_string(),
        arguments: ctx.redactor.redact_arguments(args),
        context: Some(ctx.cluster.context.clone()).filter(|c| !c.is_empty()),
        values_diff: None,
        manifest_diff: tool.preview(ctx, args.clone()).await?,
    };
    if name == "helm_upgrade" {
        for (diff_tool, slot) in [
            ("diff_values", &mut preview.values_diff),
            ("diff_manifest", &mut preview.manifest_diff),
        ] {
            if let Some(t) = find(diff_tool) {
                *slot = Some(t.call(ctx, args.clone()).await?.text);
            }
        }
    }
    Ok(preview)
}
