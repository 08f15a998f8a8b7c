use super::*;

pub static SCHEDULING_PRIORITY_CLASS: Msg = msg("PriorityClass", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "value", F::Int), (3, "globalDefault", F::Bool), (4, "description", F::Str), (5, "preemptionPolicy", F::Str)]);
