//! One audit entry and the draft the dispatcher fills while a call passes the gate.

use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use todo_ops_tools::object_versions::ObjectRef;
use todo_ops_tools::redact::Redactor;

use crate::core::dispatch::ToolReply;
use crate::protocol::{CallStatus, ChangePreview};

/// How much of a tool's reply the audit keeps: enough to say what happened, not the data.
const MESSAGE_CHARS: usize = 600;

/// What the gate did with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// It ran without asking.
    Run,
    /// The person was asked and said yes.
    Approved,
    /// The person was asked and said no.
    Declined,
    /// The gate refused it (policy, `--read-only`, or nobody to ask).
    Refused,
    /// It never reached the gate (bad arguments, no such tool).
    Invalid,
}

/// An object a change named, with its version before and after (absent: did not exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedObject {
    /// The object.
    #[serde(flatten)]
    pub object: ObjectRef,
    /// Its version before the call.
    pub before: Option<String>,
    /// Its version after the call.
    pub after: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the call finished, RFC 3339 UTC.
    pub time: String,
    /// The session it belongs to.
    pub session: String,
    /// The identity acting (the kubeconfig user).
    pub identity: String,
    /// The kubeconfig context.
    pub context: String,
    /// The tool.
    pub tool: String,
    /// read, create, update, delete or exec.
    pub verb: String,
    /// The namespace it acted in.
    pub namespace: String,
    /// Its arguments, redacted.
    pub arguments: Value,
    /// What the person was shown before deciding (the diffs), when they were asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<ChangePreview>,
    /// What the gate did.
    pub decision: Decision,
    /// Who or what decided: a policy rule, a preset, the mode, or the person.
    pub decided_by: String,
    /// How the call ended.
    pub outcome: CallStatus,
    /// The start of the reply, redacted.
    pub message: String,
    /// The objects a change named, with their versions before and after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<ChangedObject>,
}

/// The entry of one call as it passes the gate; [`Draft::finish`] completes it.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The tool.
    pub tool: String,
    /// Its verb.
    pub verb: String,
    /// The namespace.
    pub namespace: String,
    /// The redacted arguments.
    pub arguments: Value,
    /// The preview shown.
    pub preview: Option<ChangePreview>,
    /// What the gate did (until it decides: the call was invalid).
    pub decision: Decision,
    /// Who decided.
    pub decided_by: String,
    /// The objects named, with versions.
    pub changed: Vec<ChangedObject>,
    /// The identity acting.
    pub identity: String,
    /// The kubeconfig context acted in.
    pub context: String,
}

impl Draft {
    /// A call that has not reached the gate yet.
    pub fn new(tool: &str) -> Self {
        Self {
            tool: tool.to_string(),
            verb: String::new(),
            namespace: String::new(),
            arguments: Value::Null,
            preview: None,
            decision: Decision::Invalid,
            decided_by: "not decided: the call was invalid".into(),
            changed: Vec::new(),
            identity: String::new(),
            context: String::new(),
        }
    }

    /// The call acts as `cluster`'s identity in its context.
    pub fn acting_in(&mut self, cluster: &todo_ops_tools::cluster::Cluster) {
        self.identity = cluster.user.clone();
        self.context = cluster.context.clone();
    }

    /// The finished entry, with the reply (or the fatal error) the call ended with.
    pub fn finish(
        self,
        session: &str,
        redactor: &Redactor,
        ended: Result<&ToolReply, &str>,
    ) -> AuditEntry {
        let (outcome, message) = match ended {
            Ok(r) => (r.status.clone(), r.content.as_str()),
            Err(fatal) => (CallStatus::Failed, fatal),
        };
        let message: String = redactor
            .redact(message)
            .chars()
            .take(MESSAGE_CHARS)
            .collect();
        AuditEntry {
            time: Timestamp::now().to_string(),
            session: session.to_string(),
            identity: self.identity,
            context: self.context,
            tool: self.tool,
            verb: self.verb,
            namespace: self.namespace,
            arguments: self.arguments,
            preview: self.preview,
            decision: self.decision,
            decided_by: self.decided_by,
            outcome,
            message,
            changed: self.changed,
        }
    }
}
