//! End-to-end tests of whole flows (filled once the emulator lands).
