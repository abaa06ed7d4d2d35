//! The login lock in Redis: taking it (`SET NX PX`, polled with backoff), renewing it from a
//! background thread while the login runs, and releasing it with a compare-and-delete
//! script; the lock scripts and the unique holder value.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::connection::{Failure, Shared};
use crate::error::{Error, ErrorKind};
use crate::store::LockGuard;

/// The first and the longest pause between two attempts to take a contended lock.
const FIRST_LOCK_POLL: Duration = Duration::from_millis(2);
const MAX_LOCK_POLL: Duration = Duration::from_millis(50);

/// Deletes the lock only while it still holds this holder's value.
pub(super) const RELEASE_LOCK: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Extends the lock's TTL only while it still holds this holder's value.
pub(super) const RENEW_LOCK: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"#;

/// A held login lock in Redis, renewed by a background thread until dropped; the lock of the
/// fallback store too, when there is one.
pub(super) struct RedisLock {
    shared: Arc<Shared>,
    key: String,
    value: String,
    stop: Option<Sender<()>>,
    renewer: Option<JoinHandle<()>>,
    /// Dropped after the Redis lock is released (fields drop after `Drop::drop`).
    pub(super) local: Option<Box<dyn LockGuard>>,
}

impl RedisLock {
    fn start(shared: Arc<Shared>, key: String, value: String) -> RedisLock {
        let (stop, stopped) = mpsc::channel::<()>();
        let every = shared.options.lock_ttl / 3;
        let ttl_ms = shared.options.lock_ttl.as_millis().max(1) as u64;
        let renewer = {
            let (shared, key, value) = (Arc::clone(&shared), key.clone(), value.clone());
            thread::Builder::new()
                .name("authtoken-redis-lock".into())
                .spawn(move || loop {
                    match stopped.recv_timeout(every) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                    let renewed = shared.run("lock renewal", |c| {
                        shared.renew.key(&key).arg(&value).arg(ttl_ms).invoke::<i64>(c)
                    });
                    match renewed {
                        Ok(1) => log::trace!("authtoken: renewed {key}"),
                        Ok(_) => {
                            log::warn!(
                                "authtoken: the login lock {key} in {} expired before it was renewed; \
                                 another process may log in at the same time",
                                shared.shown
                            );
                            return;
                        }
                        Err(e) => log::debug!("authtoken: renewing {key}: {}", e.into_error()),
                    }
                })
        };
        let renewer = match renewer {
            Ok(handle) => Some(handle),
            Err(e) => {
                log::warn!(
                    "authtoken: cannot start the renewal of {key}: {e}; it expires after its TTL"
                );
                None
            }
        };
        RedisLock {
            shared,
            key,
            value,
            stop: Some(stop),
            renewer,
            local: None,
        }
    }

    /// Takes the login lock `lock_key` (polling with bounded, jittered backoff while another
    /// holder has it) and starts its renewal; `LockTimeout` once `deadline` has passed.
    pub(super) fn take(
        shared: &Arc<Shared>,
        lock_key: String,
        deadline: Instant,
    ) -> std::result::Result<RedisLock, Failure> {
        let value = holder_value();
        let ttl_ms = shared.options.lock_ttl.as_millis().max(1) as u64;
        let mut pause = FIRST_LOCK_POLL;
        let mut announced = false;
        loop {
            let acquired = shared.run("lock", |c| {
                let set: Option<String> = redis::cmd("SET")
                    .arg(&lock_key)
                    .arg(&value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query(c)?;
                if set.is_some() {
                    return Ok(true);
                }
                // A SET that succeeded on a connection that then failed is retried on a new
                // one, and answers nil: the lock is ours if it holds our value.
                let holder: Option<String> = redis::cmd("GET").arg(&lock_key).query(c)?;
                Ok(holder.as_deref() == Some(value.as_str()))
            })?;
            if acquired {
                return Ok(RedisLock::start(Arc::clone(shared), lock_key, value));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Failure::Refused(Error::new(
                    ErrorKind::LockTimeout,
                    format!(
                        "another process held the login lock {lock_key} in {} while logging in, for longer than \
                         lock_timeout_ms; raise lock_timeout_ms, or see who holds it: redis-cli GET {lock_key}",
                        shared.shown
                    ),
                )));
            }
            if !announced {
                log::debug!(
                    "authtoken: waiting for another process's login ({lock_key} in {})",
                    shared.shown
                );
                announced = true;
            }
            let jitter = Duration::from_micros(fastrand::u64(0..=pause.as_micros() as u64 / 2));
            thread::sleep((pause + jitter).min(deadline - now));
            pause = (pause * 2).min(MAX_LOCK_POLL);
        }
    }
}

impl LockGuard for RedisLock {}

impl Drop for RedisLock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(handle) = self.renewer.take() {
            let _ = handle.join();
        }
        let released = self.shared.run("lock release", |c| {
            self.shared
                .release
                .key(&self.key)
                .arg(&self.value)
                .invoke::<i64>(c)
        });
        match released {
            Ok(1) => {}
            Ok(_) => log::debug!("authtoken: the login lock {} had already expired", self.key),
            Err(e) => log::debug!(
                "authtoken: releasing {}: {} (it expires on its own)",
                self.key,
                e.into_error()
            ),
        }
    }
}

/// A lock value no other holder has: host, process, and 128 random bits.
fn holder_value() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    let host = if host.is_empty() {
        "host".to_string()
    } else {
        host
    };
    format!(
        "{host}:{}:{:016x}{:016x}",
        std::process::id(),
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_values_are_unique() {
        let a = holder_value();
        let b = holder_value();
        assert_ne!(a, b);
        assert!(a.contains(&format!(":{}:", std::process::id())), "{a}");
    }
}
