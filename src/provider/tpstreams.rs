//! TPStreams (`app.tpstreams.com`, django-rest-knox): the organization id is part of the
//! login; `Token` scheme; the login answer carries an `expiry`; logout revokes the token.

use super::{Required, Settings, Spec, KNOX_TOKEN_LIMIT};

pub(super) const SPEC: Spec = Spec {
    name: "tpstreams",
    keys: &["organization_id"],
    required: &[Required {
        key: "organization_id",
        unless: None,
        hint: "",
    }],
    default_base_url: |_: &Settings| Some("https://app.tpstreams.com".into()),
    login_path: |_: &Settings| "/api/auth/login/".into(),
    logout_path: Some("/api/auth/logout/"),
    token_field: "token",
    expiry_field: Some("expiry"),
    default_lifetime_s: None,
    scheme: "Token",
    refused_403_messages: &[],
    token_limit_codes: &[],
    token_limit_phrases: &[KNOX_TOKEN_LIMIT],
};
