//! The loop guard: a model that asks for the same call with the same arguments a third time
//! in one turn is told to stop repeating itself instead of getting the same answer again.

use std::collections::HashMap;

/// Calls allowed with the same tool and arguments in one turn.
pub const SAME_CALL_LIMIT: u32 = 2;

/// What the model is told when the guard refuses.
pub const REPEATED: &str = "Refused: this exact call already ran twice in this turn and its \
result will not change by asking again. Use the results you have, change the arguments, or \
answer the person.";

/// What the model is told when it asks again for a tool the person declined in this turn.
pub const DECLINED_BEFORE: &str = "Refused without asking: the person already declined a call \
of this tool in this turn, and a no is final. Explain what you would have done and ask how \
they want to proceed.";

/// Counts the calls of one turn, and remembers the tools the person declined in it.
#[derive(Debug, Default)]
pub struct LoopGuard {
    seen: HashMap<(String, String), u32>,
    declined: std::collections::HashSet<String>,
}

impl LoopGuard {
    /// Records a call; `Some(message)` when it must be refused. Arguments that are the same
    /// JSON written differently count as the same.
    pub fn check(&mut self, tool: &str, arguments: &str) -> Option<&'static str> {
        if self.declined.contains(tool) {
            return Some(DECLINED_BEFORE);
        }
        let canonical = serde_json::from_str::<serde_json::Value>(arguments)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| arguments.trim().to_string());
        let n = self.seen.entry((tool.to_string(), canonical)).or_insert(0);
        *n += 1;
        (*n > SAME_CALL_LIMIT).then_some(REPEATED)
    }
}

impl LoopGuard {
    /// The person said no to a call of `tool`: no call of it is asked again this turn.
    pub fn declined(&mut self, tool: &str) {
        self.declined.insert(tool.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_identical_call_is_refused() {
        let mut g = LoopGuard::default();
        assert!(g.check("get_logs", r#"{"pod":"a","tail":5}"#).is_none());
        assert!(
            g.check("get_logs", r#"{ "tail": 5, "pod": "a" }"#)
                .is_none()
        );
        assert!(
            g.check("get_logs", r#"{"pod":"b","tail":5}"#).is_none(),
            "other arguments"
        );
        assert!(
            g.check("list_pods", r#"{"pod":"a","tail":5}"#).is_none(),
            "another tool"
        );
        assert_eq!(
            g.check("get_logs", r#"{"tail":5,"pod":"a"}"#),
            Some(REPEATED)
        );
    }

    #[test]
    fn a_declined_tool_is_not_asked_again_in_the_turn() {
        let mut g = LoopGuard::default();
        assert!(g.check("scale", r#"{"replicas":3}"#).is_none());
        g.declined("scale");
        assert_eq!(g.check("scale", r#"{"replicas":4}"#), Some(DECLINED_BEFORE));
        assert!(g.check("list_pods", "{}").is_none());
    }
}
