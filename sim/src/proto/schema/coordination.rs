use super::*;

pub static COORDINATION_LEASE: Msg = msg("Lease", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&COORDINATION_LEASE_SPEC))]);
pub static COORDINATION_LEASE_SPEC: Msg = msg("LeaseSpec", &[(1, "holderIdentity", F::Str), (2, "leaseDurationSeconds", F::Int), (3, "acquireTime", F::MicroTime), (4, "renewTime", F::MicroTime), (5, "leaseTransitions", F::Int), (6, "strategy", F::Str), (7, "preferredHolder", F::Str)]);
