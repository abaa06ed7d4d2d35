//! The identity's current token in memory, and a lock-free summary of it for the warm path.
//!
//! Bindings ask "which fresh token is there?" before every header they hand out (they keep a
//! copy of the header keyed on the answer). A read lock costs two atomic read-modify-writes on
//! a cache line every thread shares; the summary costs four plain loads. It is published with
//! the sequence-lock protocol (H.-J. Boehm, "Can seqlocks get along with programming language
//! memory models?", 2012): a version that is odd while the summary is rewritten and grows with
//! every rewrite, so a reader that sees the same even version before and after reading the
//! summary has read one summary whole. The version is not the token's serial: a token cloned
//! from the store keeps its serial, so one serial can come back after another token's, and a
//! reader keyed on it could pair it with the other token's expiry. Everything here is safe
//! Rust: a wrong ordering could only give a stale answer, never undefined behaviour. No crate
//! offers this over atomics (the `seqlock` crate copies a `T` through volatile reads of an
//! `UnsafeCell`).

use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use crate::token::{Expiry, Token};

/// The current token (read and replaced under its lock) and its published summary.
pub(super) struct CurrentToken {
    token: RwLock<Option<Arc<Token>>>,
    /// Odd while the summary below is rewritten; two more after each rewrite.
    version: AtomicU64,
    /// The serial of the token in `token`; 0 when there is none.
    serial: AtomicU64,
    expires_ns: AtomicU64,
    half_life_ns: AtomicU64,
}

impl Default for CurrentToken {
    fn default() -> CurrentToken {
        CurrentToken {
            token: RwLock::new(None),
            version: AtomicU64::new(0),
            serial: AtomicU64::new(0),
            expires_ns: AtomicU64::new(Expiry::NEVER.expires_ns),
            half_life_ns: AtomicU64::new(Expiry::NEVER.half_life_ns),
        }
    }
}

impl CurrentToken {
    /// The token, borrowed under the read lock.
    pub(super) fn read(&self) -> RwLockReadGuard<'_, Option<Arc<Token>>> {
        self.token.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the token under the write lock and publishes what `change` left; returns what
    /// `change` returns.
    pub(super) fn update<R>(&self, change: impl FnOnce(&mut Option<Arc<Token>>) -> R) -> R {
        let mut token = self.token.write().unwrap_or_else(PoisonError::into_inner);
        // Writers are serialized by the lock. Mark the summary as being rewritten first, so
        // that no reader pairs the old serial with the new expiry.
        let version = self.version.load(Ordering::Relaxed);
        self.version.store(version + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        let result = change(&mut token);
        let (serial, expiry) = token
            .as_deref()
            .map_or((0, Expiry::NEVER), |t| (t.serial(), t.expiry()));
        self.serial.store(serial, Ordering::Relaxed);
        self.expires_ns.store(expiry.expires_ns, Ordering::Relaxed);
        self.half_life_ns
            .store(expiry.half_life_ns, Ordering::Relaxed);
        self.version.store(version + 2, Ordering::Release);
        result
    }

    /// The serial of the current token when it is fresh at `now_ns` with `margin_ns`
    /// ([`Expiry::needs_refresh_at`]), else `None`. Lock-free unless a replacement is under
    /// way or there is no token, when it reads under the lock (and waits for the writer).
    pub(super) fn fresh_serial(&self, now_ns: u64, margin_ns: u64) -> Option<u64> {
        let (serial, expiry) = self
            .summary()
            .or_else(|| self.read().as_deref().map(|t| (t.serial(), t.expiry())))?;
        (!expiry.needs_refresh_at(now_ns, margin_ns)).then_some(serial)
    }

    /// The published serial and expiry, when they were read whole and name a token.
    fn summary(&self) -> Option<(u64, Expiry)> {
        let before = self.version.load(Ordering::Acquire);
        if before % 2 == 1 {
            return None;
        }
        let serial = self.serial.load(Ordering::Relaxed);
        let expiry = Expiry {
            expires_ns: self.expires_ns.load(Ordering::Relaxed),
            half_life_ns: self.half_life_ns.load(Ordering::Relaxed),
        };
        fence(Ordering::Acquire);
        let whole = self.version.load(Ordering::Relaxed) == before;
        (whole && serial != 0).then_some((serial, expiry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    fn token(expires_in_s: u64) -> Arc<Token> {
        let now = SystemTime::now();
        Arc::new(Token::new(
            "t".into(),
            "Token",
            now,
            Some(now + Duration::from_secs(expires_in_s)),
        ))
    }

    fn now_ns() -> u64 {
        crate::token::unix_nanos(SystemTime::now())
    }

    #[test]
    fn the_summary_follows_every_change() {
        let current = CurrentToken::default();
        assert_eq!(current.fresh_serial(now_ns(), 0), None);
        let long = token(3600);
        current.update(|t| *t = Some(Arc::clone(&long)));
        assert_eq!(current.fresh_serial(now_ns(), 0), Some(long.serial()));
        // Within a 60 s margin of its expiry: not fresh.
        let margin_ns = 60_000_000_000;
        assert_eq!(
            current.fresh_serial(now_ns() + 3_541_000_000_000, margin_ns),
            None
        );
        let short = token(10);
        current.update(|t| *t = Some(Arc::clone(&short)));
        assert_eq!(current.fresh_serial(now_ns(), 0), Some(short.serial()));
        assert_eq!(
            current.fresh_serial(now_ns() + 10_000_000_000, 0),
            None,
            "expired"
        );
        current.update(|t| *t = None);
        assert_eq!(current.fresh_serial(now_ns(), 0), None);
        let forever = Arc::new(Token::new("t".into(), "Token", UNIX_EPOCH, None));
        current.update(|t| *t = Some(Arc::clone(&forever)));
        assert_eq!(
            current.fresh_serial(u64::MAX - 1, 0),
            Some(forever.serial())
        );
    }

    /// A writer alternates a fresh and an expired token, so each serial comes back after the
    /// other's (as a token cloned from the store does); readers must never see the fresh one's
    /// serial with the expired one's expiry or the other way round.
    #[test]
    fn readers_never_pair_one_tokens_serial_with_anothers_expiry() {
        let current = Arc::new(CurrentToken::default());
        let fresh = token(3600);
        let now = SystemTime::now();
        let expired = Arc::new(Token::new(
            "t".into(),
            "Token",
            now - Duration::from_secs(20),
            Some(now - Duration::from_secs(10)),
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (current, stop) = (Arc::clone(&current), Arc::clone(&stop));
                let (fresh_serial, expired_serial) = (fresh.serial(), expired.serial());
                std::thread::spawn(move || {
                    let mut seen = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        match current.fresh_serial(now_ns(), 0) {
                            Some(s) if s == fresh_serial => seen += 1,
                            None => {}
                            Some(s) => {
                                panic!("serial {s} reported fresh (expired: {expired_serial})")
                            }
                        }
                    }
                    seen
                })
            })
            .collect();
        for i in 0..200_000 {
            let next = if i % 2 == 0 { &fresh } else { &expired };
            current.update(|t| *t = Some(Arc::clone(next)));
        }
        stop.store(true, Ordering::Relaxed);
        for r in readers {
            r.join().expect("a reader saw a torn summary");
        }
        current.update(|t| *t = Some(Arc::clone(&fresh)));
        assert_eq!(current.fresh_serial(now_ns(), 0), Some(fresh.serial()));
    }
}
