use super::*;

pub static AUTHENTICATION_TOKEN_REQUEST: Msg = msg("TokenRequest", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "spec", F::Msg(&AUTHENTICATION_TOKEN_REQUEST_SPEC)), (3, "status", F::Msg(&AUTHENTICATION_TOKEN_REQUEST_STATUS))]);
pub static AUTHENTICATION_SELF_SUBJECT_REVIEW: Msg = msg("SelfSubjectReview", &[(1, "metadata", F::Msg(&META_OBJECT_META)), (2, "status", F::Msg(&AUTHENTICATION_SELF_SUBJECT_REVIEW_STATUS))]);
pub static AUTHENTICATION_TOKEN_REQUEST_SPEC: Msg = msg("TokenRequestSpec", &[(1, "audiences", F::RepStr), (3, "boundObjectRef", F::Msg(&AUTHENTICATION_BOUND_OBJECT_REFERENCE)), (4, "expirationSeconds", F::Int)]);
pub static AUTHENTICATION_TOKEN_REQUEST_STATUS: Msg = msg("TokenRequestStatus", &[(1, "token", F::Str), (2, "expirationTimestamp", F::Time)]);
pub static AUTHENTICATION_SELF_SUBJECT_REVIEW_STATUS: Msg = msg("SelfSubjectReviewStatus", &[(1, "userInfo", F::Msg(&AUTHENTICATION_USER_INFO))]);
pub static AUTHENTICATION_BOUND_OBJECT_REFERENCE: Msg = msg("BoundObjectReference", &[(1, "kind", F::Str), (2, "apiVersion", F::Str), (3, "name", F::Str), (4, "uid", F::Str)]);
pub static AUTHENTICATION_USER_INFO: Msg = msg("UserInfo", &[(1, "username", F::Str), (2, "uid", F::Str), (3, "groups", F::RepStr), (4, "extra", F::MapStrList)]);
pub static AUTHENTICATION_EXTRA_VALUE: Msg = msg("ExtraValue", &[(1, "items", F::RepStr)]);
