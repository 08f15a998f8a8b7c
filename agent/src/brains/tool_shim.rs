//! `--tool-shim`: tools for models served without native function calling. The tools and a
//! reply format go into the system prompt, tool calls and results travel as plain text, and
//! the model's JSON reply is parsed back into tool calls — so the session loop, the gate and
//! transcripts work unchanged.
//!
//! The format: `{"tool_calls": [{"name": "TOOL", "arguments": {...}}]}` to call tools, or
//! `{"answer": "TEXT"}` to answer the person. A reply that is not JSON is taken as the answer.

use serde_json::{Value, json};

use crate::core::brain::{Brain, BrainTurn};
use crate::protocol::{Message, ModelTurn, ToolCall, ToolSpec};

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

/// The tools as the model reads them: a signature per tool (argument names and types,
/// optional ones marked `?`) and its description. Full JSON Schemas would not fit the
/// context windows of the small local models the shim is for (20 KiB of schemas overflowed
/// llama-cpp-python's 8192 tokens).
pub fn instructions(tools: &[ToolSpec]) -> String {
    let list: Vec<String> = tools
        .iter()
        .map(|t| {
            format!(
                "- {}({}): {}",
                t.name,
                signature(&t.parameters),
                t.description
            )
        })
        .collect();
    format!("{FORMAT}\n\nTools:\n{}", list.join("\n"))
}

/// `a: string, b?: integer, mode?: "x"|"y"` from an object schema.
fn signature(schema: &Value) -> String {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, p)| {
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            format!("{name}{optional}: {}", type_of(schema, p))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A property's type in a few characters: its enum values, its JSON type, or `object`;
/// `$ref`s are followed within `root`.
fn type_of(root: &Value, p: &Value) -> String {
    if let Some(target) = p["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        return match root.pointer(target) {
            Some(def) if def != p => type_of(root, def),
            _ => "object".into(),
        };
    }
    // A documented enum: one alternative per value, each a `const`.
    let alternatives = p["oneOf"].as_array().or(p["anyOf"].as_array());
    if let Some(alts) = alternatives
        && !alts.is_empty()
        && alts.iter().all(|a| a.get("const").is_some())
    {
        return alts
            .iter()
            .map(|a| a["const"].to_string())
            .collect::<Vec<_>>()
            .join("|");
    }
    if let Some(values) = p["enum"].as_array() {
        return values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("|");
    }
    match &p["type"] {
        Value::String(t) => t.clone(),
        // ["string", "null"]: the non-null one.
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("any")
            .to_string(),
        _ if p["anyOf"].is_array() || p["oneOf"].is_array() => {
            let alts = p["anyOf"].as_array().or(p["oneOf"].as_array());
            alts.into_iter()
                .flatten()
                .filter(|a| a["type"] != "null")
                .map(|a| type_of(root, a))
                .next()
                .unwrap_or_else(|| "any".into())
        }
        _ => "any".into(),
    }
}

/// The conversation in plain messages only: system, user and assistant text.
pub fn rewrite(messages: &[Message], tools: &[ToolSpec]) -> Vec<Message> {
    let mut names = std::collections::HashMap::new();
    messages
        .iter()
        .map(|m| match m {
            Message::System { content } => Message::System {
                content: format!("{content}\n\n{}", instructions(tools)),
            },
            Message::User { .. } => m.clone(),
            Message::Assistant {
                content,
                tool_calls,
            } => {
                let calls: Vec<Value> = tool_calls
                    .iter()
                    .map(|c| {
                        names.insert(c.id.clone(), c.name.clone());
                        let args: Value = serde_json::from_str(&c.arguments).unwrap_or(json!({}));
                        json!({"name": c.name, "arguments": args})
                    })
                    .collect();
                let said = if calls.is_empty() {
                    json!({"answer": content})
                } else {
                    json!({"tool_calls": calls})
                };
                Message::answer(said.to_string())
            }
            Message::Tool {
                tool_call_id,
                content,
                ..
            } => {
                let name = names.get(tool_call_id).cloned().unwrap_or_default();
                Message::user(format!("Result of {name}:\n{content}"))
            }
        })
        .collect()
}

/// A reply that meant to be the JSON format and is not: why, for the corrective message.
pub fn invalid_json(text: &str) -> Option<String> {
    let body = text.trim();
    let meant_json = body.starts_with('{')
        || body.starts_with("```")
        || body.contains("\"tool_calls\"")
        || body.contains("\"answer\"");
    if !meant_json {
        return None;
    }
    let json_text = match (body.find('{'), body.rfind('}')) {
        (Some(a), Some(b)) if a < b => &body[a..=b],
        _ => body,
    };
    serde_json::from_str::<Value>(json_text)
        .err()
        .map(|e| e.to_string())
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
        messages: &'a [Message],
        tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(async move {
            let mut plain = rewrite(messages, tools);
            // The raw reply is JSON for us, not text for the person: it is shown once parsed.
            let mut raw = self.inner.turn(&plain, &[], &mut |_| {}).await?;
            // Broken JSON gets one corrective message; a second failure is taken as text.
            if let Some(error) = invalid_json(&raw.text) {
                plain.push(Message::answer(raw.text.clone()));
                plain.push(Message::user(format!(
                    "That reply is not valid JSON ({error}). {FORMAT}"
                )));
                let first_usage = raw.usage;
                raw = self.inner.turn(&plain, &[], &mut |_| {}).await?;
                raw.usage = match (first_usage, raw.usage) {
                    (Some((p1, c1)), Some((p2, c2))) => Some((p1 + p2, c1 + c2)),
                    (a, b) => b.or(a),
                };
            }
            let turn_no = messages
                .iter()
                .filter(|m| matches!(m, Message::Assistant { .. }))
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

    #[test]
    fn every_tool_fits_a_small_model_s_context_in_a_line() {
        let tools = crate::core::session::tool_specs(&todo_ops_tools::tools::registry());
        let text = instructions(&tools);
        assert!(text.len() < 8 * 1024, "{} bytes:\n{text}", text.len());
        let scale = text.lines().find(|l| l.starts_with("- scale(")).unwrap();
        assert!(scale.contains("replicas: integer"), "{scale}");
        assert!(scale.contains("namespace?: string"), "{scale}");
        let logs = text.lines().find(|l| l.starts_with("- get_logs(")).unwrap();
        assert!(logs.contains("pod: string"), "{logs}");
        // An enum behind a $ref shows its values.
        let describe = text.lines().find(|l| l.starts_with("- describe(")).unwrap();
        assert!(describe.contains("kind: \"pod\"|"), "{describe}");
    }

    #[test]
    fn broken_json_is_told_apart_from_prose() {
        assert!(invalid_json("{\"tool_calls\": [{\"name\": \"scale\", }").is_some());
        assert!(invalid_json("```json\n{\"answer\": \"ok\"\n```").is_some());
        assert!(invalid_json("{\"answer\": \"ok\"}").is_none());
        assert!(invalid_json("The backend is fine.").is_none());
    }
}
