//! CruxConnect (`api.cruxconnect.com`, or the sandbox): the token is `auth_token`, `Token`
//! scheme, no expiry in the answer and no logout endpoint. Its documentation gives tokens two
//! hours from issue, so that is their lifetime unless `token_lifetime_s` says otherwise: the
//! client refreshes ahead of it instead of waiting for a 401.

use super::{Settings, Spec};

pub(super) const SPEC: Spec = Spec {
    name: "cruxconnect",
    keys: &["sandbox"],
    required: &[],
    default_base_url: |s: &Settings| {
        Some(if s.sandbox {
            "https://api-sandbox.cruxconnect.com".into()
        } else {
            "https://api.cruxconnect.com".into()
        })
    },
    login_path: |_: &Settings| "/timp/organizations/user-login/".into(),
    logout_path: None,
    token_field: "auth_token",
    expiry_field: None,
    default_lifetime_s: Some(2 * 3600),
    scheme: "Token",
    refused_403_messages: &[],
    token_limit_codes: &[],
    token_limit_phrases: &[],
};
