use super::*;

pub static META_OBJECT_META: Msg = msg("ObjectMeta", &[(1, "name", F::Str), (2, "generateName", F::Str), (3, "namespace", F::Str), (4, "selfLink", F::Str), (5, "uid", F::Str), (6, "resourceVersion", F::Str), (7, "generation", F::Int), (8, "creationTimestamp", F::Time), (9, "deletionTimestamp", F::Time), (10, "deletionGracePeriodSeconds", F::Int), (11, "labels", F::MapStr), (12, "annotations", F::MapStr), (13, "ownerReferences", F::RepMsg(&META_OWNER_REFERENCE)), (14, "finalizers", F::RepStr), (17, "managedFields", F::RepMsg(&META_MANAGED_FIELDS_ENTRY))]);
pub static META_OWNER_REFERENCE: Msg = msg("OwnerReference", &[(1, "kind", F::Str), (3, "name", F::Str), (4, "uid", F::Str), (5, "apiVersion", F::Str), (6, "controller", F::Bool), (7, "blockOwnerDeletion", F::Bool)]);
pub static META_MANAGED_FIELDS_ENTRY: Msg = msg("ManagedFieldsEntry", &[(1, "manager", F::Str), (2, "operation", F::Str), (3, "apiVersion", F::Str), (4, "time", F::Time), (6, "fieldsType", F::Str), (7, "fieldsV1", F::Raw), (8, "subresource", F::Str)]);
pub static META_LABEL_SELECTOR: Msg = msg("LabelSelector", &[(1, "matchLabels", F::MapStr), (2, "matchExpressions", F::RepMsg(&META_LABEL_SELECTOR_REQUIREMENT))]);
pub static META_LABEL_SELECTOR_REQUIREMENT: Msg = msg("LabelSelectorRequirement", &[(1, "key", F::Str), (2, "operator", F::Str), (3, "values", F::RepStr)]);
pub static META_FIELD_SELECTOR_REQUIREMENT: Msg = msg("FieldSelectorRequirement", &[(1, "key", F::Str), (2, "operator", F::Str), (3, "values", F::RepStr)]);
