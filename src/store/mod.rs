//! Where tokens live between calls: in this process ([`MemoryStore`]), in files shared by
//! every process of the user (`file`, the default), or in Redis shared by many machines.
//!
//! A store keeps one [`Entry`] per identity ([`CacheKey`]), in the same versioned format
//! whichever backend and whichever language wrote it.

#[cfg(unix)]
mod file;
mod memory;
pub(crate) mod redis;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use self::redis::{RedisOptions, RedisStore};
#[cfg(unix)]
pub use file::FileStore;
pub use memory::MemoryStore;

use crate::config::{CacheSetting, Config};
use crate::error::Result;
use crate::token::{is_token_shaped, unix_seconds, Token};

/// The version of the entry format this library reads and writes.
pub const ENTRY_VERSION: u32 = 1;

/// An identity whose token is shared: provider, base URL, username and organization.
/// The password is never part of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CacheKey {
    /// Provider name (`tpstreams`, ...).
    pub provider: String,
    /// The resolved base URL, without a trailing slash.
    pub base_url: String,
    /// The username.
    pub username: String,
    /// The organization id, where the provider has one.
    pub organization: Option<String>,
}

impl CacheKey {
    pub(crate) fn for_config(config: &Config) -> CacheKey {
        CacheKey {
            provider: config.provider.name().to_string(),
            base_url: config.profile.base_url.clone(),
            username: config.username.clone(),
            organization: config.organization_id.clone(),
        }
    }

    /// A stable, file-name-safe identifier: the SHA-256 (hex) of the key's fields.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            "authtoken-key-v1",
            &self.provider,
            &self.base_url,
            &self.username,
            self.organization.as_deref().unwrap_or(""),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One stored token, in the documented format (JSON, version 1):
///
/// ```json
/// {"version": 1, "provider": "tpstreams", "base_url": "https://app.tpstreams.com",
///  "username": "hari@example.com", "organization": "auhf2k",
///  "token": "3f…", "obtained_at": 1764000000, "expires_at": 1764036000}
/// ```
///
/// Times are whole seconds since the Unix epoch; `expires_at` is `null` when unknown.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Format version ([`ENTRY_VERSION`]).
    pub version: u32,
    /// Provider name.
    pub provider: String,
    /// Base URL.
    pub base_url: String,
    /// Username.
    pub username: String,
    /// Organization id, if any.
    pub organization: Option<String>,
    /// The token itself.
    pub token: Zeroizing<String>,
    /// When it was obtained (seconds since the epoch).
    pub obtained_at: u64,
    /// When it expires (seconds since the epoch), if known.
    pub expires_at: Option<u64>,
}

impl Entry {
    pub(crate) fn new(key: &CacheKey, token: &Token) -> Entry {
        Entry {
            version: ENTRY_VERSION,
            provider: key.provider.clone(),
            base_url: key.base_url.clone(),
            username: key.username.clone(),
            organization: key.organization.clone(),
            token: Zeroizing::new(token.secret().to_string()),
            obtained_at: unix_seconds(token.obtained_at()),
            expires_at: token.expires_at().map(unix_seconds),
        }
    }

    /// Whether this entry belongs to `key` (guards against hash collisions and copied files).
    pub fn matches(&self, key: &CacheKey) -> bool {
        self.provider == key.provider
            && self.base_url == key.base_url
            && self.username == key.username
            && self.organization == key.organization
    }

    pub(crate) fn to_token(&self, scheme: &str) -> Token {
        Token::new(
            self.token.to_string(),
            scheme,
            UNIX_EPOCH + Duration::from_secs(self.obtained_at),
            self.expires_at.map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        )
    }

    /// When the token expires, if known.
    pub fn expires(&self) -> Option<SystemTime> {
        self.expires_at.map(|s| UNIX_EPOCH + Duration::from_secs(s))
    }

    /// Serializes to the documented JSON format.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Parses the documented JSON format. `None` for anything unreadable, of another
    /// version, or inconsistent: a bad entry is a cache miss, never an error.
    pub fn from_json(bytes: &[u8]) -> Option<Entry> {
        let entry: Entry = serde_json::from_slice(bytes).ok()?;
        (entry.version == ENTRY_VERSION && is_token_shaped(&entry.token)).then_some(entry)
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("version", &self.version)
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("organization", &self.organization)
            .field("token", &"<redacted>")
            .field("obtained_at", &self.obtained_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The version of the refusal record format this library reads and writes.
pub const REFUSAL_VERSION: u32 = 1;

/// A remembered login refusal (the login cool-off, `login_cooloff_s`), in the documented
/// format (JSON, version 1), the same in every store and language:
///
/// ```json
/// {"version": 1, "provider": "testpress", "base_url": "https://demo.testpress.in",
///  "username": "hari", "organization": null,
///  "password_hash": "scrypt$ln=14,r=8,p=1$<64 hex>", "kind": "invalid_credentials",
///  "status": 400, "message": "login to testpress at … failed: HTTP 400: …",
///  "server_message": "Unable to log in with provided credentials.", "error_code": null,
///  "refused_at": 1764000000, "until": 1764000060}
/// ```
///
/// It never holds the password: `password_hash` is scrypt salted with the identity, so a
/// caller whose password differs (it was corrected) ignores the record. A record that is
/// unreadable, of another version, of another identity, of a kind that is not remembered, or
/// longer than a day is ignored with a warning naming the file or key (the caller then logs
/// in, as without a cool-off): a damaged record can cost one login attempt, never lock anyone out.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    /// Format version ([`REFUSAL_VERSION`]).
    pub version: u32,
    /// Provider name.
    pub provider: String,
    /// Base URL.
    pub base_url: String,
    /// Username.
    pub username: String,
    /// Organization id, if any.
    pub organization: Option<String>,
    /// `scrypt$ln=…,r=…,p=…$<hex>` of the refused password.
    pub password_hash: String,
    /// The error kind's name (`invalid_credentials`, `token_limit`, `forbidden`, `rate_limited`).
    pub kind: String,
    /// The HTTP status of the refusal.
    pub status: Option<u16>,
    /// The error message the refused caller saw (no secrets: they are scrubbed before).
    pub message: String,
    /// The server's own message.
    pub server_message: Option<String>,
    /// The server's `error_code`.
    pub error_code: Option<String>,
    /// When the login was refused (seconds since the epoch).
    pub refused_at: u64,
    /// When the cool-off ends (seconds since the epoch).
    pub until: u64,
}

impl Refusal {
    /// Whether this record belongs to `key`.
    pub fn matches(&self, key: &CacheKey) -> bool {
        self.provider == key.provider
            && self.base_url == key.base_url
            && self.username == key.username
            && self.organization == key.organization
    }

    /// The identity it is for.
    pub fn key(&self) -> CacheKey {
        CacheKey {
            provider: self.provider.clone(),
            base_url: self.base_url.clone(),
            username: self.username.clone(),
            organization: self.organization.clone(),
        }
    }

    /// The kind of the remembered error.
    pub fn error_kind(&self) -> Option<crate::ErrorKind> {
        crate::ErrorKind::ALL
            .into_iter()
            .find(|k| k.name() == self.kind)
            .filter(|k| crate::cooloff::is_remembered(*k))
    }

    /// When the login was refused.
    pub fn refused_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.refused_at)
    }

    /// When the cool-off ends.
    pub fn until(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.until)
    }

    /// Whether the cool-off still lasts at `now`.
    pub fn is_active_at(&self, now: SystemTime) -> bool {
        self.until() > now
    }

    /// Serializes to the documented JSON format.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses the documented JSON format; `Err` says why a record is not usable (for the
    /// store's warning, which names the file or key).
    pub fn from_json(bytes: &[u8]) -> std::result::Result<Refusal, String> {
        let r: Refusal = serde_json::from_slice(bytes).map_err(|e| format!("not a record: {e}"))?;
        if r.version != REFUSAL_VERSION {
            return Err(format!(
                "version {} (this library reads version {REFUSAL_VERSION})",
                r.version
            ));
        }
        if r.error_kind().is_none() {
            return Err(format!("`{}` is not a remembered kind", r.kind));
        }
        if !r.password_hash.starts_with("scrypt$") {
            return Err("the password hash is not an scrypt hash".into());
        }
        let span = r.until.checked_sub(r.refused_at);
        if span.is_none_or(|s| s > crate::cooloff::MAX_COOLOFF.as_secs()) {
            return Err("its cool-off is negative or longer than a day".into());
        }
        Ok(r)
    }
}

/// A held cross-process login lock; released when dropped.
pub trait LockGuard: Send {}

/// A guard for stores whose coordination happens in-process only.
pub(crate) struct NoLock;
impl LockGuard for NoLock {}

/// Storage of tokens shared beyond one [`Client`](crate::Client).
///
/// Implementations are `Send + Sync` and are called from many threads at once. Reads of an
/// unreadable or corrupt entry return `Ok(None)` (a miss); errors are for conditions the
/// user must fix (unsafe permissions, an unreachable server that has no fallback).
pub trait TokenStore: Send + Sync {
    /// The entry for `key`, if there is a readable one.
    fn load(&self, key: &CacheKey) -> Result<Option<Entry>>;
    /// Replaces the entry for `key` atomically.
    fn save(&self, key: &CacheKey, entry: &Entry) -> Result<()>;
    /// Removes the entry for `key`; with `only_token`, only while it still holds that token
    /// (compare-and-delete). Returns whether an entry was removed.
    fn remove(&self, key: &CacheKey, only_token: Option<&str>) -> Result<bool>;
    /// Takes the login lock for `key`, shared with every other user of the same store,
    /// waiting at most `timeout`. Errors with `LockTimeout` when the wait runs out.
    fn lock(&self, key: &CacheKey, timeout: Duration) -> Result<Box<dyn LockGuard>>;
    /// Every readable entry (for `authtoken status`).
    fn list(&self) -> Result<Vec<Entry>>;
    /// The remembered login refusal for `key` (see [`Refusal`]), if there is a usable one,
    /// whether or not its cool-off has passed. An unusable record is `Ok(None)` and a warning.
    fn load_refusal(&self, key: &CacheKey) -> Result<Option<Refusal>>;
    /// Records a login refusal for `key`, replacing any other, atomically; it may disappear by
    /// itself once its cool-off has passed (Redis' expiry).
    fn save_refusal(&self, key: &CacheKey, refusal: &Refusal) -> Result<()>;
    /// Removes the refusal record of `key`. Returns whether there was one.
    fn remove_refusal(&self, key: &CacheKey) -> Result<bool>;
    /// Every usable refusal record, passed or not (for `authtoken status` and `cache clear --all`).
    fn list_refusals(&self) -> Result<Vec<Refusal>>;
    /// A short description for messages: `memory`, `file:/home/u/.cache/authtoken`, ...
    fn describe(&self) -> String;
}

/// Opens the store the configuration asks for.
pub fn open(config: &Config) -> Result<Arc<dyn TokenStore>> {
    match config.cache() {
        CacheSetting::Memory => Ok(Arc::new(MemoryStore::global())),
        #[cfg(unix)]
        CacheSetting::File => Ok(Arc::new(FileStore::for_config(config)?)),
        #[cfg(not(unix))]
        CacheSetting::File => Err(crate::error::Error::config(
            "config key `cache`: the file store needs a Unix system here; use \"cache\": \"memory\"",
        )),
        CacheSetting::Redis(_) => Ok(Arc::new(RedisStore::for_config(config)?)),
    }
}
