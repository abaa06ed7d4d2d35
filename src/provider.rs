//! The service profiles of providers.md, and `custom` for any service of the same shape.

use secrecy::ExposeSecret;
use serde_json::{Map, Value};
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};

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
        match self {
            Provider::TpStreams => "tpstreams",
            Provider::TpStreamsLegacy => "tpstreams-legacy",
            Provider::Testpress => "testpress",
            Provider::CruxConnect => "cruxconnect",
            Provider::Custom => "custom",
        }
    }

    /// The provider with this config name.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything the client needs to talk to one service, resolved from a [`Config`].
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
    /// Testpress answers a bad JWT with 403 on some views: treat such a 403 as a 401.
    pub jwt_403_is_auth_failure: bool,
}

impl Profile {
    pub fn resolve(config: &Config) -> Result<Profile> {
        let default_base = match config.provider {
            Provider::TpStreams => "https://app.tpstreams.com".to_string(),
            Provider::TpStreamsLegacy => "https://tpstreams.com".to_string(),
            Provider::Testpress => match &config.subdomain {
                Some(s) => format!("https://{s}.testpress.in"),
                None => String::new(),
            },
            Provider::CruxConnect if config.sandbox => "https://api-sandbox.cruxconnect.com".into(),
            Provider::CruxConnect => "https://api.cruxconnect.com".into(),
            Provider::Custom => String::new(),
        };
        let raw = config.base_url.as_deref().unwrap_or(&default_base);
        let origin = parse_base_url(raw, config.allow_insecure_http)?;
        let base_url = raw.trim_end_matches('/').to_string();

        let (login_path, logout_path, token_field, expiry_field, scheme) = match config.provider {
            Provider::TpStreams => (
                "/api/auth/login/".to_string(),
                Some("/api/auth/logout/".to_string()),
                "token".to_string(),
                Some("expiry".to_string()),
                "Token".to_string(),
            ),
            Provider::TpStreamsLegacy => (
                "/api/auth/login/".into(),
                None,
                "token".into(),
                None,
                "token".into(),
            ),
            Provider::Testpress => (
                format!("/api/{}/auth-token/", config.api_version),
                Some("/api/v2.4/auth/logout/".into()),
                "token".into(),
                None,
                "JWT".into(),
            ),
            Provider::CruxConnect => (
                "/timp/organizations/user-login/".into(),
                None,
                "auth_token".into(),
                None,
                "Token".into(),
            ),
            Provider::Custom => {
                let c = config
                    .custom
                    .as_ref()
                    .ok_or_else(|| Error::config("custom provider without its settings"))?;
                (
                    c.login_path.clone(),
                    c.logout_path.clone(),
                    c.token_field.clone(),
                    c.expiry_field.clone(),
                    c.scheme.clone(),
                )
            }
        };
        Ok(Profile {
            provider: config.provider,
            base_url,
            origin,
            login_path,
            logout_path,
            token_field,
            expiry_field,
            scheme,
            jwt_403_is_auth_failure: config.provider == Provider::Testpress,
        })
    }

    /// The login request body. The password is exposed only into this JSON value, which the
    /// caller serializes into the request and drops.
    pub fn login_body(&self, config: &Config) -> Value {
        let mut body = Map::new();
        let password = Value::String(config.password.expose_secret().to_string());
        match &config.custom {
            Some(c) if self.provider == Provider::Custom => {
                for (k, v) in &c.extra_fields {
                    body.insert(k.clone(), v.clone());
                }
                body.insert(
                    c.username_field.clone(),
                    Value::String(config.username.clone()),
                );
                body.insert(c.password_field.clone(), password);
            }
            _ => {
                body.insert("username".into(), Value::String(config.username.clone()));
                body.insert("password".into(), password);
                if let Some(org) = &config.organization_id {
                    body.insert("organization_id".into(), Value::String(org.clone()));
                }
            }
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
