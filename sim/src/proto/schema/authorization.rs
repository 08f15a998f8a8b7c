use super::*;

pub static AUTHORIZATION_SELF_SUBJECT_ACCESS_REVIEW: Msg = msg("SelfSubjectAccessReview", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&AUTHORIZATION_SELF_SUBJECT_ACCESS_REVIEW_SPEC)), (3, "status", F::Msg(&AUTHORIZATION_SUBJECT_ACCESS_REVIEW_STATUS))]);
pub static AUTHORIZATION_SELF_SUBJECT_RULES_REVIEW: Msg = msg("SelfSubjectRulesReview", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&AUTHORIZATION_SELF_SUBJECT_RULES_REVIEW_SPEC)), (3, "status", F::Msg(&AUTHORIZATION_SUBJECT_RULES_REVIEW_STATUS))]);
pub static AUTHORIZATION_SELF_SUBJECT_ACCESS_REVIEW_SPEC: Msg = msg("SelfSubjectAccessReviewSpec", &[(1, "resourceAttributes", F::Msg(&AUTHORIZATION_RESOURCE_ATTRIBUTES)), (2, "nonResourceAttributes", F::Msg(&AUTHORIZATION_NON_RESOURCE_ATTRIBUTES))]);
pub static AUTHORIZATION_SUBJECT_ACCESS_REVIEW_STATUS: Msg = msg("SubjectAccessReviewStatus", &[(1, "allowed", F::Bool), (2, "reason", F::Str), (3, "evaluationError", F::Str), (4, "denied", F::Bool)]);
pub static AUTHORIZATION_SELF_SUBJECT_RULES_REVIEW_SPEC: Msg = msg("SelfSubjectRulesReviewSpec", &[(1, "namespace", F::Str)]);
pub static AUTHORIZATION_SUBJECT_RULES_REVIEW_STATUS: Msg = msg("SubjectRulesReviewStatus", &[(1, "resourceRules", F::RepMsg(&AUTHORIZATION_RESOURCE_RULE)), (2, "nonResourceRules", F::RepMsg(&AUTHORIZATION_NON_RESOURCE_RULE)), (3, "incomplete", F::Bool), (4, "evaluationError", F::Str)]);
pub static AUTHORIZATION_RESOURCE_ATTRIBUTES: Msg = msg("ResourceAttributes", &[(1, "namespace", F::Str), (2, "verb", F::Str), (3, "group", F::Str), (4, "version", F::Str), (5, "resource", F::Str), (6, "subresource", F::Str), (7, "name", F::Str), (8, "fieldSelector", F::Msg(&AUTHORIZATION_FIELD_SELECTOR_ATTRIBUTES)), (9, "labelSelector", F::Msg(&AUTHORIZATION_LABEL_SELECTOR_ATTRIBUTES))]);
pub static AUTHORIZATION_NON_RESOURCE_ATTRIBUTES: Msg = msg("NonResourceAttributes", &[(1, "path", F::Str), (2, "verb", F::Str)]);
pub static AUTHORIZATION_RESOURCE_RULE: Msg = msg("ResourceRule", &[(1, "verbs", F::RepStr), (2, "apiGroups", F::RepStr), (3, "resources", F::RepStr), (4, "resourceNames", F::RepStr)]);
pub static AUTHORIZATION_NON_RESOURCE_RULE: Msg = msg("NonResourceRule", &[(1, "verbs", F::RepStr), (2, "nonResourceURLs", F::RepStr)]);
pub static AUTHORIZATION_FIELD_SELECTOR_ATTRIBUTES: Msg = msg("FieldSelectorAttributes", &[(1, "rawSelector", F::Str), (2, "requirements", F::RepMsg(&META_FIELD_SELECTOR_REQUIREMENT))]);
pub static AUTHORIZATION_LABEL_SELECTOR_ATTRIBUTES: Msg = msg("LabelSelectorAttributes", &[(1, "rawSelector", F::Str), (2, "requirements", F::RepMsg(&META_LABEL_SELECTOR_REQUIREMENT))]);
