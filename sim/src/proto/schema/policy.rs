use super::*;

pub static POLICY_POD_DISRUPTION_BUDGET: Msg = msg("PodDisruptionBudget", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&POLICY_POD_DISRUPTION_BUDGET_SPEC)), (3, "status", F::Skip)]);
pub static POLICY_POD_DISRUPTION_BUDGET_SPEC: Msg = msg("PodDisruptionBudgetSpec", &[(1, "minAvailable", F::IntOrStr), (2, "selector", F::Msg(&META_LABEL_SELECTOR)), (3, "maxUnavailable", F::IntOrStr), (4, "unhealthyPodEvictionPolicy", F::Str)]);
