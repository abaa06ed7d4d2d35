//! The Redis store (`"cache": "redis://…"` or `"rediss://…"`): one token per identity shared by
//! every process of every machine that uses the same Redis server and key prefix.
//!
//! Keys (for a [`CacheKey`] whose [`id`](CacheKey::id) is `<id>`, under the `redis_key_prefix`,
//! `authtoken:` by default):
//!
//! ```text
//! <prefix>token:<id>   the entry: the JSON of `Entry` (the file store's format), with a Redis
//!                      expiry (PX) at the token's expiry; no expiry when the token's is unknown
//! <prefix>refusal:<id> a remembered login refusal (the JSON of `Refusal`), with a Redis
//!                      expiry (PX) at the end of its cool-off: it disappears by itself
//! <prefix>lock:<id>    the login lock: SET NX PX <ttl> with a unique value, present only while
//!                      some process is logging in for that identity
//! ```
//!
//! * **Local layer.** The client keeps the current token in a process-wide slot, so a warm
//!   header never reaches this store; a cold process reads Redis once (one `GET`). The
//!   machine's file store is deliberately *not* read in front of Redis: it could hold a token
//!   that another machine has logged out or replaced. Connections are pooled per process and
//!   server (never across a `fork`), so a new client in a warm process does not reconnect.
//! * **Single-flight.** The login lock is `SET <lock> <unique> NX PX <ttl>`, where the TTL is
//!   longer than one login request may take (`timeout_ms` + 2 s), renewed every TTL/3 by a
//!   background thread while the login runs, and released by a compare-and-delete script. A
//!   holder that dies stops renewing, so the others get through once the TTL has passed.
//!   Waiters poll with bounded, jittered backoff until `lock_timeout_ms`, then re-read the
//!   entry (the client does) before logging in.
//! * **Compare-and-delete.** A 401 or a logout removes the entry only while it still holds
//!   the failing or logged-out token (a Lua script that decodes the entry), so a token another
//!   machine has just saved is never thrown away.
//! * **Redis down.** Connecting waits at most `connect_timeout_ms`, and so does every command.
//!   By default (`redis_fallback: false`) an unreachable Redis is a `Store` error that names
//!   the server (never its password): the safer choice, since machines that log in on their
//!   own are what exhausts a 20-token limit. With `redis_fallback: true` this machine's file
//!   store (`cache_dir`) mirrors what the machine last saw in Redis (written on every save and
//!   on every read that differs), and while Redis cannot be reached (connection refused,
//!   reset or timed out: not an authentication or ACL error) every operation uses it instead,
//!   with one warning per outage. The machine keeps working; its processes share tokens with
//!   each other but no longer with other machines until Redis is back.

mod connection;
mod fallback;
mod lock;
mod options;
mod pool;
mod topology;

use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redis::{RedisError, Script};
use zeroize::Zeroizing;

use self::connection::{Failure, Shared};
use self::fallback::{fall_back, mirror};
use self::lock::{RedisLock, RELEASE_LOCK, RENEW_LOCK};
pub use self::options::RedisOptions;
use self::pool::{Pool, Target};
pub(crate) use self::topology::{display_ha_url, is_ha_url};
use self::topology::{Deployment, HaUrl};
use super::{CacheKey, Entry, LockGuard, Refusal, TokenStore};
use crate::config::{CacheSetting, Config};
use crate::error::{Error, ErrorKind, Result};
use crate::redact::display_url;

/// Entries larger than this are not read (a token is at most 16 KiB).
const MAX_ENTRY_BYTES: usize = 64 * 1024;

/// Deletes the entry only while its `token` is ARGV[1].
const DELETE_IF_TOKEN: &str = r#"
local stored = redis.call('GET', KEYS[1])
if not stored then
  return 0
end
local ok, entry = pcall(cjson.decode, stored)
if ok and type(entry) == 'table' and entry['token'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Tokens kept in Redis, shared by every machine that uses the same server and key prefix.
///
/// `RedisStore` is `Send + Sync`; clones share one pool of connections. Opening it does not
/// connect: the first operation does, and a connection that fails is replaced on the next
/// one. Every method may fail with `ErrorKind::Store` when Redis cannot be reached (within
/// the connect timeout) and there is no fallback, or when Redis refuses a command
/// (authentication, ACL, a read-only replica); `lock` also with `LockTimeout`. Errors name
/// the server without its password. An unreadable or foreign entry is a miss, never an error.
#[derive(Clone)]
pub struct RedisStore {
    shared: Arc<Shared>,
    /// Cluster: the identity is a hash tag of both keys, so they share a slot.
    hash_tags: bool,
}

impl RedisStore {
    /// A store on the Redis server at `url` (`redis://[user:password@]host[:port][/db]`, or
    /// `rediss://…` for TLS), on the primary that sentinels name
    /// (`redis+sentinel://[user:password@]host:port[,host:port...]/SERVICE_NAME[/DB]`), or on a
    /// Redis Cluster (`redis+cluster://[user:password@]host:port[,host:port...]`); `rediss+…`
    /// for TLS to every node. Nothing is sent until the first operation.
    ///
    /// # Errors
    /// `InvalidConfig` for a URL that is not a Redis URL, naming what is wrong (scheme, host,
    /// port, service name, database); `Tls` for an unreadable `ca_file`.
    pub fn open(url: &str, options: RedisOptions) -> Result<RedisStore> {
        if is_ha_url(url) {
            return RedisStore::open_ha(url, options);
        }
        let parsed = url::Url::parse(url).map_err(|e| {
            Error::config(format!("config key `cache`: not a valid Redis URL: {e}"))
        })?;
        if !matches!(parsed.scheme(), "redis" | "rediss") {
            return Err(Error::config(
                "config key `cache`: a Redis URL starts with redis://, rediss://, redis+sentinel://, \
                 rediss+sentinel://, redis+cluster:// or rediss+cluster://",
            ));
        }
        let shown = display_url(&parsed);
        let mut secrets = Vec::new();
        if let Some(password) = parsed.password() {
            secrets.push(Zeroizing::new(password.to_string()));
            if let Ok(decoded) = percent_encoding::percent_decode_str(password).decode_utf8() {
                secrets.push(Zeroizing::new(decoded.into_owned()));
            }
        }
        let scrub = |e: &RedisError| {
            crate::redact::redact(
                &e.to_string(),
                &secrets.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            )
        };
        let ca_file = options
            .ca_file
            .clone()
            .filter(|_| parsed.scheme() == "rediss");
        let make_client = || match &ca_file {
            Some(path) => {
                let pem = read_ca(path, &shown)?;
                redis::Client::build_with_tls(
                    url,
                    redis::TlsCertificates {
                        client_tls: None,
                        root_cert: Some(pem),
                    },
                )
                .map(Target::Server)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Tls,
                        format!("ca_file {} for {shown}: {}", path.display(), scrub(&e)),
                    )
                })
            }
            None => redis::Client::open(url).map(Target::Server).map_err(|e| {
                Error::config(format!(
                    "config key `cache`: {shown} is not a usable Redis URL: {}",
                    scrub(&e)
                ))
            }),
        };
        let pool = Pool::shared(pool_id(url, ca_file.as_deref()), make_client)?;
        Ok(RedisStore::with_pool(pool, shown, secrets, options, false))
    }

    /// A store on a sentinel or cluster deployment (see [`RedisStore::open`]).
    fn open_ha(url: &str, options: RedisOptions) -> Result<RedisStore> {
        let ha = HaUrl::parse(url)?;
        let shown = display_ha_url(url);
        let secrets: Vec<Zeroizing<String>> = [&ha.raw_password, &ha.password]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let ca_file = options.ca_file.clone().filter(|_| ha.tls);
        let cluster = ha.deployment == Deployment::Cluster;
        let make_target = || {
            let pem = ca_file
                .as_deref()
                .map(|path| read_ca(path, &shown))
                .transpose()?;
            let target = match ha.deployment {
                Deployment::Sentinel { .. } => {
                    Target::Sentinel(Mutex::new(ha.sentinel_client(pem)?))
                }
                Deployment::Cluster => Target::Cluster(ha.cluster_client(
                    pem,
                    options.connect_timeout,
                    options.command_timeout,
                )?),
            };
            Ok(target)
        };
        let pool = Pool::shared(pool_id(url, ca_file.as_deref()), make_target)?;
        Ok(RedisStore::with_pool(
            pool, shown, secrets, options, cluster,
        ))
    }

    fn with_pool(
        pool: Arc<Pool>,
        shown: String,
        secrets: Vec<Zeroizing<String>>,
        options: RedisOptions,
        hash_tags: bool,
    ) -> RedisStore {
        RedisStore {
            shared: Arc::new(Shared {
                pool,
                shown,
                secrets,
                options,
                skip_until: Mutex::new(None),
                outage_reported: AtomicBool::new(false),
                release: Script::new(RELEASE_LOCK),
                renew: Script::new(RENEW_LOCK),
                delete_if_token: Script::new(DELETE_IF_TOKEN),
            }),
            hash_tags,
        }
    }

    /// The store a configuration asks for (`cache` must be a Redis URL).
    ///
    /// # Errors
    /// `InvalidConfig` when `cache` is not a Redis URL; as [`RedisStore::open`] and
    /// [`RedisOptions::for_config`] otherwise.
    pub fn for_config(config: &Config) -> Result<RedisStore> {
        match config.cache() {
            CacheSetting::Redis(url) => RedisStore::open(url, RedisOptions::for_config(config)?),
            _ => Err(Error::config(
                "config key `cache`: the Redis store needs a redis:// or rediss:// URL",
            )),
        }
    }

    /// The options in use.
    pub fn options(&self) -> &RedisOptions {
        &self.shared.options
    }

    /// The Redis key of the entry for `key`: `<prefix>token:<key.id()>`, or on a cluster
    /// `<prefix>token:{<key.id()>}` (a hash tag: the entry and the lock share a slot).
    pub fn entry_key(&self, key: &CacheKey) -> String {
        self.key("token", key)
    }

    /// The Redis key of the refusal record for `key`: `<prefix>refusal:<key.id()>`, or on a
    /// cluster `<prefix>refusal:{<key.id()>}`.
    pub fn refusal_key(&self, key: &CacheKey) -> String {
        self.key("refusal", key)
    }

    fn parse_refusal(&self, redis_key: &str, bytes: &[u8]) -> Option<Refusal> {
        if bytes.len() > MAX_ENTRY_BYTES {
            log::warn!(
                "authtoken: ignoring the oversized login refusal record {redis_key} in {}",
                self.shared.shown
            );
            return None;
        }
        match Refusal::from_json(bytes) {
            Ok(r) => Some(r),
            Err(why) => {
                log::warn!(
                    "authtoken: ignoring the login refusal record {redis_key} in {} ({why})",
                    self.shared.shown
                );
                None
            }
        }
    }

    /// The Redis key of the login lock for `key`: `<prefix>lock:<key.id()>`, or on a cluster
    /// `<prefix>lock:{<key.id()>}`.
    pub fn lock_key(&self, key: &CacheKey) -> String {
        self.key("lock", key)
    }

    fn key(&self, kind: &str, key: &CacheKey) -> String {
        let prefix = &self.shared.options.key_prefix;
        if self.hash_tags {
            format!("{prefix}{kind}:{{{}}}", key.id())
        } else {
            format!("{prefix}{kind}:{}", key.id())
        }
    }

    /// Sends `PING`: whether the server answers, as the store's operations would see it.
    ///
    /// # Errors
    /// `Store` when Redis cannot be reached or refuses the command (the fallback is not used).
    pub fn ping(&self) -> Result<()> {
        self.shared
            .run("ping", |c| redis::cmd("PING").query::<String>(c).map(drop))
            .map_err(Failure::into_error)
    }

    fn parse_entry(&self, key: &CacheKey, bytes: Option<Zeroizing<Vec<u8>>>) -> Option<Entry> {
        let bytes = bytes?;
        if bytes.len() > MAX_ENTRY_BYTES {
            log::warn!(
                "authtoken: ignoring the oversized entry {} in {}",
                self.entry_key(key),
                self.shared.shown
            );
            return None;
        }
        let entry = Entry::from_json(&bytes);
        if entry.is_none() {
            log::warn!(
                "authtoken: ignoring the entry {} in {} (corrupt, or written by another version); \
                 it will be replaced at the next login",
                self.entry_key(key),
                self.shared.shown
            );
        }
        entry
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shared.shown)
            .field("options", &self.shared.options)
            .finish()
    }
}

/// The name of the pool of `url` with `ca_file`.
fn pool_id(url: &str, ca_file: Option<&std::path::Path>) -> String {
    format!(
        "{url}\n{}",
        ca_file.map(|p| p.display().to_string()).unwrap_or_default()
    )
}

/// The PEM of `ca_file`, for the store `shown`.
fn read_ca(path: &std::path::Path, shown: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Tls,
            format!("could not read ca_file {} for {shown}: {e}", path.display()),
        )
    })
}

/// Milliseconds from now until `expires_at` (seconds since the epoch), at most a century;
/// `None` when it has passed.
fn millis_until(expires_at: u64) -> Option<u64> {
    const CENTURY_MS: u64 = 100 * 366 * 24 * 3600 * 1000;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let ms = expires_at.saturating_mul(1000).checked_sub(now)?;
    (ms > 0).then_some(ms.min(CENTURY_MS))
}

/// The `MATCH` pattern for keys that start with `prefix`: glob characters escaped.
fn glob_escape(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 4);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The values of the keys matching `pattern` on one server (`SCAN` then `MGET`).
fn scan(
    c: &mut dyn redis::ConnectionLike,
    pattern: &str,
) -> redis::RedisResult<Vec<Zeroizing<Vec<u8>>>> {
    let mut values = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let mut cmd = redis::cmd("SCAN");
        cmd.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(200);
        let (next, keys): (u64, Vec<String>) = cmd.query(c)?;
        if !keys.is_empty() {
            let found: Vec<Option<Vec<u8>>> = redis::cmd("MGET").arg(&keys).query(c)?;
            values.extend(found.into_iter().flatten().map(Zeroizing::new));
        }
        if next == 0 {
            return Ok(values);
        }
        cursor = next;
    }
}

/// [`scan`] on every primary of a cluster (from `CLUSTER SLOTS`): `SCAN` routed to each,
/// then a `GET` per key (routed by its slot; `MGET` across slots is refused).
fn scan_cluster(
    cluster: &mut redis::cluster::ClusterConnection,
    pattern: &str,
) -> redis::RedisResult<Vec<Zeroizing<Vec<u8>>>> {
    use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
    let slots = cluster.route_command(
        redis::cmd("CLUSTER").arg("SLOTS"),
        RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
    )?;
    let ranges: Vec<Vec<redis::Value>> = redis::from_redis_value(slots)?;
    let mut primaries: Vec<(String, u16)> = Vec::new();
    for range in ranges {
        // [start, end, [host, port, id, ...], replicas...]
        if let Some(node) = range.into_iter().nth(2) {
            let node: Vec<redis::Value> = redis::from_redis_value(node)?;
            let mut node = node.into_iter();
            let (Some(host), Some(port)) = (node.next(), node.next()) else {
                continue;
            };
            let primary = (
                redis::from_redis_value(host)?,
                redis::from_redis_value(port)?,
            );
            if !primaries.contains(&primary) {
                primaries.push(primary);
            }
        }
    }
    let mut values = Vec::new();
    for primary in &primaries {
        let mut cursor: u64 = 0;
        loop {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(200);
            let answer = cluster.route_command(
                &cmd,
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                    host: primary.0.clone(),
                    port: primary.1,
                }),
            )?;
            let (next, keys): (u64, Vec<String>) = redis::from_redis_value(answer)?;
            for k in &keys {
                let found: Option<Vec<u8>> = redis::cmd("GET").arg(k).query(cluster)?;
                values.extend(found.map(Zeroizing::new));
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(values)
}

impl TokenStore for RedisStore {
    fn load(&self, key: &CacheKey) -> Result<Option<Entry>> {
        let redis_key = self.entry_key(key);
        let read = self.shared.run("GET", |c| {
            redis::cmd("GET")
                .arg(&redis_key)
                .query::<Option<Vec<u8>>>(c)
                .map(|b| b.map(Zeroizing::new))
        });
        match read {
            Ok(bytes) => {
                let entry = self.parse_entry(key, bytes);
                if let Some(local) = &self.shared.options.fallback {
                    mirror(local.as_ref(), key, entry.as_ref());
                }
                Ok(entry)
            }
            Err(failure) => fall_back(&self.shared, failure, |local| local.load(key)),
        }
    }

    fn save(&self, key: &CacheKey, entry: &Entry) -> Result<()> {
        if let Some(local) = &self.shared.options.fallback {
            // Written through, so that this machine has the token should Redis go down.
            if let Err(e) = local.save(key, entry) {
                log::warn!(
                    "authtoken: could not save the token to the fallback store {}: {e}",
                    local.describe()
                );
            }
        }
        let ttl_ms = match entry.expires_at {
            Some(at) => match millis_until(at) {
                Some(ms) => Some(ms),
                None => {
                    log::debug!(
                        "authtoken: not saving an expired token to {}",
                        self.shared.shown
                    );
                    return Ok(());
                }
            },
            None => None,
        };
        let redis_key = self.entry_key(key);
        let json = entry.to_json();
        let written = self.shared.run("SET", |c| {
            let mut cmd = redis::cmd("SET");
            cmd.arg(&redis_key).arg(&json[..]);
            if let Some(ms) = ttl_ms {
                cmd.arg("PX").arg(ms);
            }
            cmd.query::<()>(c)
        });
        // The fallback store has it already.
        written.or_else(|failure| fall_back(&self.shared, failure, |_| Ok(())))
    }

    fn remove(&self, key: &CacheKey, only_token: Option<&str>) -> Result<bool> {
        let local_removed = match &self.shared.options.fallback {
            Some(local) => match local.remove(key, only_token) {
                Ok(removed) => removed,
                Err(e) => {
                    log::warn!(
                        "authtoken: could not remove the token from the fallback store {}: {e}",
                        local.describe()
                    );
                    false
                }
            },
            None => false,
        };
        let redis_key = self.entry_key(key);
        let removed = self.shared.run("DEL", |c| match only_token {
            Some(token) => self
                .shared
                .delete_if_token
                .key(&redis_key)
                .arg(token)
                .invoke::<i64>(c)
                .map(|n| n > 0),
            None => redis::cmd("DEL")
                .arg(&redis_key)
                .query::<i64>(c)
                .map(|n| n > 0),
        });
        removed.or_else(|failure| fall_back(&self.shared, failure, |_| Ok(local_removed)))
    }

    fn lock(&self, key: &CacheKey, timeout: Duration) -> Result<Box<dyn LockGuard>> {
        let deadline = Instant::now() + timeout;
        // With a fallback, this machine's processes queue on the local lock first: one of
        // them at a time polls Redis, and the local lock is already held should Redis go down.
        let local = match &self.shared.options.fallback {
            Some(store) => Some(store.lock(key, timeout)?),
            None => None,
        };
        match RedisLock::take(&self.shared, self.lock_key(key), deadline) {
            Ok(mut lock) => {
                lock.local = local;
                Ok(Box::new(lock))
            }
            Err(Failure::Unreachable(e)) => match (local, &self.shared.options.fallback) {
                (Some(local), Some(store)) => {
                    self.shared.report_outage(&e, store.as_ref());
                    Ok(local)
                }
                _ => Err(e),
            },
            Err(Failure::Refused(e)) => Err(e),
        }
    }

    fn list(&self) -> Result<Vec<Entry>> {
        let pattern = format!("{}token:*", glob_escape(&self.shared.options.key_prefix));
        let scanned = self.shared.run_on("SCAN", |conn| match conn.cluster() {
            None => scan(conn.link(), &pattern),
            Some(cluster) => scan_cluster(cluster, &pattern),
        });
        let values = match scanned {
            Ok(values) => values,
            Err(failure) => fall_back(&self.shared, failure, |local| {
                Ok(local.list()?.iter().map(Entry::to_json).collect())
            })?,
        };
        Ok(values
            .iter()
            .filter(|v| v.len() <= MAX_ENTRY_BYTES)
            .filter_map(|v| Entry::from_json(v))
            .collect())
    }

    fn load_refusal(&self, key: &CacheKey) -> Result<Option<Refusal>> {
        let redis_key = self.refusal_key(key);
        let read = self.shared.run("GET", |c| {
            redis::cmd("GET")
                .arg(&redis_key)
                .query::<Option<Vec<u8>>>(c)
        });
        match read {
            Ok(bytes) => Ok(bytes
                .and_then(|b| self.parse_refusal(&redis_key, &b))
                .filter(|r| r.matches(key))),
            Err(failure) => fall_back(&self.shared, failure, |local| local.load_refusal(key)),
        }
    }

    fn save_refusal(&self, key: &CacheKey, refusal: &Refusal) -> Result<()> {
        if let Some(local) = &self.shared.options.fallback {
            if let Err(e) = local.save_refusal(key, refusal) {
                log::warn!(
                    "authtoken: could not save the login refusal to the fallback store {}: {e}",
                    local.describe()
                );
            }
        }
        // Redis forgets the record by itself when the cool-off ends.
        let Some(ttl_ms) = millis_until(refusal.until) else {
            return Ok(());
        };
        let redis_key = self.refusal_key(key);
        let json = refusal.to_json();
        let written = self.shared.run("SET", |c| {
            redis::cmd("SET")
                .arg(&redis_key)
                .arg(&json[..])
                .arg("PX")
                .arg(ttl_ms)
                .query::<()>(c)
        });
        written.or_else(|failure| fall_back(&self.shared, failure, |_| Ok(())))
    }

    fn remove_refusal(&self, key: &CacheKey) -> Result<bool> {
        let local_removed = match &self.shared.options.fallback {
            Some(local) => local.remove_refusal(key).unwrap_or_else(|e| {
                log::warn!(
                    "authtoken: could not remove the login refusal from the fallback store {}: {e}",
                    local.describe()
                );
                false
            }),
            None => false,
        };
        let redis_key = self.refusal_key(key);
        let removed = self.shared.run("DEL", |c| {
            redis::cmd("DEL")
                .arg(&redis_key)
                .query::<i64>(c)
                .map(|n| n > 0)
        });
        removed.or_else(|failure| fall_back(&self.shared, failure, |_| Ok(local_removed)))
    }

    fn list_refusals(&self) -> Result<Vec<Refusal>> {
        let pattern = format!("{}refusal:*", glob_escape(&self.shared.options.key_prefix));
        let scanned = self.shared.run_on("SCAN", |conn| match conn.cluster() {
            None => scan(conn.link(), &pattern),
            Some(cluster) => scan_cluster(cluster, &pattern),
        });
        match scanned {
            Ok(values) => Ok(values
                .iter()
                .filter_map(|v| self.parse_refusal(&pattern, v))
                .collect()),
            Err(failure) => fall_back(&self.shared, failure, |local| local.list_refusals()),
        }
    }

    fn describe(&self) -> String {
        match &self.shared.options.fallback {
            Some(local) => format!(
                "redis:{} (fallback {})",
                self.shared.shown,
                local.describe()
            ),
            None => format!("redis:{}", self.shared.shown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_shown_without_credentials() {
        let url =
            url::Url::parse("redis://app:s3cr%40t@redis.internal:6380/2?protocol=resp3#x").unwrap();
        assert_eq!(display_url(&url), "redis://redis.internal:6380/2");
        let url = url::Url::parse("rediss://:pw@10.0.0.5").unwrap();
        assert_eq!(display_url(&url), "rediss://10.0.0.5");
    }

    #[test]
    fn describe_and_debug_never_show_the_password() {
        let store = RedisStore::open(
            "redis://app:hunter2-pw@127.0.0.1:1/3",
            RedisOptions::default(),
        )
        .unwrap();
        assert_eq!(store.describe(), "redis:redis://127.0.0.1:1/3");
        assert!(!format!("{store:?}").contains("hunter2"));
        assert_eq!(
            store
                .shared
                .secrets
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            ["hunter2-pw", "hunter2-pw"]
        );
    }

    #[test]
    fn non_redis_urls_are_refused() {
        let err = RedisStore::open("http://127.0.0.1:6379", RedisOptions::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(err.message().contains("redis://"), "{err}");
    }

    #[test]
    fn key_layout() {
        let store = RedisStore::open(
            "redis://127.0.0.1:1",
            RedisOptions {
                key_prefix: "site-a:".into(),
                ..RedisOptions::default()
            },
        )
        .unwrap();
        let key = CacheKey {
            provider: "tpstreams".into(),
            base_url: "https://app.tpstreams.com".into(),
            username: "hari@example.com".into(),
            organization: Some("auhf2k".into()),
        };
        assert_eq!(store.entry_key(&key), format!("site-a:token:{}", key.id()));
        assert_eq!(store.lock_key(&key), format!("site-a:lock:{}", key.id()));
    }

    #[test]
    fn glob_characters_in_the_prefix_are_escaped() {
        assert_eq!(glob_escape("app[1]*?\\:"), "app\\[1\\]\\*\\?\\\\:");
        assert_eq!(glob_escape("authtoken:"), "authtoken:");
    }

    #[test]
    fn expiry_in_milliseconds() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let ms = millis_until(now + 100).unwrap();
        assert!((98_000..=100_000).contains(&ms), "{ms}");
        assert_eq!(millis_until(now - 1), None);
        assert_eq!(millis_until(u64::MAX), Some(100 * 366 * 24 * 3600 * 1000));
    }
}
