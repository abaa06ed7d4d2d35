//! The settings of a Redis store other than its URL ([`RedisOptions`]), and how a
//! configuration maps onto them.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::error::Result;
#[cfg(unix)]
use crate::store::FileStore;
#[cfg(not(unix))]
use crate::store::MemoryStore;
use crate::store::TokenStore;

/// How long the login lock outlives one login request's timeout before it expires on its own.
const LOCK_TTL_MARGIN: Duration = Duration::from_secs(2);
/// The shortest lock TTL (renewal happens every third of it).
const MIN_LOCK_TTL: Duration = Duration::from_millis(300);

/// Settings of a [`RedisStore`] other than its URL. [`RedisOptions::for_config`] derives them
/// from a configuration; `Default` gives the defaults of an empty configuration, without a
/// fallback.
///
/// [`RedisStore`]: crate::store::RedisStore
#[derive(Clone)]
pub struct RedisOptions {
    /// Prefix of every key (`redis_key_prefix`, default `authtoken:`).
    pub key_prefix: String,
    /// Longest wait to connect, TLS and authentication included (`connect_timeout_ms`).
    pub connect_timeout: Duration,
    /// Longest wait for the answer to one command (`connect_timeout_ms` too: Redis answers
    /// in well under a millisecond, so a server that takes seconds is treated as down).
    pub command_timeout: Duration,
    /// How long the login lock lives without renewal (`timeout_ms` + 2 s). A holder renews
    /// it every third of this; a holder that died holds the others up for at most this long.
    pub lock_ttl: Duration,
    /// PEM file of the CAs that sign a `rediss://` server's certificate (`ca_file`); these
    /// replace the built-in roots. `None`: the system's and Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// The store used while Redis cannot be reached, and written through on every save
    /// (`redis_fallback: true`: this machine's file store). `None`: an unreachable Redis is
    /// an error.
    pub fallback: Option<Arc<dyn TokenStore>>,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            key_prefix: "authtoken:".into(),
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(10),
            lock_ttl: Duration::from_secs(30) + LOCK_TTL_MARGIN,
            ca_file: None,
            fallback: None,
        }
    }
}

impl fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisOptions")
            .field("key_prefix", &self.key_prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("lock_ttl", &self.lock_ttl)
            .field("ca_file", &self.ca_file)
            .field("fallback", &self.fallback.as_ref().map(|s| s.describe()))
            .finish()
    }
}

impl RedisOptions {
    /// The options a configuration asks for. With `redis_fallback`, the fallback is the file
    /// store of `cache_dir` (or its default directory).
    ///
    /// # Errors
    /// `Store` when the fallback file store cannot be opened (see `FileStore::open`).
    pub fn for_config(config: &Config) -> Result<RedisOptions> {
        let fallback: Option<Arc<dyn TokenStore>> = if config.redis_fallback() {
            #[cfg(unix)]
            let local: Arc<dyn TokenStore> = Arc::new(FileStore::for_config(config)?);
            #[cfg(not(unix))]
            let local: Arc<dyn TokenStore> = Arc::new(MemoryStore::global());
            Some(local)
        } else {
            None
        };
        Ok(RedisOptions {
            key_prefix: config.redis_key_prefix().to_string(),
            connect_timeout: config.connect_timeout,
            command_timeout: config.connect_timeout,
            lock_ttl: (config.timeout + LOCK_TTL_MARGIN).max(MIN_LOCK_TTL),
            ca_file: config.ca_file.clone(),
            fallback,
        })
    }
}
