//! Shared test support, and (once the emulator lands) end-to-end tests of whole flows.

pub mod browser;
pub mod chatbot;
pub mod checked_in;
pub mod kubectl;
pub mod scripted_llm;
pub mod wait;
