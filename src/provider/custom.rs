//! `custom`: any service of the same shape, described by configuration (`base_url`,
//! `login_path`, `credential_fields`, `extra_fields`, `token_field`, `expiry_field`,
//! `scheme`, `logout_path`). A login answer that means a token limit for one of the known
//! services means it here too; only a 401 means a refused token (nothing in the configuration
//! says a service's views answer 403 for one, as Testpress' do).

use serde_json::{Map, Value};

use super::{Profile, Settings, Spec, KNOX_TOKEN_LIMIT};

pub(super) const SPEC: Spec = Spec {
    name: "custom",
    keys: &[
        "login_path",
        "logout_path",
        "credential_fields",
        "extra_fields",
        "token_field",
        "expiry_field",
        "scheme",
    ],
    // `base_url` and `login_path` are required too; the config checks them with the rest of
    // the profile (CustomProfile), whose messages name them.
    required: &[],
    default_base_url: |_: &Settings| None,
    // The paths, fields and scheme come from the configuration (CustomProfile::apply).
    login_path: |_: &Settings| String::new(),
    logout_path: None,
    token_field: "token",
    expiry_field: None,
    default_lifetime_s: None,
    scheme: "Token",
    refused_403_messages: &[],
    token_limit_codes: &["parallel_login_restriction", "max_login_exceeded"],
    token_limit_phrases: &[KNOX_TOKEN_LIMIT, "maximum number of"],
};

/// The fields of the `custom` provider profile.
#[derive(Clone, Debug)]
pub struct CustomProfile {
    /// Path of the login endpoint, below `base_url`.
    pub login_path: String,
    /// Path of the logout endpoint, if the service has one.
    pub logout_path: Option<String>,
    /// JSON field names for the username and password in the login body.
    pub username_field: String,
    /// JSON field name for the password.
    pub password_field: String,
    /// Extra fields added to the login body as they are.
    pub extra_fields: Map<String, Value>,
    /// Dotted path of the token in the login response (`token`, `data.access`).
    pub token_field: String,
    /// Dotted path of an ISO-8601 or epoch-seconds expiry in the login response.
    pub expiry_field: Option<String>,
    /// The `Authorization` scheme (`Token`, `Bearer`, `JWT`).
    pub scheme: String,
}

impl CustomProfile {
    /// Puts what the configuration describes into a resolved profile.
    pub(super) fn apply(&self, profile: &mut Profile) {
        profile.login_path = self.login_path.clone();
        profile.logout_path = self.logout_path.clone();
        profile.token_field = self.token_field.clone();
        profile.expiry_field = self.expiry_field.clone();
        profile.scheme = self.scheme.clone();
        profile.username_field = self.username_field.clone();
        profile.password_field = self.password_field.clone();
        profile.extra_fields = self.extra_fields.clone();
    }
}
