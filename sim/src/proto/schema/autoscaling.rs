use super::*;

pub static AUTOSCALING_HORIZONTAL_POD_AUTOSCALER: Msg = msg("HorizontalPodAutoscaler", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&AUTOSCALING_HORIZONTAL_POD_AUTOSCALER_SPEC)), (3, "status", F::Skip)]);
pub static AUTOSCALING_HORIZONTAL_POD_AUTOSCALER_SPEC: Msg = msg("HorizontalPodAutoscalerSpec", &[(1, "scaleTargetRef", F::Msg(&AUTOSCALING_CROSS_VERSION_OBJECT_REFERENCE)), (2, "minReplicas", F::Int), (3, "maxReplicas", F::Int), (4, "metrics", F::RepMsg(&AUTOSCALING_METRIC_SPEC)), (5, "behavior", F::Msg(&AUTOSCALING_HORIZONTAL_POD_AUTOSCALER_BEHAVIOR))]);
pub static AUTOSCALING_CROSS_VERSION_OBJECT_REFERENCE: Msg = msg("CrossVersionObjectReference", &[(1, "kind", F::Str), (2, "name", F::Str), (3, "apiVersion", F::Str)]);
pub static AUTOSCALING_METRIC_SPEC: Msg = msg("MetricSpec", &[(1, "type", F::Str), (2, "object", F::Msg(&AUTOSCALING_OBJECT_METRIC_SOURCE)), (3, "pods", F::Msg(&AUTOSCALING_PODS_METRIC_SOURCE)), (4, "resource", F::Msg(&AUTOSCALING_RESOURCE_METRIC_SOURCE)), (5, "external", F::Msg(&AUTOSCALING_EXTERNAL_METRIC_SOURCE)), (7, "containerResource", F::Msg(&AUTOSCALING_CONTAINER_RESOURCE_METRIC_SOURCE))]);
pub static AUTOSCALING_HORIZONTAL_POD_AUTOSCALER_BEHAVIOR: Msg = msg("HorizontalPodAutoscalerBehavior", &[(1, "scaleUp", F::Msg(&AUTOSCALING_HPA_SCALING_RULES)), (2, "scaleDown", F::Msg(&AUTOSCALING_HPA_SCALING_RULES))]);
pub static AUTOSCALING_OBJECT_METRIC_SOURCE: Msg = msg("ObjectMetricSource", &[(1, "describedObject", F::Msg(&AUTOSCALING_CROSS_VERSION_OBJECT_REFERENCE)), (2, "target", F::Msg(&AUTOSCALING_METRIC_TARGET)), (3, "metric", F::Msg(&AUTOSCALING_METRIC_IDENTIFIER))]);
pub static AUTOSCALING_PODS_METRIC_SOURCE: Msg = msg("PodsMetricSource", &[(1, "metric", F::Msg(&AUTOSCALING_METRIC_IDENTIFIER)), (2, "target", F::Msg(&AUTOSCALING_METRIC_TARGET))]);
pub static AUTOSCALING_RESOURCE_METRIC_SOURCE: Msg = msg("ResourceMetricSource", &[(1, "name", F::Str), (2, "target", F::Msg(&AUTOSCALING_METRIC_TARGET))]);
pub static AUTOSCALING_CONTAINER_RESOURCE_METRIC_SOURCE: Msg = msg("ContainerResourceMetricSource", &[(1, "name", F::Str), (2, "target", F::Msg(&AUTOSCALING_METRIC_TARGET)), (3, "container", F::Str)]);
pub static AUTOSCALING_EXTERNAL_METRIC_SOURCE: Msg = msg("ExternalMetricSource", &[(1, "metric", F::Msg(&AUTOSCALING_METRIC_IDENTIFIER)), (2, "target", F::Msg(&AUTOSCALING_METRIC_TARGET))]);
pub static AUTOSCALING_HPA_SCALING_RULES: Msg = msg("HPAScalingRules", &[(1, "selectPolicy", F::Str), (2, "policies", F::RepMsg(&AUTOSCALING_HPA_SCALING_POLICY)), (3, "stabilizationWindowSeconds", F::Int), (4, "tolerance", F::Qty)]);
pub static AUTOSCALING_METRIC_TARGET: Msg = msg("MetricTarget", &[(1, "type", F::Str), (2, "value", F::Qty), (3, "averageValue", F::Qty), (4, "averageUtilization", F::Int)]);
pub static AUTOSCALING_METRIC_IDENTIFIER: Msg = msg("MetricIdentifier", &[(1, "name", F::Str), (2, "selector", F::Msg(&META_LABEL_SELECTOR))]);
pub static AUTOSCALING_HPA_SCALING_POLICY: Msg = msg("HPAScalingPolicy", &[(1, "type", F::Str), (2, "value", F::Int), (3, "periodSeconds", F::Int)]);
