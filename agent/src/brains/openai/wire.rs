//! The protocol's conversation as OpenAI request types, and a model's answer (streamed
//! deltas or one whole message) back as a [`ModelTurn`].

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCallChunk,
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionRequestToolMessage, ChatCompletionRequestToolMessageContent,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionResponse, FunctionCall, FunctionObject,
};

use crate::protocol::{Message, ModelTurn, ToolCall, ToolSpec};

/// The conversation as an OpenAI request's messages. An assistant message always carries
/// `content` (empty when it only called tools): optional in OpenAI's API, but llama.cpp's
/// chat templates fail without it. Typed tool results stay here; the model reads the text.
pub(super) fn request_messages(messages: &[Message]) -> Vec<ChatCompletionRequestMessage> {
    messages
        .iter()
        .map(|m| match m {
            Message::System { content } => {
                ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
                    content: ChatCompletionRequestSystemMessageContent::Text(content.clone()),
                    name: None,
                })
            }
            Message::User { content } => {
                ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
                    content: ChatCompletionRequestUserMessageContent::Text(content.clone()),
                    name: None,
                })
            }
            Message::Assistant {
                content,
                tool_calls,
            } => {
                let calls = tool_calls
                    .iter()
                    .map(|c| {
                        ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                            id: c.id.clone(),
                            function: FunctionCall {
                                name: c.name.clone(),
                                arguments: c.arguments.clone(),
                            },
                        })
                    })
                    .collect::<Vec<_>>();
                #[allow(deprecated)] // `function_call` is deprecated but still a field.
                ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                    content: Some(ChatCompletionRequestAssistantMessageContent::Text(
                        content.clone(),
                    )),
                    refusal: None,
                    name: None,
                    audio: None,
                    tool_calls: (!calls.is_empty()).then_some(calls),
                    function_call: None,
                })
            }
            Message::Tool {
                tool_call_id,
                content,
                ..
            } => ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
                content: ChatCompletionRequestToolMessageContent::Text(content.clone()),
                tool_call_id: tool_call_id.clone(),
            }),
        })
        .collect()
}

/// The tools as an OpenAI request's function list.
pub(super) fn request_tools(tools: &[ToolSpec]) -> Vec<ChatCompletionTools> {
    tools
        .iter()
        .map(|t| {
            ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: t.name.clone(),
                    description: Some(t.description.clone()),
                    parameters: Some(t.parameters.clone()),
                    strict: None,
                },
            })
        })
        .collect()
}

/// At most this many tool calls in one answer: a larger index is a broken or hostile stream.
const MAX_TOOL_CALLS: usize = 64;

/// Folds one streamed tool-call delta into the calls so far. The name is set once: OpenAI
/// sends it in the first delta only, llama.cpp repeats it in every delta, and a server that
/// splits it sends pieces that extend it.
pub(super) fn add_delta(
    calls: &mut Vec<ToolCall>,
    d: ChatCompletionMessageToolCallChunk,
) -> Result<(), String> {
    let i = d.index as usize;
    if i >= MAX_TOOL_CALLS {
        return Err(format!(
            "the model sent tool call number {i}; at most {MAX_TOOL_CALLS} calls are accepted in one answer"
        ));
    }
    while calls.len() <= i {
        calls.push(ToolCall {
            id: String::new(),
            name: String::new(),
            arguments: String::new(),
        });
    }
    let call = &mut calls[i];
    if let Some(id) = d.id.filter(|id| !id.is_empty()) {
        call.id = id;
    }
    if let Some(f) = d.function {
        if let Some(name) = f.name.filter(|n| !n.is_empty()) {
            if call.name.is_empty() || name.starts_with(call.name.as_str()) {
                call.name = name;
            } else if name != call.name {
                call.name.push_str(&name);
            }
        }
        if let Some(args) = f.arguments {
            call.arguments.push_str(&args);
        }
    }
    Ok(())
}

/// Gives every call an id (some local servers omit them; a reply must name its call) and
/// drops calls without a name.
pub(super) fn finish_calls(mut calls: Vec<ToolCall>) -> Vec<ToolCall> {
    for (i, c) in calls.iter_mut().enumerate() {
        if c.id.is_empty() {
            c.id = format!("call_{i}");
        }
    }
    calls.into_iter().filter(|c| !c.name.is_empty()).collect()
}

/// A whole (non-streamed) answer as a turn: the first choice's text and tool calls.
pub(super) fn whole_answer(r: CreateChatCompletionResponse) -> (ModelTurn, bool) {
    let usage = r.usage.map(|u| (u.prompt_tokens, u.completion_tokens));
    let Some(choice) = r.choices.into_iter().next() else {
        return (
            ModelTurn {
                usage,
                ..Default::default()
            },
            false,
        );
    };
    let calls = choice
        .message
        .tool_calls
        .into_iter()
        .flatten()
        .filter_map(|c| match c {
            ChatCompletionMessageToolCalls::Function(f) => Some(ToolCall {
                id: f.id,
                name: f.function.name,
                arguments: f.function.arguments,
            }),
            _ => None,
        })
        .collect();
    let turn = ModelTurn {
        text: choice.message.content.unwrap_or_default(),
        tool_calls: finish_calls(calls),
        usage,
        usage_estimated: false,
    };
    (turn, choice.finish_reason.is_some())
}

/// About four bytes of English or JSON per token, as OpenAI's tokenizers average: enough to
/// compare runs on a server that reports no usage, and marked as an estimate.
const BYTES_PER_TOKEN: usize = 4;

/// `turn` with estimated usage: the request's messages and tools in, its text and calls out.
pub(super) fn estimate_usage(
    mut turn: ModelTurn,
    messages: &[ChatCompletionRequestMessage],
    tools: &[ChatCompletionTools],
) -> ModelTurn {
    let prompt = serde_json::to_string(messages).map_or(0, |j| j.len())
        + serde_json::to_string(tools).map_or(0, |j| j.len());
    let completion = turn.text.len()
        + turn
            .tool_calls
            .iter()
            .map(|c| c.name.len() + c.arguments.len())
            .sum::<usize>();
    let tokens = |bytes: usize| u32::try_from(bytes.div_ceil(BYTES_PER_TOKEN)).unwrap_or(u32::MAX);
    turn.usage = Some((tokens(prompt), tokens(completion)));
    turn.usage_estimated = true;
    turn
}

/// How big a request is, in estimated tokens, and its largest part, for "no answer" errors.
pub(super) fn request_size(
    messages: &[ChatCompletionRequestMessage],
    tools: &[ChatCompletionTools],
) -> String {
    let bytes = |j: Result<String, serde_json::Error>| j.map_or(0, |j| j.len());
    let tools_bytes = bytes(serde_json::to_string(tools));
    let mut parts: Vec<(usize, String)> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let role = match m {
                ChatCompletionRequestMessage::System(_) => "the system prompt".to_string(),
                ChatCompletionRequestMessage::User(_) => {
                    format!("message {} (the person's)", i + 1)
                }
                ChatCompletionRequestMessage::Tool(_) => {
                    format!("message {} (a tool result)", i + 1)
                }
                _ => format!("message {} (the model's)", i + 1),
            };
            (bytes(serde_json::to_string(m)), role)
        })
        .collect();
    if tools_bytes > 0 {
        parts.push((tools_bytes, "the tool schemas".into()));
    }
    let total: usize = parts.iter().map(|(b, _)| b).sum();
    // JSON and schemas take more tokens per byte than prose: a range, not a number.
    let tokens = |b: usize| {
        format!(
            "{}–{} tokens",
            b.div_ceil(BYTES_PER_TOKEN),
            b.div_ceil(BYTES_PER_TOKEN / 2)
        )
    };
    let kib = |b: usize| format!("{:.1} KiB", b as f64 / 1024.0);
    match parts.iter().max_by_key(|(b, _)| *b) {
        Some((b, what)) => format!(
            "{} (about {}), the largest part {what} with {}",
            kib(total),
            tokens(total),
            kib(*b)
        ),
        None => "empty".into(),
    }
}
