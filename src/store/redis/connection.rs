//! Running one command on the Redis server: a pooled or new connection with the store's
//! timeouts, one retry on a fresh connection, failures sorted into unreachable (the fallback
//! applies) and refused, passwords scrubbed from messages, and the bookkeeping of an outage
//! (Redis left alone for a while, one warning per outage).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::{Connection, RedisError, Script};
use zeroize::Zeroizing;

use super::options::RedisOptions;
use super::pool::Pool;
use crate::error::Error;
use crate::store::TokenStore;

/// With a fallback, how long Redis is left alone after it could not be reached, so that a
/// process does not pay the connect timeout on every operation of an outage.
const OUTAGE_RETRY: Duration = Duration::from_secs(1);

/// What every clone of a store shares: the pool, the URL as shown in messages, the secrets to
/// scrub from them, the options, the outage state and the Lua scripts.
pub(super) struct Shared {
    /// Connections to the server, shared by every store of this process with the same URL.
    pub(super) pool: Arc<Pool>,
    /// The URL without credentials, for messages.
    pub(super) shown: String,
    /// The URL's password (raw and decoded), scrubbed from any message that might carry it.
    pub(super) secrets: Vec<Zeroizing<String>>,
    pub(super) options: RedisOptions,
    /// With a fallback: Redis is not tried again before this instant.
    pub(super) skip_until: Mutex<Option<Instant>>,
    /// Whether the current outage has been reported (one warning per outage).
    pub(super) outage_reported: AtomicBool,
    pub(super) release: Script,
    pub(super) renew: Script,
    pub(super) delete_if_token: Script,
}

/// Why a Redis operation failed.
pub(super) enum Failure {
    /// The server could not be reached or stopped answering: the fallback applies.
    Unreachable(Error),
    /// The server answered with an error: a problem the user must fix.
    Refused(Error),
}

impl Failure {
    pub(super) fn into_error(self) -> Error {
        match self {
            Failure::Unreachable(e) | Failure::Refused(e) => e,
        }
    }
}

impl Shared {
    /// Runs `op` on a connection: an idle one, or a new one. A failure on a reused connection
    /// (say, after Redis restarted) is retried once on a new connection.
    pub(super) fn run<T>(
        &self,
        what: &str,
        mut op: impl FnMut(&mut Connection) -> redis::RedisResult<T>,
    ) -> std::result::Result<T, Failure> {
        if self.options.fallback.is_some() {
            let skip = self
                .skip_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if skip.is_some_and(|until| Instant::now() < until) {
                return Err(Failure::Unreachable(Error::store(format!(
                    "the Redis server {} could not be reached less than {} ms ago",
                    self.shown,
                    OUTAGE_RETRY.as_millis()
                ))));
            }
        }
        let pooled = self.pool.take();
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(c) => self.with_timeouts(c)?,
            None => self.connect()?,
        };
        let mut result = op(&mut conn);
        if reused && result.as_ref().is_err_and(is_unreachable) {
            log::debug!(
                "authtoken: a pooled connection to {} failed; reconnecting",
                self.shown
            );
            conn = self.connect()?;
            result = op(&mut conn);
        }
        match result {
            Ok(v) => {
                self.reachable();
                self.pool.give_back(conn);
                Ok(v)
            }
            Err(e) if is_unreachable(&e) => {
                Err(self.unreachable(format!("{what} failed: {}", self.scrub(&e))))
            }
            Err(e) => Err(Failure::Refused(Error::store(format!(
                "the Redis server {} refused {what}: {}",
                self.shown,
                self.scrub(&e)
            )))),
        }
    }

    fn connect(&self) -> std::result::Result<Connection, Failure> {
        let conn = self
            .pool
            .client
            .get_connection_with_timeout(self.options.connect_timeout)
            .map_err(|e| {
                if is_unreachable(&e) {
                    self.unreachable(format!(
                        "cannot connect (connect_timeout_ms {}): {}",
                        self.options.connect_timeout.as_millis(),
                        self.scrub(&e)
                    ))
                } else {
                    Failure::Refused(Error::store(format!(
                        "the Redis server {} refused the connection: {}",
                        self.shown,
                        self.scrub(&e)
                    )))
                }
            })?;
        self.with_timeouts(conn)
    }

    /// Sets this store's command timeout on `conn` (a pooled one may come from a store with
    /// another).
    fn with_timeouts(&self, conn: Connection) -> std::result::Result<Connection, Failure> {
        let timeout = Some(self.options.command_timeout.max(Duration::from_millis(1)));
        conn.set_read_timeout(timeout)
            .and_then(|()| conn.set_write_timeout(timeout))
            .map_err(|e| self.unreachable(format!("cannot set timeouts: {}", self.scrub(&e))))?;
        Ok(conn)
    }

    fn unreachable(&self, detail: String) -> Failure {
        if self.options.fallback.is_some() {
            *self
                .skip_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + OUTAGE_RETRY);
        }
        let hint = if self.options.fallback.is_some() {
            ""
        } else {
            "; tokens are shared through this Redis server, so authtoken stops rather than log in \
             on its own (set \"redis_fallback\": true to use this machine's file store while Redis is down)"
        };
        Failure::Unreachable(Error::store(format!(
            "the Redis token store {} is unreachable: {detail}{hint}",
            self.shown
        )))
    }

    fn reachable(&self) {
        if self.outage_reported.swap(false, Ordering::Relaxed) {
            log::info!(
                "authtoken: the Redis token store {} is reachable again",
                self.shown
            );
        }
        if self.options.fallback.is_some() {
            *self
                .skip_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    pub(super) fn report_outage(&self, error: &Error, local: &dyn TokenStore) {
        if !self.outage_reported.swap(true, Ordering::Relaxed) {
            log::warn!(
                "authtoken: {}; using the local store {} until it is back (redis_fallback): this machine \
                 no longer shares tokens with the others",
                error.message(),
                local.describe()
            );
        }
    }

    fn scrub(&self, e: &RedisError) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(|s| s.as_str()).collect();
        crate::redact::redact(&e.to_string(), &secrets)
    }
}

/// Connection failures and timeouts (the fallback applies); anything else is an answer.
fn is_unreachable(e: &RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal()
}
