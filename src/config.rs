//! One configuration document (JSON) turned into a validated [`Config`].
//!
//! Every binding accepts the same keys; see README.md for the table. Validation is strict:
//! an unknown key, a missing required key, a wrong type, or a key that does not belong to
//! the chosen provider is an [`ErrorKind::InvalidConfig`](crate::ErrorKind) error that names
//! the key.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::provider::{CustomProfile, Profile, Provider, Settings};

/// Environment variable read when the document has no `username`.
pub const ENV_USERNAME: &str = "AUTHTOKEN_USERNAME";
/// Environment variable read when the document has no `password`.
pub const ENV_PASSWORD: &str = "AUTHTOKEN_PASSWORD";
/// Environment variable that overrides the cache directory when `cache_dir` is not set.
pub const ENV_CACHE_DIR: &str = "AUTHTOKEN_CACHE_DIR";

/// Where tokens are kept between calls, processes and machines.
///
/// Its `Debug` output never shows the user name or password of a Redis URL.
#[derive(Clone, PartialEq, Eq)]
pub enum CacheSetting {
    /// In this process only.
    Memory,
    /// Files under a directory shared by every process of the user (the default).
    File,
    /// A Redis server shared by many machines (`redis://` or `rediss://` URL), or a
    /// highly available deployment (`redis+sentinel://`, `redis+cluster://`, or `rediss+…`).
    Redis(String),
}

impl std::fmt::Debug for CacheSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheSetting::Memory => f.write_str("Memory"),
            CacheSetting::File => f.write_str("File"),
            CacheSetting::Redis(url) if crate::store::redis::is_ha_url(url) => f
                .debug_tuple("Redis")
                .field(&crate::store::redis::display_ha_url(url))
                .finish(),
            CacheSetting::Redis(url) => {
                let shown = match url::Url::parse(url) {
                    Ok(u) => crate::redact::display_url(&u),
                    Err(_) => "<not a URL>".into(),
                };
                f.debug_tuple("Redis").field(&shown).finish()
            }
        }
    }
}

/// A validated configuration. Build it with [`Config::from_json`] or [`Config::from_value`].
///
/// `Config` is `Clone + Send + Sync`; its `Debug` output never shows the password.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) provider: Provider,
    pub(crate) username: String,
    pub(crate) password: SecretString,
    pub(crate) organization_id: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) allow_insecure_http: bool,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) user_agent: Option<String>,
    pub(crate) refresh_margin: Duration,
    pub(crate) token_lifetime: Option<Duration>,
    /// The service, resolved from the settings when the config was validated.
    pub(crate) profile: Profile,
    pub(crate) cache: CacheSetting,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) lock_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_retry_wait: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) redis_key_prefix: String,
    pub(crate) redis_fallback: bool,
    /// How long a refused login is remembered (`login_cooloff_s`); zero: not at all.
    pub(crate) login_cooloff: Duration,
}

/// The type of a configuration key's value, for front ends that read settings as text (the
/// CLI's flags and environment variables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// A string.
    Text,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// A JSON object.
    Object,
    /// A secret string (the password): never taken from a command line or a file in clear.
    Secret,
}

/// One configuration key: its name and the type of its value; the providers that own it come
/// from their specs ([`ConfigKey::owners`]). Static data; thread-safe.
#[derive(Debug)]
pub struct ConfigKey {
    name: &'static str,
    value_type: KeyType,
}

impl ConfigKey {
    /// The key's name in the JSON document (`organization_id`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The type of its value.
    pub fn value_type(&self) -> KeyType {
        self.value_type
    }

    /// The providers that read this key (every other refuses it), or `None` when all do.
    pub fn owners(&self) -> Option<Vec<Provider>> {
        Provider::owners_of(self.name)
    }
}

const fn key(name: &'static str, value_type: KeyType) -> ConfigKey {
    ConfigKey { name, value_type }
}

/// Every key the document may hold.
const KEYS: &[ConfigKey] = &[
    key("provider", KeyType::Text),
    key("username", KeyType::Text),
    key("password", KeyType::Secret),
    key("organization_id", KeyType::Text),
    key("subdomain", KeyType::Text),
    key("api_version", KeyType::Text),
    key("sandbox", KeyType::Bool),
    key("base_url", KeyType::Text),
    key("timeout_ms", KeyType::Integer),
    key("connect_timeout_ms", KeyType::Integer),
    key("allow_insecure_http", KeyType::Bool),
    key("ca_file", KeyType::Text),
    key("user_agent", KeyType::Text),
    key("refresh_margin_s", KeyType::Integer),
    key("token_lifetime_s", KeyType::Integer),
    key("login_path", KeyType::Text),
    key("logout_path", KeyType::Text),
    key("credential_fields", KeyType::Object),
    key("extra_fields", KeyType::Object),
    key("token_field", KeyType::Text),
    key("expiry_field", KeyType::Text),
    key("scheme", KeyType::Text),
    key("cache", KeyType::Text),
    key("cache_dir", KeyType::Text),
    key("lock_timeout_ms", KeyType::Integer),
    key("max_retries", KeyType::Integer),
    key("max_retry_wait_ms", KeyType::Integer),
    key("max_response_bytes", KeyType::Integer),
    key("redis_key_prefix", KeyType::Text),
    key("redis_fallback", KeyType::Bool),
    key("login_cooloff_s", KeyType::Integer),
];

/// The names of every configuration key, for bindings that map keyword arguments.
pub fn config_keys() -> impl Iterator<Item = &'static str> {
    KEYS.iter().map(ConfigKey::name)
}

/// Every configuration key with its type and owners.
pub fn config_key_table() -> &'static [ConfigKey] {
    KEYS
}

/// The configuration key named `name`, if there is one.
pub fn config_key(name: &str) -> Option<&'static ConfigKey> {
    KEYS.iter().find(|k| k.name == name)
}

impl Config {
    /// Parses and validates a JSON configuration document.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) naming the offending key,
    /// or describing the JSON syntax error (without echoing the document, which holds the password).
    pub fn from_json(json: &str) -> Result<Config> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::config(format!(
                "config is not valid JSON: {} at line {} column {}",
                json_error_category(&e),
                e.line(),
                e.column()
            ))
        })?;
        Config::from_value(&value)
    }

    /// Validates a configuration document already parsed to a JSON value (must be an object).
    ///
    /// # Errors
    /// As [`Config::from_json`].
    pub fn from_value(value: &Value) -> Result<Config> {
        let map = value.as_object().ok_or_else(|| {
            Error::config(format!(
                "config must be a JSON object, got {}",
                type_name(value)
            ))
        })?;
        Reader { map }.read()
    }

    /// The provider profile this configuration uses.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The username (not secret; used in cache keys and messages).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The TPStreams organization id, if any.
    pub fn organization_id(&self) -> Option<&str> {
        self.organization_id.as_deref()
    }

    /// Where tokens are kept.
    pub fn cache(&self) -> &CacheSetting {
        &self.cache
    }

    /// The configured cache directory (`cache_dir`), if any.
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.cache_dir.as_deref()
    }

    /// How long to wait for another process's login lock.
    pub fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// The Redis key prefix (`authtoken:` by default).
    pub fn redis_key_prefix(&self) -> &str {
        &self.redis_key_prefix
    }

    /// How long a refused login is remembered for every caller of the identity
    /// (`login_cooloff_s`, default 60 s; zero when turned off).
    pub fn login_cooloff(&self) -> Duration {
        self.login_cooloff
    }

    /// Whether an unreachable Redis falls back to the local store with a warning.
    pub fn redis_fallback(&self) -> bool {
        self.redis_fallback
    }
}

fn json_error_category(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "syntax error",
        Category::Data => "data error",
        Category::Eof => "unexpected end of input",
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The closest known key, for "did you mean" hints.
/// The configuration key closest to a misspelt `key` (at most two edits away), for "did you
/// mean" hints in every front end: the library's messages, the bindings' keyword errors.
pub fn suggest_config_key(key: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    config_keys()
        .map(|k| (distance(key, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

struct Reader<'a> {
    map: &'a Map<String, Value>,
}

impl Reader<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Err(Error::config(format!(
                "config key `{key}` must not be empty"
            ))),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(Error::config(format!(
                "config key `{key}` must be a string, got {}",
                type_name(v)
            ))),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(Error::config(format!(
                "config key `{key}` must be true or false, got {}",
                type_name(v)
            ))),
        }
    }

    fn integer(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
                Some(n) => Err(Error::config(format!(
                    "config key `{key}` must be between {min} and {max}, got {n}"
                ))),
                None => Err(Error::config(format!(
                    "config key `{key}` must be a whole number between {min} and {max}, got {}",
                    match v {
                        Value::Number(n) => n.to_string(),
                        other => type_name(other).to_string(),
                    }
                ))),
            },
        }
    }

    fn duration_ms(&self, key: &str, default_ms: u64) -> Result<Duration> {
        Ok(Duration::from_millis(
            self.integer(key, 1, 24 * 3600 * 1000)?
                .unwrap_or(default_ms),
        ))
    }

    fn read(&self) -> Result<Config> {
        let provider_name = self.string("provider")?.ok_or_else(|| {
            Error::config(format!(
                "config key `provider` is required (one of: {})",
                Provider::names()
            ))
        })?;
        let provider = Provider::from_name(&provider_name).ok_or_else(|| {
            Error::config(format!(
                "config key `provider` must be one of {}; got `{}`",
                Provider::names(),
                provider_name.chars().take(64).collect::<String>()
            ))
        })?;

        for key in self.map.keys() {
            match config_key(key).map(ConfigKey::owners) {
                None => {
                    let hint = suggest_config_key(key)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    let shown: String = key.chars().take(64).collect();
                    return Err(Error::config(format!("unknown config key `{shown}`{hint}")));
                }
                Some(Some(providers)) if !providers.contains(&provider) => {
                    if self.map.get(key).is_some_and(Value::is_null) {
                        continue;
                    }
                    let owners: Vec<&str> = providers.iter().map(|p| p.name()).collect();
                    return Err(Error::config(format!(
                        "config key `{key}` does not apply to provider `{}` (it is for {})",
                        provider.name(),
                        owners.join(", ")
                    )));
                }
                Some(_) => {}
            }
        }

        let username = match self.string("username")? {
            Some(u) => u,
            None => std::env::var(ENV_USERNAME)
                .ok()
                .filter(|u| !u.is_empty())
                .ok_or_else(|| {
                    Error::config(format!(
                        "config key `username` is required (or set {ENV_USERNAME})"
                    ))
                })?,
        };
        let password = match self.get("password") {
            Some(Value::String(p)) if !p.is_empty() => SecretString::from(p.clone()),
            Some(Value::String(_)) => {
                return Err(Error::config("config key `password` must not be empty"))
            }
            Some(v) => {
                return Err(Error::config(format!(
                    "config key `password` must be a string, got {}",
                    type_name(v)
                )))
            }
            None => match std::env::var(ENV_PASSWORD) {
                Ok(p) if !p.is_empty() => SecretString::from(p),
                _ => {
                    return Err(Error::config(format!(
                        "config key `password` is required (or set {ENV_PASSWORD})"
                    )))
                }
            },
        };

        let organization_id = self.string("organization_id")?;

        let base_url = self.string("base_url")?;
        let subdomain = self.string("subdomain")?;
        if let Some(s) = &subdomain {
            let valid = s.len() <= 63
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !s.starts_with('-')
                && !s.ends_with('-');
            if !valid {
                return Err(Error::config(
                    "config key `subdomain` must be a DNS label: letters, digits and '-', at most 63 characters",
                ));
            }
        }
        for required in provider.spec().required {
            let given = |key: &str| self.get(key).is_some_and(|v| !v.is_null());
            if !given(required.key) && !required.unless.is_some_and(given) {
                return Err(Error::config(format!(
                    "config key `{}` is required for provider `{provider}`{}",
                    required.key, required.hint
                )));
            }
        }
        let api_version = self.string("api_version")?.unwrap_or_else(|| "v2.5".into());
        if !is_api_version(&api_version) {
            return Err(Error::config(format!(
                "config key `api_version` must look like `v2.5`, got `{}`",
                api_version.chars().take(32).collect::<String>()
            )));
        }
        let sandbox = self.boolean("sandbox")?.unwrap_or(false);

        let custom = if provider == Provider::Custom {
            Some(self.custom_profile(base_url.is_some())?)
        } else {
            None
        };

        let cache = match self.string("cache")?.as_deref() {
            None | Some("file") => CacheSetting::File,
            Some("memory") => CacheSetting::Memory,
            Some(url)
                if url.starts_with("redis://")
                    || url.starts_with("rediss://")
                    || crate::store::redis::is_ha_url(url) =>
            {
                CacheSetting::Redis(url.to_string())
            }
            Some(_) => return Err(Error::config(
                "config key `cache` must be \"file\", \"memory\", or a redis://, rediss://, redis+sentinel://, \
                 rediss+sentinel://, redis+cluster:// or rediss+cluster:// URL",
            )),
        };
        let cache_dir = self.string("cache_dir")?.map(PathBuf::from);
        let redis_fallback = self.boolean("redis_fallback")?.unwrap_or(false);
        // With a Redis cache, `cache_dir` names the file store used while Redis is down.
        let cache_dir_applies = match cache {
            CacheSetting::File => true,
            CacheSetting::Redis(_) => redis_fallback,
            CacheSetting::Memory => false,
        };
        if cache_dir.is_some() && !cache_dir_applies {
            return Err(Error::config(
                "config key `cache_dir` only applies when `cache` is \"file\", or a Redis URL with \"redis_fallback\": true",
            ));
        }

        let user_agent = self.string("user_agent")?;
        if let Some(ua) = &user_agent {
            if ua.bytes().any(|b| b.is_ascii_control()) {
                return Err(Error::config(
                    "config key `user_agent` must not contain control characters",
                ));
            }
        }

        // Resolving the profile validates base_url and the HTTPS rule now, not at first use.
        let allow_insecure_http = self.boolean("allow_insecure_http")?.unwrap_or(false);
        let profile = Profile::resolve(&Settings {
            provider,
            base_url,
            subdomain,
            api_version,
            sandbox,
            allow_insecure_http,
            custom,
        })?;
        Ok(Config {
            provider,
            username,
            password,
            organization_id,
            timeout: self.duration_ms("timeout_ms", 30_000)?,
            connect_timeout: self.duration_ms("connect_timeout_ms", 10_000)?,
            allow_insecure_http,
            ca_file: self.string("ca_file")?.map(PathBuf::from),
            user_agent,
            refresh_margin: Duration::from_secs(
                self.integer("refresh_margin_s", 0, 7 * 24 * 3600)?
                    .unwrap_or(60),
            ),
            token_lifetime: self
                .integer("token_lifetime_s", 1, 366 * 24 * 3600)?
                .or(provider.spec().default_lifetime_s)
                .map(Duration::from_secs),
            profile,
            cache,
            cache_dir,
            lock_timeout: self.duration_ms("lock_timeout_ms", 60_000)?,
            max_retries: self.integer("max_retries", 0, 10)?.unwrap_or(2) as u32,
            max_retry_wait: self.duration_ms("max_retry_wait_ms", 10_000)?,
            max_response_bytes: self
                .integer("max_response_bytes", 1024, 1 << 40)?
                .unwrap_or(64 << 20),
            redis_key_prefix: self
                .string("redis_key_prefix")?
                .unwrap_or_else(|| "authtoken:".into()),
            redis_fallback,
            login_cooloff: Duration::from_secs(
                self.integer("login_cooloff_s", 0, crate::cooloff::MAX_COOLOFF.as_secs())?
                    .unwrap_or(60),
            ),
        })
    }

    fn custom_profile(&self, has_base_url: bool) -> Result<CustomProfile> {
        if !has_base_url {
            return Err(Error::config(
                "config key `base_url` is required for provider `custom`",
            ));
        }
        let login_path = self.string("login_path")?.ok_or_else(|| {
            Error::config("config key `login_path` is required for provider `custom`")
        })?;
        check_path("login_path", &login_path)?;
        let logout_path = self.string("logout_path")?;
        if let Some(p) = &logout_path {
            check_path("logout_path", p)?;
        }
        let (username_field, password_field) = match self.get("credential_fields") {
            None => ("username".to_string(), "password".to_string()),
            Some(Value::Object(m)) => {
                for k in m.keys() {
                    if k != "username" && k != "password" {
                        return Err(Error::config(format!(
                            "config key `credential_fields` may only map `username` and `password`, got `{}`",
                            k.chars().take(64).collect::<String>()
                        )));
                    }
                }
                let field = |name: &str| -> Result<String> {
                    match m.get(name) {
                        None => Ok(name.to_string()),
                        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                        Some(_) => Err(Error::config(format!(
                            "config key `credential_fields.{name}` must be a non-empty string"
                        ))),
                    }
                };
                (field("username")?, field("password")?)
            }
            Some(v) => {
                return Err(Error::config(format!(
                    "config key `credential_fields` must be an object like {{\"username\": \"email\", \"password\": \"password\"}}, got {}",
                    type_name(v)
                )))
            }
        };
        if username_field == password_field {
            return Err(Error::config(
                "config key `credential_fields` maps username and password to the same field",
            ));
        }
        let extra_fields = match self.get("extra_fields") {
            None => Map::new(),
            Some(Value::Object(m)) => {
                for k in [&username_field, &password_field] {
                    if m.contains_key(k.as_str()) {
                        return Err(Error::config(format!(
                            "config key `extra_fields` must not set the credential field `{k}`"
                        )));
                    }
                }
                m.clone()
            }
            Some(v) => {
                return Err(Error::config(format!(
                    "config key `extra_fields` must be an object, got {}",
                    type_name(v)
                )))
            }
        };
        let token_field = self
            .string("token_field")?
            .unwrap_or_else(|| "token".into());
        let expiry_field = self.string("expiry_field")?;
        let scheme = self.string("scheme")?.unwrap_or_else(|| "Token".into());
        if !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(Error::config(
                "config key `scheme` must be a single word such as Token, Bearer or JWT",
            ));
        }
        Ok(CustomProfile {
            login_path,
            logout_path,
            username_field,
            password_field,
            extra_fields,
            token_field,
            expiry_field,
            scheme,
        })
    }
}

fn check_path(key: &str, path: &str) -> Result<()> {
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.bytes().any(|b| b.is_ascii_control() || b == b' ')
    {
        return Err(Error::config(format!(
            "config key `{key}` must be a path starting with '/', such as /api/auth/login/"
        )));
    }
    Ok(())
}

fn is_api_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    ok(parts.next()) && parts.clone().count() <= 1 && parts.all(|p| ok(Some(p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn err(v: Value) -> String {
        let e = Config::from_value(&v).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        e.message().to_string()
    }

    #[test]
    fn api_versions() {
        assert!(is_api_version("v2.5"));
        assert!(is_api_version("v3"));
        assert!(!is_api_version("2.5"));
        assert!(!is_api_version("v2."));
        assert!(!is_api_version("v2.5.1"));
        assert!(!is_api_version("vx"));
    }

    #[test]
    fn unknown_key_suggests() {
        let m = err(
            json!({"provider": "tpstreams", "username": "u", "pasword": "p", "organization_id": "o"}),
        );
        assert!(m.contains("unknown config key `pasword`"), "{m}");
        assert!(m.contains("did you mean `password`"), "{m}");
    }
}
