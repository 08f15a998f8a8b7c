//! What the commands do to a cluster and a machine besides chatting: the built-in charts and
//! playbooks, the settings file, connecting the tools, installing the chatbot, fault
//! scenarios and port-forwards.

pub mod bundle;
pub mod connect;
pub mod install;
pub mod port_forward;
pub mod scenarios;
pub mod settings;
