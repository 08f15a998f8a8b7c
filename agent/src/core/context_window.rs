//! Keeping a conversation within the model's context: old turns are left out whole (never
//! a tool reply without its call), and what was left out is summed up in a line so the model
//! still knows what happened.

use crate::protocol::Message;

/// Where the kept history starts, and a summary of what comes before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Index of the first message kept.
    pub start: usize,
    /// A summary of the messages left out, if any.
    pub summary: Option<String>,
}

/// Fits `history` into about `budget` characters of JSON, cutting only before a user message.
pub fn fit(history: &[Message], budget: usize) -> Fit {
    let sizes: Vec<usize> = history
        .iter()
        .map(|m| serde_json::to_string(m).map_or(0, |s| s.len()))
        .collect();
    let mut start = 0;
    let mut total: usize = sizes.iter().sum();
    while total > budget && start < history.len() {
        let next = history[start + 1..]
            .iter()
            .position(|m| matches!(m, Message::User { .. }))
            .map(|p| p + start + 1);
        match next {
            Some(n) => {
                total -= sizes[start..n].iter().sum::<usize>();
                start = n;
            }
            // The turn in progress is never cut.
            None => break,
        }
    }
    Fit {
        start,
        summary: (start > 0).then(|| summary(&history[..start])),
    }
}

/// One line about earlier turns: what the person asked and which tools ran.
pub fn summary(dropped: &[Message]) -> String {
    let mut asked = Vec::new();
    let mut tools = Vec::new();
    for m in dropped {
        match m {
            Message::User { content } => {
                let t: String = content.chars().take(80).collect();
                asked.push(format!("{t:?}"));
            }
            Message::Assistant { tool_calls, .. } => {
                tools.extend(tool_calls.iter().map(|c| c.name.clone()));
            }
            _ => {}
        }
    }
    let tools = if tools.is_empty() {
        "none".to_string()
    } else {
        tools.join(", ")
    };
    format!(
        "Earlier in this session ({} messages left out to fit the context) the person asked: {}; tools called: {tools}.",
        dropped.len(),
        asked.join(", ")
    )
}

/// The conversation in a few lines for `/compact`: per turn what was asked, which tools
/// ran and how the model answered (each cut short).
pub fn compact(history: &[Message]) -> String {
    let cut = |t: &str, n: usize| {
        let one = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if one.chars().count() > n {
            format!("{}…", one.chars().take(n).collect::<String>())
        } else {
            one
        }
    };
    let mut lines = Vec::new();
    let mut current: Option<(String, Vec<String>, String)> = None;
    for m in history {
        match m {
            Message::User { content } => {
                if let Some(t) = current.take() {
                    lines.push(t);
                }
                current = Some((cut(content, 120), Vec::new(), String::new()));
            }
            Message::Assistant {
                content,
                tool_calls,
            } => {
                if let Some((_, tools, answer)) = current.as_mut() {
                    tools.extend(tool_calls.iter().map(|c| c.name.clone()));
                    if !content.is_empty() {
                        *answer = cut(content, 200);
                    }
                }
            }
            _ => {}
        }
    }
    lines.extend(current);
    lines
        .into_iter()
        .map(|(asked, tools, answer)| {
            let tools = if tools.is_empty() {
                "none".into()
            } else {
                tools.join(", ")
            };
            format!("- asked {asked:?}; tools: {tools}; answered: {answer:?}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
