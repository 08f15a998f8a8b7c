//! `--tool-shim`: tools for models served without native function calling. The tools and a
//! reply format go into the system prompt, tool calls and results travel as plain text, and
//! the model's JSON reply is parsed back into tool calls — so the session loop, the gate and
//! transcripts work unchanged.
//!
//! The format: `{"tool_calls": [{"name": "TOOL", "arguments": {...}}]}` to call tools, or
//! `{"answer": "TEXT"}` to answer the person. A reply that is not JSON is taken as the answer.

use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionTools,
};
use serde_json::{Value, json};

use crate::brain::{Brain, BrainTurn};
use crate::dispatch::ToolCall;
use crate::model::ModelTurn;

/// How the model must reply, appended to the system prompt.
pub const FORMAT: &str = "You cannot call functions natively. To call tools, reply with ONLY \
a JSON object {\"tool_calls\": [{\"name\": \"TOOL\", \"arguments\": {...}}]} and nothing else; \
tool results come back in a user message starting with \"Result of\". To answer the person, \
reply with ONLY {\"answer\": \"TEXT\"}.";

/// A brain whose model has no native tool calls.
pub struct ToolShim {
    inner: Box<dyn Brain>,
    name: String,
}

impl ToolShim {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn Brain>) -> Self {
        let name = format!("{} (tool shim)", inner.name());
        Self { inner, name }
    }
}

/// The tools as the model reads them: name, description, argument schema.
pub fn instructions(tools: &[ChatCompletionTools]) -> String {
    let list: Vec<String> = tools
        .iter()
        .map(|t| match t {
            ChatCompletionTools::Function(f) => format!(
                "- {}: {} Arguments (JSON Schema): {}",
                f.function.name,
                f.function.description.clone().unwrap_or_default(),
                f.function.parameters.clone().unwrap_or(json!({}))
            ),
            #[allow(unreachable_patterns)]
            _ => String::new(),
        })
        .collect();
    format!("{FORMAT}\n\nTools:\n{}", list.join("\n"))
}

fn text_of_user(c: &ChatCompletionRequestUserMessageContent) -> String {
    match c {
        ChatCompletionRequestUserMessageContent::Text(t) => t.clone(),
        ChatCompletionRequestUserMessageContent::Array(_) => String::new(),
    }
}

/// The conversation in plain messages only: system, user and assistant text.
pub fn rewrite(
    messages: &[ChatCompletionRequestMessage],
    tools: &[ChatCompletionTools],
) -> Vec<ChatCompletionRequestMessage> {
    let user = |text: String| {
        ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Text(text),
            name: None,
        })
    };
    let mut names = std::collections::HashMap::new();
    let mut out = Vec::new();
    for m in messages {
        match m {
            ChatCompletionRequestMessage::System(s) => {
                let base = match &s.content {
                    ChatCompletionRequestSystemMessageContent::Text(t) => t.clone(),
                    ChatCompletionRequestSystemMessageContent::Array(_) => String::new(),
                };
                out.push(ChatCompletionRequestMessage::System(
                    ChatCompletionRequestSystemMessage {
                        content: ChatCompletionRequestSystemMessageContent::Text(format!(
                            "{base}\n\n{}",
                            instructions(tools)
                        )),
                        name: None,
                    },
                ));
            }
            ChatCompletionRequestMessage::User(u) => out.push(user(text_of_user(&u.content))),
            ChatCompletionRequestMessage::Assistant(a) => {
                let calls: Vec<Value> = a
                    .tool_calls
                    .iter()
                    .flatten()
                    .filter_map(|c| match c {
                        ChatCompletionMessageToolCalls::Function(f) => {
                            names.insert(f.id.clone(), f.function.name.clone());
                            let args: Value =
                                serde_json::from_str(&f.function.arguments).unwrap_or(json!({}));
                            Some(json!({"name": f.function.name, "arguments": args}))
                        }
                        #[allow(unreachable_patterns)]
                        _ => None,
                    })
                    .collect();
                let text = match &a.content {
                    Some(ChatCompletionRequestAssistantMessageContent::Text(t)) => t.clone(),
                    _ => String::new(),
                };
                let said = if calls.is_empty() {
                    json!({"answer": text}).to_string()
                } else {
                    json!({"tool_calls": calls}).to_string()
                };
                #[allow(deprecated)]
                out.push(ChatCompletionRequestMessage::Assistant(
                    ChatCompletionRequestAssistantMessage {
                        content: Some(ChatCompletionRequestAssistantMessageContent::Text(said)),
                        refusal: None,
                        name: None,
                        audio: None,
                        tool_calls: None,
                        function_call: None,
                    },
                ));
            }
            ChatCompletionRequestMessage::Tool(t) => {
                let content = match &t.content {
                    ChatCompletionRequestToolMessageContent::Text(s) => s.clone(),
                    ChatCompletionRequestToolMessageContent::Array(_) => String::new(),
                };
                let name = names.get(&t.tool_call_id).cloned().unwrap_or_default();
                out.push(user(format!("Result of {name}:\n{content}")));
            }
            _ => {}
        }
    }
    out
}

/// What the model's reply says: tool calls, or the answer.
pub fn parse(text: &str, turn_no: usize) -> ModelTurn {
    let trimmed = text.trim();
    let body = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|b| b.strip_suffix("```"))
        .unwrap_or(trimmed)
        .trim();
    // Small models often wrap the object in prose: take the outermost braces.
    let json_text = match (body.find('{'), body.rfind('}')) {
        (Some(a), Some(b)) if a < b => &body[a..=b],
        _ => body,
    };
    let answer = |t: &str| ModelTurn {
        text: t.to_string(),
        ..Default::default()
    };
    let Ok(v) = serde_json::from_str::<Value>(json_text) else {
        return answer(trimmed);
    };
    if let Some(calls) = v["tool_calls"].as_array() {
        let tool_calls = calls
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                Some(ToolCall {
                    id: format!("shim_{turn_no}_{i}"),
                    name: c["name"].as_str()?.to_string(),
                    arguments: c.get("arguments").cloned().unwrap_or(json!({})).to_string(),
                })
            })
            .collect();
        return ModelTurn {
            tool_calls,
            ..Default::default()
        };
    }
    match v["answer"].as_str() {
        Some(a) => answer(a),
        None => answer(trimmed),
    }
}

impl Brain for ToolShim {
    fn name(&self) -> &str {
        &self.name
    }

    fn turn<'a>(
        &'a self,
        messages: &'a [ChatCompletionRequestMessage],
        tools: &'a [ChatCompletionTools],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(async move {
            let plain = rewrite(messages, tools);
            // The raw reply is JSON for us, not text for the person: it is shown once parsed.
            let raw = self.inner.turn(&plain, &[], &mut |_| {}).await?;
            let turn_no = messages
                .iter()
                .filter(|m| matches!(m, ChatCompletionRequestMessage::Assistant(_)))
                .count();
            let mut turn = parse(&raw.text, turn_no);
            turn.usage = raw.usage;
            if !turn.text.is_empty() {
                on_text(&turn.text);
            }
            Ok(turn)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_parse_into_calls_or_an_answer() {
        let t = parse(
            "Sure!\n```json\n{\"tool_calls\": [{\"name\": \"scale\", \"arguments\": {\"deployment\": \"todo-backend\", \"replicas\": 3}}]}\n```",
            2,
        );
        assert_eq!(t.tool_calls.len(), 1);
        assert_eq!(t.tool_calls[0].name, "scale");
        assert_eq!(t.tool_calls[0].id, "shim_2_0");
        assert!(t.tool_calls[0].arguments.contains("\"replicas\":3"));
        assert_eq!(parse("{\"answer\": \"All good.\"}", 0).text, "All good.");
        assert_eq!(parse("plain words", 0).text, "plain words");
    }
}
