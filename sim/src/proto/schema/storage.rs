use super::*;

pub static STORAGE_STORAGE_CLASS: Msg = msg("StorageClass", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "provisioner", F::Str), (3, "parameters", F::MapStr), (4, "reclaimPolicy", F::Str), (5, "mountOptions", F::RepStr), (6, "allowVolumeExpansion", F::Bool), (7, "volumeBindingMode", F::Str), (8, "allowedTopologies", F::RepMsg(&CORE_TOPOLOGY_SELECTOR_TERM))]);
