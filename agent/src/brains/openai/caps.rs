//! What an OpenAI-compatible server accepts with tools, learned from its refusals once per
//! session: llama-cpp-python renders tools only with `tool_choice` but cannot stream a
//! tool choice; vLLM without `--enable-auto-tool-choice` refuses `"auto"`.

/// The request shape a server accepts when tools are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerCaps {
    /// Send `tool_choice: "auto"` with the tools.
    pub tool_choice: bool,
    /// Stream turns that offer tools (else one whole answer per turn).
    pub stream_tools: bool,
}

impl Default for ServerCaps {
    fn default() -> Self {
        Self {
            tool_choice: true,
            stream_tools: true,
        }
    }
}

/// A change of request shape after a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adaptation {
    /// Ask for whole answers when tools are offered.
    NoStreamingTools,
    /// Leave `tool_choice` out.
    NoToolChoice,
}

impl ServerCaps {
    /// The adaptation a refusal of a request with tools calls for, applied; `None` when
    /// the refusal is about something else or there is nothing left to change.
    pub fn adapt(&mut self, refusal: &str) -> Option<Adaptation> {
        let r = refusal.to_ascii_lowercase();
        let about_tool_choice = r.contains("tool choice") || r.contains("tool_choice");
        if !about_tool_choice {
            return None;
        }
        if r.contains("stream") && self.stream_tools {
            self.stream_tools = false;
            return Some(Adaptation::NoStreamingTools);
        }
        if self.tool_choice {
            self.tool_choice = false;
            return Some(Adaptation::NoToolChoice);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_change_the_request_once_each() {
        let mut caps = ServerCaps::default();
        // llama-cpp-python, streaming with tool_choice.
        assert_eq!(
            caps.adapt("Automatic streaming tool choice is not supported"),
            Some(Adaptation::NoStreamingTools)
        );
        // vLLM without --enable-auto-tool-choice.
        let vllm = "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set";
        assert_eq!(caps.adapt(vllm), Some(Adaptation::NoToolChoice));
        // The same refusal again: nothing left to try.
        assert_eq!(caps.adapt(vllm), None);
        assert_eq!(ServerCaps::default().adapt("context length exceeded"), None);
    }
}
