//! A change put to the MCP client's person through elicitation: the preview as the message,
//! a yes/no form as the answer. Anything but an explicit yes is no.

use std::time::Duration;

use rmcp::RoleServer;
use rmcp::service::{ElicitationError, Peer};
use serde::Deserialize;

use crate::commands::terminal::describe_change;
use crate::core::dispatch::Confirm;
use crate::protocol::ChangePreview;

/// How long the client's person has to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);

/// The form the person fills in.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ChangeAnswer {
    /// Apply this change to the cluster?
    pub approve: bool,
}

rmcp::elicit_safe!(ChangeAnswer);

/// Asks the client that made the call.
pub struct ElicitConfirm {
    /// The client.
    pub peer: Peer<RoleServer>,
}

impl Confirm for ElicitConfirm {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let question = describe_change(preview);
            match self
                .peer
                .elicit_with_timeout::<ChangeAnswer>(question, Some(ANSWER_TIMEOUT))
                .await
            {
                Ok(Some(answer)) => answer.approve,
                Ok(None) => false,
                Err(ElicitationError::UserDeclined | ElicitationError::UserCancelled) => false,
                Err(e) => {
                    tracing::warn!("asking the MCP client's person failed: {e}");
                    false
                }
            }
        })
    }
}

/// A client that can ask its person through a form.
pub fn can_ask(peer: &Peer<RoleServer>) -> bool {
    peer.supported_elicitation_modes()
        .contains(&rmcp::service::ElicitationMode::Form)
}
