//! What answers in a chat: a model behind an OpenAI-compatible endpoint (`openai`, with
//! `tool_shim` for models without function calling), the offline `planner`, or a recorded
//! session (`replay`). The session loop does not know which.

pub mod choice;
pub mod native_or_shim;
pub mod openai;
pub mod planner;
pub mod replay;
pub mod tool_shim;
