use super::*;

pub static DISCOVERY_ENDPOINT_SLICE: Msg = msg("EndpointSlice", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "endpoints", F::RepMsg(&DISCOVERY_ENDPOINT)), (3, "ports", F::RepMsg(&DISCOVERY_ENDPOINT_PORT)), (4, "addressType", F::Str)]);
pub static DISCOVERY_ENDPOINT: Msg = msg("Endpoint", &[(1, "addresses", F::RepStr), (2, "conditions", F::Msg(&DISCOVERY_ENDPOINT_CONDITIONS)), (3, "hostname", F::Str), (4, "targetRef", F::Msg(&CORE_OBJECT_REFERENCE)), (5, "deprecatedTopology", F::MapStr), (6, "nodeName", F::Str), (7, "zone", F::Str), (8, "hints", F::Msg(&DISCOVERY_ENDPOINT_HINTS))]);
pub static DISCOVERY_ENDPOINT_PORT: Msg = msg("EndpointPort", &[(1, "name", F::Str), (2, "protocol", F::Str), (3, "port", F::Int), (4, "appProtocol", F::Str)]);
pub static DISCOVERY_ENDPOINT_CONDITIONS: Msg = msg("EndpointConditions", &[(1, "ready", F::Bool), (2, "serving", F::Bool), (3, "terminating", F::Bool)]);
pub static DISCOVERY_ENDPOINT_HINTS: Msg = msg("EndpointHints", &[(1, "forZones", F::RepMsg(&DISCOVERY_FOR_ZONE)), (2, "forNodes", F::RepMsg(&DISCOVERY_FOR_NODE))]);
pub static DISCOVERY_FOR_ZONE: Msg = msg("ForZone", &[(1, "name", F::Str)]);
pub static DISCOVERY_FOR_NODE: Msg = msg("ForNode", &[(1, "name", F::Str)]);
