//! Shared test support, and (once the emulator lands) end-to-end tests of whole flows.

pub mod browser;
pub mod chatbot;
pub mod checked_in;
pub mod kubectl;
pub mod recorded_model;
pub mod scripted_llm;
pub mod wait;

/// A folder for a test's files that pods can see: the target folder's `tmp`, beside the
/// binaries. Not the machine's /tmp: the chatbot mounts an emptyDir at /tmp, which hides
/// the machine's /tmp from its process (a volume hides what is under its mount path).
pub fn scratch_dir() -> std::path::PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("tmp")))
        .unwrap_or_else(std::env::temp_dir)
}
