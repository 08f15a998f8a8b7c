//! The layouts of the Kubernetes protobuf messages kubesim decodes: for each message, its
//! field numbers, JSON names and value kinds, as the `k8s.io/api` wire format defines them.
//! The top-level `status` of a kind is skipped: the server owns it.

use super::{F, Msg, msg};

#[rustfmt::skip] mod apps;
#[rustfmt::skip] mod authentication;
#[rustfmt::skip] mod authorization;
#[rustfmt::skip] mod autoscaling;
#[rustfmt::skip] mod batch;
#[rustfmt::skip] mod coordination;
#[rustfmt::skip] mod core_v1;
#[rustfmt::skip] mod discovery;
#[rustfmt::skip] mod events;
#[rustfmt::skip] mod meta;
#[rustfmt::skip] mod networking;
#[rustfmt::skip] mod policy;
#[rustfmt::skip] mod rbac;
#[rustfmt::skip] mod scheduling;
#[rustfmt::skip] mod storage;

pub use apps::*;
pub use authentication::*;
pub use authorization::*;
pub use autoscaling::*;
pub use batch::*;
pub use coordination::*;
pub use core_v1::*;
pub use discovery::*;
pub use events::*;
pub use meta::*;
pub use networking::*;
pub use policy::*;
pub use rbac::*;
pub use scheduling::*;
pub use storage::*;
