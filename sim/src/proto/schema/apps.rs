use super::*;

pub static APPS_DEPLOYMENT: Msg = msg("Deployment", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&APPS_DEPLOYMENT_SPEC)), (3, "status", F::Skip)]);
pub static APPS_STATEFUL_SET: Msg = msg("StatefulSet", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&APPS_STATEFUL_SET_SPEC)), (3, "status", F::Skip)]);
pub static APPS_DAEMON_SET: Msg = msg("DaemonSet", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&APPS_DAEMON_SET_SPEC)), (3, "status", F::Skip)]);
pub static APPS_REPLICA_SET: Msg = msg("ReplicaSet", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&APPS_REPLICA_SET_SPEC)), (3, "status", F::Skip)]);
pub static APPS_CONTROLLER_REVISION: Msg = msg("ControllerRevision", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "data", F::Raw), (3, "revision", F::Int)]);
pub static APPS_DEPLOYMENT_SPEC: Msg = msg("DeploymentSpec", &[(1, "replicas", F::Int), (2, "selector", F::Msg(&META_LABEL_SELECTOR)), (3, "template", F::Msg(&CORE_POD_TEMPLATE_SPEC)), (4, "strategy", F::Msg(&APPS_DEPLOYMENT_STRATEGY)), (5, "minReadySeconds", F::Int), (6, "revisionHistoryLimit", F::Int), (7, "paused", F::Bool), (9, "progressDeadlineSeconds", F::Int)]);
pub static APPS_STATEFUL_SET_SPEC: Msg = msg("StatefulSetSpec", &[(1, "replicas", F::Int), (2, "selector", F::Msg(&META_LABEL_SELECTOR)), (3, "template", F::Msg(&CORE_POD_TEMPLATE_SPEC)), (4, "volumeClaimTemplates", F::RepMsg(&CORE_PERSISTENT_VOLUME_CLAIM)), (5, "serviceName", F::Str), (6, "podManagementPolicy", F::Str), (7, "updateStrategy", F::Msg(&APPS_STATEFUL_SET_UPDATE_STRATEGY)), (8, "revisionHistoryLimit", F::Int), (9, "minReadySeconds", F::Int), (10, "persistentVolumeClaimRetentionPolicy", F::Msg(&APPS_STATEFUL_SET_PERSISTENT_VOLUME_CLAIM_RETENTION_POLICY)), (11, "ordinals", F::Msg(&APPS_STATEFUL_SET_ORDINALS))]);
pub static APPS_DAEMON_SET_SPEC: Msg = msg("DaemonSetSpec", &[(1, "selector", F::Msg(&META_LABEL_SELECTOR)), (2, "template", F::Msg(&CORE_POD_TEMPLATE_SPEC)), (3, "updateStrategy", F::Msg(&APPS_DAEMON_SET_UPDATE_STRATEGY)), (4, "minReadySeconds", F::Int), (6, "revisionHistoryLimit", F::Int)]);
pub static APPS_REPLICA_SET_SPEC: Msg = msg("ReplicaSetSpec", &[(1, "replicas", F::Int), (2, "selector", F::Msg(&META_LABEL_SELECTOR)), (3, "template", F::Msg(&CORE_POD_TEMPLATE_SPEC)), (4, "minReadySeconds", F::Int)]);
pub static APPS_DEPLOYMENT_STRATEGY: Msg = msg("DeploymentStrategy", &[(1, "type", F::Str), (2, "rollingUpdate", F::Msg(&APPS_ROLLING_UPDATE_DEPLOYMENT))]);
pub static APPS_STATEFUL_SET_UPDATE_STRATEGY: Msg = msg("StatefulSetUpdateStrategy", &[(1, "type", F::Str), (2, "rollingUpdate", F::Msg(&APPS_ROLLING_UPDATE_STATEFUL_SET_STRATEGY))]);
pub static APPS_STATEFUL_SET_PERSISTENT_VOLUME_CLAIM_RETENTION_POLICY: Msg = msg("StatefulSetPersistentVolumeClaimRetentionPolicy", &[(1, "whenDeleted", F::Str), (2, "whenScaled", F::Str)]);
pub static APPS_STATEFUL_SET_ORDINALS: Msg = msg("StatefulSetOrdinals", &[(1, "start", F::Int)]);
pub static APPS_DAEMON_SET_UPDATE_STRATEGY: Msg = msg("DaemonSetUpdateStrategy", &[(1, "type", F::Str), (2, "rollingUpdate", F::Msg(&APPS_ROLLING_UPDATE_DAEMON_SET))]);
pub static APPS_ROLLING_UPDATE_DEPLOYMENT: Msg = msg("RollingUpdateDeployment", &[(1, "maxUnavailable", F::IntOrStr), (2, "maxSurge", F::IntOrStr)]);
pub static APPS_ROLLING_UPDATE_STATEFUL_SET_STRATEGY: Msg = msg("RollingUpdateStatefulSetStrategy", &[(1, "partition", F::Int), (2, "maxUnavailable", F::IntOrStr)]);
pub static APPS_ROLLING_UPDATE_DAEMON_SET: Msg = msg("RollingUpdateDaemonSet", &[(1, "maxUnavailable", F::IntOrStr), (2, "maxSurge", F::IntOrStr)]);
