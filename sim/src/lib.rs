//! kubesim: a local Kubernetes API emulator. It speaks the real REST API on loopback so
//! `kubectl`, kube-rs and the Helm SDK work against it unmodified.

pub mod admission;
pub mod api;
pub mod auth;
pub mod controllers;
pub mod conversion;
pub mod defaults;
pub mod events;
pub mod graceful;
pub mod immutable;
pub mod kubelet;
pub mod meta;
pub mod model;
pub mod network;
pub mod ownership;
pub mod patch;
pub mod patch_meta;
pub mod port_forward;
pub mod proto;
pub mod resources;
pub mod selector;
pub mod server;
pub mod service_proxy;
pub mod spdy;
pub mod status;
pub mod store;
pub mod structure;
pub mod tls;
