//! Running one command on the Redis server: a pooled or new connection with the store's
//! timeouts, one retry on a fresh connection, failures sorted into unreachable (the fallback
//! applies) and refused, passwords scrubbed from messages, and the bookkeeping of an outage
//! (Redis left alone for a while, one warning per outage).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::{ConnectionLike, RedisError, Script};
use zeroize::Zeroizing;

use super::options::RedisOptions;
use super::pool::{Conn, Pool};
use crate::error::Error;
use crate::store::TokenStore;

/// With a fallback, how long Redis is left alone after it could not be reached, so that a
/// process does not pay the connect timeout on every operation of an outage.
const OUTAGE_RETRY: Duration = Duration::from_secs(1);
/// The first and the longest pause between two tries while a sentinel or cluster deployment
/// fails over.
const FIRST_FAILOVER_POLL: Duration = Duration::from_millis(25);
const MAX_FAILOVER_POLL: Duration = Duration::from_millis(250);

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
    /// (say, after Redis restarted) is retried once on a new connection. On a sentinel or
    /// cluster deployment, a failure that a failover explains (connection lost, `READONLY`,
    /// `CLUSTERDOWN`, `TRYAGAIN`, `MASTERDOWN`, `LOADING`, no primary known to the sentinels)
    /// is retried on fresh connections, the primary or slot map discovered again each time,
    /// for up to `connect_timeout_ms`: a failover shorter than that only delays the caller.
    pub(super) fn run<T>(
        &self,
        what: &str,
        mut op: impl FnMut(&mut dyn ConnectionLike) -> redis::RedisResult<T>,
    ) -> std::result::Result<T, Failure> {
        self.run_on(what, |c| op(c.link()))
    }

    /// As [`Shared::run`], with the connection itself (for commands routed to one node of a
    /// cluster).
    pub(super) fn run_on<T>(
        &self,
        what: &str,
        mut op: impl FnMut(&mut Conn) -> redis::RedisResult<T>,
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
        if !self.pool.target.is_ha() {
            return self.attempt(what, &mut op).map_err(|(failure, _)| failure);
        }
        let deadline = Instant::now() + self.options.connect_timeout;
        let mut pause = FIRST_FAILOVER_POLL;
        let mut waited = false;
        loop {
            match self.attempt(what, &mut op) {
                Ok(v) => {
                    if waited {
                        log::info!("authtoken: {} answers again after a failover", self.shown);
                    }
                    return Ok(v);
                }
                Err((failure, failover)) => {
                    let now = Instant::now();
                    if !failover || now >= deadline {
                        return Err(failure);
                    }
                    if !waited {
                        log::info!(
                            "authtoken: {what} on {} failed ({}); discovering the primary again \
                             for up to connect_timeout_ms ({} ms)",
                            self.shown,
                            failure_message(&failure),
                            self.options.connect_timeout.as_millis()
                        );
                        waited = true;
                    }
                    self.pool.forget_idle();
                    let jitter =
                        Duration::from_micros(fastrand::u64(0..=pause.as_micros() as u64 / 2));
                    std::thread::sleep((pause + jitter).min(deadline - now));
                    pause = (pause * 2).min(MAX_FAILOVER_POLL);
                }
            }
        }
    }

    /// One try of `op`: the failure, and whether a failover may explain it.
    fn attempt<T>(
        &self,
        what: &str,
        op: &mut impl FnMut(&mut Conn) -> redis::RedisResult<T>,
    ) -> std::result::Result<T, (Failure, bool)> {
        let pooled = self.pool.take();
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(c) => self.with_timeouts(c),
            None => self.connect(),
        }?;
        let mut result = op(&mut conn);
        if reused
            && result
                .as_ref()
                .is_err_and(|e| self.is_failover(e) || is_unreachable(e))
        {
            log::debug!(
                "authtoken: a pooled connection to {} failed; reconnecting",
                self.shown
            );
            self.pool.forget_idle();
            conn = self.connect()?;
            result = op(&mut conn);
        }
        match result {
            Ok(v) => {
                self.reachable();
                self.pool.give_back(conn);
                Ok(v)
            }
            Err(e) if is_unreachable(&e) || self.is_failover(&e) => Err((
                self.unreachable(format!("{what} failed: {}", self.scrub(&e))),
                self.pool.target.is_ha(),
            )),
            Err(e) => Err((
                Failure::Refused(Error::store(format!(
                    "the Redis server {} refused {what}: {}",
                    self.shown,
                    self.scrub(&e)
                ))),
                false,
            )),
        }
    }

    /// On a sentinel or cluster deployment: an answer that a failover in progress explains.
    fn is_failover(&self, e: &RedisError) -> bool {
        use redis::{ErrorKind as K, ServerErrorKind as S};
        self.pool.target.is_ha()
            && matches!(
                e.kind(),
                K::Server(
                    S::ReadOnly | S::ClusterDown | S::TryAgain | S::MasterDown | S::BusyLoading
                ) | K::MasterNameNotFoundBySentinel
                    | K::ClusterConnectionNotFound
            )
    }

    fn connect(&self) -> std::result::Result<Conn, (Failure, bool)> {
        let conn = self
            .pool
            .connect(self.options.connect_timeout)
            .map_err(|e| {
                if is_unreachable(&e) || self.is_failover(&e) {
                    let failure = self.unreachable(format!(
                        "cannot connect (connect_timeout_ms {}): {}",
                        self.options.connect_timeout.as_millis(),
                        self.scrub(&e)
                    ));
                    (failure, self.pool.target.is_ha())
                } else {
                    let failure = Failure::Refused(Error::store(format!(
                        "the Redis server {} refused the connection: {}",
                        self.shown,
                        self.scrub(&e)
                    )));
                    (failure, false)
                }
            })?;
        self.with_timeouts(conn)
    }

    /// Sets this store's command timeout on `conn` (a pooled one may come from a store with
    /// another).
    fn with_timeouts(&self, conn: Conn) -> std::result::Result<Conn, (Failure, bool)> {
        let timeout = Some(self.options.command_timeout.max(Duration::from_millis(1)));
        conn.set_timeouts(timeout).map_err(|e| {
            (
                self.unreachable(format!("cannot set timeouts: {}", self.scrub(&e))),
                self.pool.target.is_ha(),
            )
        })?;
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

fn failure_message(failure: &Failure) -> &str {
    match failure {
        Failure::Unreachable(e) | Failure::Refused(e) => e.message(),
    }
}

/// Connection failures and timeouts (the fallback applies); anything else is an answer.
fn is_unreachable(e: &RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal()
}
