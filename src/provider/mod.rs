//! The services authtoken speaks: one [`Spec`] per provider, each in its own file
//! (`tpstreams.rs`, `tpstreams_legacy.rs`, `testpress.rs`, `cruxconnect.rs`, `custom.rs`),
//! holding everything that differs between them: its name, default base URL, login and logout
//! paths, token field and scheme, the config keys it owns and requires, what counts as a
//! refused token and which answers mean its token limit. The config, the client, the CLI and
//! the bindings ask these; nothing else names a provider. docs/adding-a-service.md lists
//! the files a new service touches.
//!
//! A leaf below the config: this module reads no [`Config`](crate::Config); the config
//! resolves a [`Profile`] from its settings once, when it is validated, and keeps it.

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, Result};

mod cruxconnect;
mod custom;
mod testpress;
mod tpstreams;
mod tpstreams_legacy;

pub use custom::CustomProfile;

/// A service whose token API authtoken speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    /// TPStreams (`app.tpstreams.com`): `Token` scheme, organization id at login, knox expiry, logout.
    TpStreams,
    /// TPStreams' legacy host (`tpstreams.com`): lower-case `token` scheme, no logout.
    TpStreamsLegacy,
    /// Testpress (`{subdomain}.testpress.in`): JWT with `exp`, `JWT` scheme, logout.
    Testpress,
    /// CruxConnect (`api.cruxconnect.com`): `auth_token`, `Token` scheme, no logout.
    CruxConnect,
    /// Any service of the same shape, described by the `custom` config keys.
    Custom,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 5] = [
        Provider::TpStreams,
        Provider::TpStreamsLegacy,
        Provider::Testpress,
        Provider::CruxConnect,
        Provider::Custom,
    ];

    /// The provider's config name (`tpstreams`, `tpstreams-legacy`, ...).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The provider with this config name.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether the service can revoke a token (it has a logout endpoint). A `custom` profile
    /// has one when its `logout_path` is set: ask [`Client::has_logout`](crate::Client::has_logout)
    /// for a configured client.
    pub fn has_logout(self) -> bool {
        self.spec().logout_path.is_some()
    }

    /// Every provider's name, for messages: `tpstreams, tpstreams-legacy, ...`.
    pub(crate) fn names() -> String {
        Provider::ALL.map(Provider::name).join(", ")
    }

    /// The providers that own config key `key` (read it; any other provider refuses it), or
    /// `None` when it is common to all.
    pub(crate) fn owners_of(key: &str) -> Option<Vec<Provider>> {
        let owners: Vec<Provider> = Provider::ALL
            .into_iter()
            .filter(|p| p.spec().keys.contains(&key))
            .collect();
        (!owners.is_empty()).then_some(owners)
    }

    pub(crate) fn spec(self) -> &'static Spec {
        match self {
            Provider::TpStreams => &tpstreams::SPEC,
            Provider::TpStreamsLegacy => &tpstreams_legacy::SPEC,
            Provider::Testpress => &testpress::SPEC,
            Provider::CruxConnect => &cruxconnect::SPEC,
            Provider::Custom => &custom::SPEC,
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that differs between services, for one provider.
#[derive(Debug)]
pub(crate) struct Spec {
    /// The config name (`provider = "..."`).
    pub name: &'static str,
    /// The config keys only this provider reads; every other provider refuses them.
    pub keys: &'static [&'static str],
    /// The config keys it cannot do without.
    pub required: &'static [Required],
    /// The base URL when `base_url` is not set (`None`: `base_url` is required).
    pub default_base_url: fn(&Settings) -> Option<String>,
    /// The login path below the base URL.
    pub login_path: fn(&Settings) -> String,
    /// The logout path, when the service has one.
    pub logout_path: Option<&'static str>,
    /// Where the token is in the login answer (a dotted path).
    pub token_field: &'static str,
    /// Where an expiry is in the login answer, if the service sends one.
    pub expiry_field: Option<&'static str>,
    /// The token's documented lifetime, used when the answer carries no expiry and
    /// `token_lifetime_s` is not set (so that the client refreshes ahead of it).
    pub default_lifetime_s: Option<u64>,
    /// The `Authorization` scheme.
    pub scheme: &'static str,
    /// The messages of a 403 that mean the token was refused (its JWT views send them);
    /// empty: only a 401 does.
    pub refused_403_messages: &'static [&'static str],
    /// What a login refusal at the service's token limit carries: `error_code` values, and
    /// phrases of the message (compared in lower case).
    pub token_limit_codes: &'static [&'static str],
    /// See `token_limit_codes`.
    pub token_limit_phrases: &'static [&'static str],
}

/// A config key a provider requires.
#[derive(Debug)]
pub(crate) struct Required {
    /// The key.
    pub key: &'static str,
    /// Not required when this other key is set.
    pub unless: Option<&'static str>,
    /// Appended to "config key `K` is required for provider `P`".
    pub hint: &'static str,
}

/// The messages JWT views (djangorestframework-jwt, as Testpress runs it) send for a token
/// they will not accept.
pub(crate) const JWT_REJECTIONS: &[&str] = &[
    "Invalid signature.",
    "Signature has expired.",
    "Error decoding signature.",
];

/// django-rest-knox's answer at its token limit (TPStreams).
pub(crate) const KNOX_TOKEN_LIMIT: &str = "maximum amount of tokens";

/// What a profile is resolved from: the validated settings that describe the service.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub provider: Provider,
    pub base_url: Option<String>,
    pub subdomain: Option<String>,
    pub api_version: String,
    pub sandbox: bool,
    pub allow_insecure_http: bool,
    pub custom: Option<CustomProfile>,
}

/// Everything the client needs to talk to one service, resolved from the settings.
#[derive(Clone, Debug)]
pub(crate) struct Profile {
    pub provider: Provider,
    /// Base URL without a trailing slash (may carry a path prefix).
    pub base_url: String,
    pub origin: Url,
    pub login_path: String,
    pub logout_path: Option<String>,
    pub token_field: String,
    pub expiry_field: Option<String>,
    pub scheme: String,
    /// The login body's field names for the username and the password.
    pub username_field: String,
    pub password_field: String,
    /// Sent in the login body as they are (`custom`'s `extra_fields`).
    pub extra_fields: Map<String, Value>,
}

impl Profile {
    /// The profile of the service `settings` describe.
    ///
    /// # Errors
    /// `InvalidConfig` for a `base_url` that is not an acceptable HTTPS (or loopback) URL,
    /// or a `custom` provider without its settings.
    pub fn resolve(settings: &Settings) -> Result<Profile> {
        let spec = settings.provider.spec();
        let default_base = (spec.default_base_url)(settings).unwrap_or_default();
        let raw = settings.base_url.as_deref().unwrap_or(&default_base);
        let origin = parse_base_url(raw, settings.allow_insecure_http)?;
        let base_url = raw.trim_end_matches('/').to_string();
        let mut profile = Profile {
            provider: settings.provider,
            base_url,
            origin,
            login_path: (spec.login_path)(settings),
            logout_path: spec.logout_path.map(str::to_string),
            token_field: spec.token_field.to_string(),
            expiry_field: spec.expiry_field.map(str::to_string),
            scheme: spec.scheme.to_string(),
            username_field: "username".into(),
            password_field: "password".into(),
            extra_fields: Map::new(),
        };
        if settings.provider == Provider::Custom {
            let c = settings
                .custom
                .as_ref()
                .ok_or_else(|| Error::config("custom provider without its settings"))?;
            c.apply(&mut profile);
        }
        Ok(profile)
    }

    /// This provider's spec.
    pub fn spec(&self) -> &'static Spec {
        self.provider.spec()
    }

    /// Whether an answer with `status` and the server's `message` says the token was refused.
    pub fn is_refused(&self, status: u16, message: impl FnOnce() -> Option<String>) -> bool {
        match status {
            401 => true,
            403 if !self.spec().refused_403_messages.is_empty() => {
                message().is_some_and(|m| self.spec().refused_403_messages.contains(&m.as_str()))
            }
            _ => false,
        }
    }

    /// Whether a refused login's `code` or `message` names the service's token limit.
    pub fn is_token_limit(&self, code: Option<&str>, message: Option<&str>) -> bool {
        let spec = self.spec();
        code.is_some_and(|c| spec.token_limit_codes.contains(&c))
            || message.is_some_and(|m| {
                let m = m.to_ascii_lowercase();
                spec.token_limit_phrases.iter().any(|p| m.contains(p))
            })
    }

    /// The login request body. The password is exposed only into this JSON value, which the
    /// caller serializes into the request and drops.
    pub fn login_body(
        &self,
        username: &str,
        password: &SecretString,
        organization_id: Option<&str>,
    ) -> Value {
        let mut body = self.extra_fields.clone();
        body.insert(
            self.username_field.clone(),
            Value::String(username.to_string()),
        );
        body.insert(
            self.password_field.clone(),
            Value::String(password.expose_secret().to_string()),
        );
        if let Some(org) = organization_id {
            body.insert("organization_id".into(), Value::String(org.to_string()));
        }
        Value::Object(body)
    }

    /// `base_url` joined with a path below it.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{}", self.base_url, path)
        } else {
            format!("{}/{}", self.base_url, path)
        }
    }
}

/// Whether `host` is a loopback host, where plain HTTP is allowed.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let url = Url::parse(raw)
        .map_err(|e| Error::config(format!("config key `base_url` is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(
                "config key `base_url` uses plain http:// to a non-loopback host; use https:// or set `allow_insecure_http`",
            ))
        }
        other => {
            return Err(Error::config(format!(
                "config key `base_url` must be an http:// or https:// URL, got scheme `{other}`"
            )))
        }
    }
    if url.host().is_none() {
        return Err(Error::config("config key `base_url` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "config key `base_url` must not contain credentials; use `username` and `password`",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "config key `base_url` must not contain a query or fragment",
        ));
    }
    Ok(url)
}

/// Whether two URLs share scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_names_itself_and_only_known_keys() {
        for p in Provider::ALL {
            assert_eq!(Provider::from_name(p.name()), Some(p));
            for key in p
                .spec()
                .keys
                .iter()
                .chain(p.spec().required.iter().map(|r| &r.key))
            {
                assert!(
                    crate::config::config_key(key).is_some(),
                    "{p}: `{key}` is not a config key"
                );
            }
        }
        assert_eq!(
            Provider::names(),
            "tpstreams, tpstreams-legacy, testpress, cruxconnect, custom"
        );
    }

    #[test]
    fn key_owners_come_from_the_specs() {
        assert_eq!(
            Provider::owners_of("organization_id"),
            Some(vec![Provider::TpStreams])
        );
        assert_eq!(
            Provider::owners_of("api_version"),
            Some(vec![Provider::Testpress])
        );
        assert_eq!(Provider::owners_of("scheme"), Some(vec![Provider::Custom]));
        assert_eq!(Provider::owners_of("base_url"), None);
    }

    #[test]
    fn logout_and_refusals_are_per_service() {
        let logout: Vec<bool> = Provider::ALL.map(Provider::has_logout).to_vec();
        assert_eq!(logout, [true, false, true, false, false]);
        let settings = |provider| Settings {
            provider,
            base_url: Some("https://svc.example.com".into()),
            subdomain: None,
            api_version: "v2.5".into(),
            sandbox: false,
            allow_insecure_http: false,
            custom: None,
        };
        let jwt = Profile::resolve(&settings(Provider::Testpress)).unwrap();
        let knox = Profile::resolve(&settings(Provider::TpStreams)).unwrap();
        let expired = || Some("Signature has expired.".to_string());
        assert!(jwt.is_refused(403, expired) && !knox.is_refused(403, expired));
        assert!(jwt.is_refused(401, || None) && knox.is_refused(401, || None));
        assert!(jwt.is_token_limit(Some("max_login_exceeded"), None));
        assert!(!knox.is_token_limit(Some("max_login_exceeded"), None));
        assert!(knox.is_token_limit(
            None,
            Some("Maximum amount of tokens allowed per user exceeded.")
        ));
        assert_eq!(jwt.login_path, "/api/v2.5/auth-token/");
    }
}
