use super::*;

pub static EVENTS_EVENT: Msg = msg("Event", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "eventTime", F::MicroTime), (3, "series", F::Msg(&EVENTS_EVENT_SERIES)), (4, "reportingController", F::Str), (5, "reportingInstance", F::Str), (6, "action", F::Str), (7, "reason", F::Str), (8, "regarding", F::Msg(&CORE_OBJECT_REFERENCE)), (9, "related", F::Msg(&CORE_OBJECT_REFERENCE)), (10, "note", F::Str), (11, "type", F::Str), (12, "deprecatedSource", F::Msg(&CORE_EVENT_SOURCE)), (13, "deprecatedFirstTimestamp", F::Time), (14, "deprecatedLastTimestamp", F::Time), (15, "deprecatedCount", F::Int)]);
pub static EVENTS_EVENT_SERIES: Msg = msg("EventSeries", &[(1, "count", F::Int), (2, "lastObservedTime", F::MicroTime)]);
