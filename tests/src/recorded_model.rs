//! A model that answers as recorded sessions did: each request is matched to the session
//! whose prompt it carries, and gets that session's next model turn (counted by the
//! assistant messages already in the request), over the scripted server's real protocol.
//! So a whole suite runs through the model path (request building, streaming, tool-call
//! parsing) with the turns of recorded runs (`todo-ops eval --record DIR`).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::scripted_llm::{ScriptedLlm, Turn};

/// The model turns of each recorded session, by its prompt.
#[derive(Debug, Default, Clone)]
pub struct RecordedTurns {
    by_prompt: HashMap<String, Vec<Turn>>,
}

impl RecordedTurns {
    /// Reads every `*.jsonl` transcript in `dir` (the first run of each task).
    pub fn load(dir: &Path) -> Result<Self, String> {
        let mut out = Self::default();
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let (prompt, turns) =
                session(&text).map_err(|e| format!("transcript {}: {e}", path.display()))?;
            out.by_prompt.insert(prompt, turns);
        }
        Ok(out)
    }

    /// How many sessions were read.
    pub fn len(&self) -> usize {
        self.by_prompt.len()
    }

    /// Whether none was read.
    pub fn is_empty(&self) -> bool {
        self.by_prompt.is_empty()
    }

    /// The turn a request asks for: the next one of the session whose prompt it carries.
    pub fn answer(&self, request: &Value) -> Option<Turn> {
        let messages = request["messages"].as_array()?;
        let prompt = messages
            .iter()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())?;
        let turns = self
            .by_prompt
            .iter()
            .find(|(p, _)| prompt.trim() == p.trim() || prompt.contains(p.trim()))
            .map(|(_, t)| t)?;
        let done = messages.iter().filter(|m| m["role"] == "assistant").count();
        turns.get(done).cloned()
    }

    /// Makes `llm` answer every request it recognises this way.
    pub fn serve_on(self, llm: &ScriptedLlm) {
        llm.respond_with(move |body| self.answer(body));
    }
}

/// The first prompt of a transcript and the model turns that followed it.
fn session(text: &str) -> Result<(String, Vec<Turn>), String> {
    let mut prompt = None;
    let mut turns = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let entry: Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        match entry["kind"].as_str() {
            Some("input") if prompt.is_none() => {
                prompt = entry["text"].as_str().map(str::to_string);
            }
            Some("input") => break,
            Some("model_turn") => turns.push(model_turn(&entry)),
            _ => {}
        }
    }
    let prompt = prompt.ok_or("no prompt (an `input` entry) in it")?;
    Ok((prompt, turns))
}

fn model_turn(entry: &Value) -> Turn {
    let calls: Vec<(String, Value)> = entry["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let args = c["arguments"]
                .as_str()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_else(|| c["arguments"].clone());
            (c["name"].as_str().unwrap_or_default().to_string(), args)
        })
        .collect();
    if calls.is_empty() {
        Turn::Text(entry["text"].as_str().unwrap_or_default().to_string())
    } else {
        Turn::ToolCalls(calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_gets_the_next_turn_of_the_session_it_continues() {
        let transcript = [
            json!({"kind": "input", "text": "scale web to 3"}),
            json!({"kind": "model_turn", "text": "", "tool_calls": [
                {"id": "c1", "name": "scale", "arguments": "{\"deployment\":\"web\",\"replicas\":3}"}]}),
            json!({"kind": "tool_result", "call_id": "c1", "name": "scale", "content": "ok"}),
            json!({"kind": "model_turn", "text": "Scaled web to 3.", "tool_calls": []}),
        ]
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
        let (prompt, turns) = session(&transcript).unwrap();
        let recorded = RecordedTurns {
            by_prompt: HashMap::from([(prompt, turns)]),
        };
        let first = json!({"messages": [
            {"role": "system", "content": "rules"},
            {"role": "user", "content": "scale web to 3"}]});
        match recorded.answer(&first) {
            Some(Turn::ToolCalls(calls)) => {
                assert_eq!(calls[0].0, "scale");
                assert_eq!(calls[0].1["replicas"], 3);
            }
            other => panic!("expected the scale call, got {other:?}"),
        }
        let second = json!({"messages": [
            {"role": "user", "content": "scale web to 3"},
            {"role": "assistant", "content": null, "tool_calls": []},
            {"role": "tool", "content": "ok"}]});
        assert!(matches!(recorded.answer(&second), Some(Turn::Text(t)) if t == "Scaled web to 3."));
        let third = json!({"messages": [
            {"role": "user", "content": "scale web to 3"},
            {"role": "assistant"}, {"role": "assistant"}]});
        assert!(recorded.answer(&third).is_none(), "past the recording");
        let other = json!({"messages": [{"role": "user", "content": "delete everything"}]});
        assert!(recorded.answer(&other).is_none(), "another prompt");
    }
}
