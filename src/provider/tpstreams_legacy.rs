//! TPStreams' legacy host (`tpstreams.com`): the same login without an organization id, a
//! lower-case `token` scheme, no expiry in the answer and no logout endpoint.

use super::{Settings, Spec, KNOX_TOKEN_LIMIT};

pub(super) const SPEC: Spec = Spec {
    name: "tpstreams-legacy",
    keys: &[],
    required: &[],
    default_base_url: |_: &Settings| Some("https://tpstreams.com".into()),
    login_path: |_: &Settings| "/api/auth/login/".into(),
    logout_path: None,
    token_field: "token",
    expiry_field: None,
    default_lifetime_s: None,
    scheme: "token",
    refused_403_messages: &[],
    token_limit_codes: &[],
    token_limit_phrases: &[KNOX_TOKEN_LIMIT],
};
