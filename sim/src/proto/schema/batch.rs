use super::*;

pub static BATCH_JOB: Msg = msg("Job", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&BATCH_JOB_SPEC)), (3, "status", F::Skip)]);
pub static BATCH_CRON_JOB: Msg = msg("CronJob", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&BATCH_CRON_JOB_SPEC)), (3, "status", F::Skip)]);
pub static BATCH_JOB_SPEC: Msg = msg("JobSpec", &[(1, "parallelism", F::Int), (2, "completions", F::Int), (3, "activeDeadlineSeconds", F::Int), (4, "selector", F::Msg(&META_LABEL_SELECTOR)), (5, "manualSelector", F::Bool), (6, "template", F::Msg(&CORE_POD_TEMPLATE_SPEC)), (7, "backoffLimit", F::Int), (8, "ttlSecondsAfterFinished", F::Int), (9, "completionMode", F::Str), (10, "suspend", F::Bool), (11, "podFailurePolicy", F::Msg(&BATCH_POD_FAILURE_POLICY)), (12, "backoffLimitPerIndex", F::Int), (13, "maxFailedIndexes", F::Int), (14, "podReplacementPolicy", F::Str), (15, "managedBy", F::Str), (16, "successPolicy", F::Msg(&BATCH_SUCCESS_POLICY))]);
pub static BATCH_CRON_JOB_SPEC: Msg = msg("CronJobSpec", &[(1, "schedule", F::Str), (2, "startingDeadlineSeconds", F::Int), (3, "concurrencyPolicy", F::Str), (4, "suspend", F::Bool), (5, "jobTemplate", F::Msg(&BATCH_JOB_TEMPLATE_SPEC)), (6, "successfulJobsHistoryLimit", F::Int), (7, "failedJobsHistoryLimit", F::Int), (8, "timeZone", F::Str)]);
pub static BATCH_POD_FAILURE_POLICY: Msg = msg("PodFailurePolicy", &[(1, "rules", F::RepMsg(&BATCH_POD_FAILURE_POLICY_RULE))]);
pub static BATCH_SUCCESS_POLICY: Msg = msg("SuccessPolicy", &[(1, "rules", F::RepMsg(&BATCH_SUCCESS_POLICY_RULE))]);
pub static BATCH_JOB_TEMPLATE_SPEC: Msg = msg("JobTemplateSpec", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&BATCH_JOB_SPEC))]);
pub static BATCH_POD_FAILURE_POLICY_RULE: Msg = msg("PodFailurePolicyRule", &[(1, "action", F::Str), (2, "onExitCodes", F::Msg(&BATCH_POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT)), (3, "onPodConditions", F::RepMsg(&BATCH_POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN))]);
pub static BATCH_SUCCESS_POLICY_RULE: Msg = msg("SuccessPolicyRule", &[(1, "succeededIndexes", F::Str), (2, "succeededCount", F::Int)]);
pub static BATCH_POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT: Msg = msg("PodFailurePolicyOnExitCodesRequirement", &[(1, "containerName", F::Str), (2, "operator", F::Str), (3, "values", F::RepInt)]);
pub static BATCH_POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN: Msg = msg("PodFailurePolicyOnPodConditionsPattern", &[(1, "type", F::Str), (2, "status", F::Str)]);
