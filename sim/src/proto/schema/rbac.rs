use super::*;

pub static RBAC_ROLE: Msg = msg("Role", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "rules", F::RepMsg(&RBAC_POLICY_RULE))]);
pub static RBAC_ROLE_BINDING: Msg = msg("RoleBinding", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "subjects", F::RepMsg(&RBAC_SUBJECT)), (3, "roleRef", F::Msg(&RBAC_ROLE_REF))]);
pub static RBAC_CLUSTER_ROLE: Msg = msg("ClusterRole", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "rules", F::RepMsg(&RBAC_POLICY_RULE)), (3, "aggregationRule", F::Msg(&RBAC_AGGREGATION_RULE))]);
pub static RBAC_CLUSTER_ROLE_BINDING: Msg = msg("ClusterRoleBinding", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "subjects", F::RepMsg(&RBAC_SUBJECT)), (3, "roleRef", F::Msg(&RBAC_ROLE_REF))]);
pub static RBAC_POLICY_RULE: Msg = msg("PolicyRule", &[(1, "verbs", F::RepStr), (2, "apiGroups", F::RepStr), (3, "resources", F::RepStr), (4, "resourceNames", F::RepStr), (5, "nonResourceURLs", F::RepStr)]);
pub static RBAC_SUBJECT: Msg = msg("Subject", &[(1, "kind", F::Str), (2, "apiGroup", F::Str), (3, "name", F::Str), (4, "namespace", F::Str)]);
pub static RBAC_ROLE_REF: Msg = msg("RoleRef", &[(1, "apiGroup", F::Str), (2, "kind", F::Str), (3, "name", F::Str)]);
pub static RBAC_AGGREGATION_RULE: Msg = msg("AggregationRule", &[(1, "clusterRoleSelectors", F::RepMsg(&META_LABEL_SELECTOR))]);
