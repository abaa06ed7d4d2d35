//! Testpress (`{subdomain}.testpress.in`): a JWT (its `exp` is the expiry), `JWT` scheme, the
//! login path versioned by `api_version`, logout at v2.4. Its JWT views answer a bad token
//! with 403 rather than 401, and institutes may limit parallel logins.

use super::{Required, Settings, Spec, JWT_REJECTIONS};

pub(super) const SPEC: Spec = Spec {
    name: "testpress",
    keys: &["subdomain", "api_version"],
    required: &[Required {
        key: "subdomain",
        unless: Some("base_url"),
        hint: " (your institute's subdomain, e.g. `demo` for demo.testpress.in), unless `base_url` is set",
    }],
    default_base_url: |s: &Settings| {
        s.subdomain
            .as_ref()
            .map(|sub| format!("https://{sub}.testpress.in"))
    },
    login_path: |s: &Settings| format!("/api/{}/auth-token/", s.api_version),
    logout_path: Some("/api/v2.4/auth/logout/"),
    token_field: "token",
    expiry_field: None,
    default_lifetime_s: None,
    scheme: "JWT",
    refused_403_messages: JWT_REJECTIONS,
    token_limit_codes: &["parallel_login_restriction", "max_login_exceeded"],
    token_limit_phrases: &["maximum number of"],
};
