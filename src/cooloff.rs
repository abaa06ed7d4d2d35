//! The login cool-off: a refused login is remembered in the identity's shared store, so that
//! every thread, process, language and machine of that identity gets the same error at once
//! instead of asking the server again (which is what locks accounts and burns token limits).
//!
//! * What is remembered: a login answered `invalid_credentials`, `token_limit`, `forbidden` or
//!   `rate_limited` (429). Network errors, timeouts, 5xx and unreadable answers are not: they
//!   say nothing about the account.
//! * For how long: `login_cooloff_s` (default 60), or the server's `Retry-After` when that is
//!   longer (at most [`MAX_COOLOFF`]); `0` turns the cool-off off.
//! * Whose refusal: the record holds an scrypt hash of the password, salted with the identity
//!   ([`password_hash`]); a caller whose password hashes differently (the password was fixed)
//!   ignores the record and logs in. The hash is computed at most once per process for an
//!   identity and password ([`memoized_password_hash`]: a PHP worker that makes a client per
//!   request pays it once), and only when a refusal is recorded or a record is found: never on
//!   the token's path.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use once_cell::sync::Lazy;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};
use crate::store::{CacheKey, Refusal, REFUSAL_VERSION};
use crate::token::unix_seconds;

/// The longest cool-off a server's `Retry-After` can impose (a day).
pub const MAX_COOLOFF: Duration = Duration::from_secs(24 * 3600);

/// scrypt's cost: N = 2^14, r = 8, p = 1 (16 MiB, tens of milliseconds): deliberately slow,
/// so that a reader of the store gains nothing cheaper than guessing passwords at that cost.
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
const HASH_LEN: usize = 32;

/// Whether a login refused with `kind` is remembered.
pub(crate) fn is_remembered(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidCredentials
            | ErrorKind::TokenLimit
            | ErrorKind::Forbidden
            | ErrorKind::RateLimited
    )
}

/// `scrypt$ln=14,r=8,p=1$<hex>`: the password's scrypt hash, salted with the identity (so
/// that every process of the identity computes the same value and can compare it with a
/// record, and two identities with one password have different hashes).
pub(crate) fn password_hash(key: &CacheKey, password: &secrecy::SecretString) -> String {
    let salt = Sha256::new()
        .chain_update(b"authtoken-cooloff-salt-v1")
        .chain_update(key.id().as_bytes())
        .finalize();
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, HASH_LEN)
        .expect("constant scrypt parameters are valid");
    let mut out = zeroize::Zeroizing::new([0u8; HASH_LEN]);
    scrypt::scrypt(
        password.expose_secret().as_bytes(),
        &salt[..16],
        &params,
        &mut out[..],
    )
    .expect("the output length is a constant scrypt accepts");
    let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
    format!("scrypt$ln={SCRYPT_LOG_N},r={SCRYPT_R},p={SCRYPT_P}${hex}")
}

/// The most (identity, password) hashes the memo keeps; past it, it starts again.
const MEMO_CAPACITY: usize = 64;

/// A random key drawn once per process, so that the memo's lookup digests (which depend on the
/// password) are worthless outside this process's memory, where the password itself lives.
static MEMO_KEY: Lazy<[u8; 32]> = Lazy::new(|| {
    let mut key = [0u8; 32];
    if let Err(e) = getrandom::getrandom(&mut key) {
        // Without OS randomness the memo still works; its digests are then only as secret as
        // the password beside them in this process's memory.
        log::warn!("authtoken: no OS randomness for the password-hash memo ({e})");
    }
    key
});

/// The password hashes this process has computed, by a keyed digest of identity and password.
static MEMO: Lazy<Mutex<HashMap<[u8; 32], String>>> = Lazy::new(|| Mutex::new(HashMap::new()));

/// [`password_hash`], computed once per process for an identity and password: clients made
/// one per request (PHP-FPM, CGI-style code) share it instead of paying scrypt each time.
pub(crate) fn memoized_password_hash(key: &CacheKey, password: &secrecy::SecretString) -> String {
    let lookup: [u8; 32] = Sha256::new()
        .chain_update(*MEMO_KEY)
        .chain_update(key.id().as_bytes())
        .chain_update(b"\0")
        .chain_update(password.expose_secret().as_bytes())
        .finalize()
        .into();
    if let Some(hash) = MEMO
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&lookup)
    {
        return hash.clone();
    }
    // Computed outside the lock: two threads may both compute it once, none waits on another.
    let hash = password_hash(key, password);
    let mut memo = MEMO.lock().unwrap_or_else(PoisonError::into_inner);
    if memo.len() >= MEMO_CAPACITY {
        memo.clear();
    }
    memo.insert(lookup, hash.clone());
    hash
}

/// How long the refusal `error` is remembered: `cooloff`, or its `Retry-After` when longer
/// (capped at [`MAX_COOLOFF`]). `None` when the cool-off is off or the error is not remembered.
pub(crate) fn duration_for(error: &Error, cooloff: Duration) -> Option<Duration> {
    if cooloff.is_zero() || !is_remembered(error.kind()) {
        return None;
    }
    let asked = error.retry_after().unwrap_or_default().min(MAX_COOLOFF);
    Some(cooloff.max(asked))
}

/// RFC 3339 in UTC, whole seconds: `2026-12-03T10:01:02Z`.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let secs = unix_seconds(t) as i64;
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{secs} (seconds since the epoch)"))
}

/// The record of the refusal `error`, remembered until `until`.
pub(crate) fn record(
    key: &CacheKey,
    hash: String,
    error: &Error,
    now: SystemTime,
    until: SystemTime,
) -> Refusal {
    Refusal {
        version: REFUSAL_VERSION,
        provider: key.provider.clone(),
        base_url: key.base_url.clone(),
        username: key.username.clone(),
        organization: key.organization.clone(),
        password_hash: hash,
        kind: error.kind().name().to_string(),
        status: error.status(),
        message: error.message().to_string(),
        server_message: error.server_message().map(str::to_string),
        error_code: error.error_code().map(str::to_string),
        refused_at: unix_seconds(now),
        // Rounded up: a cool-off never ends before the server's wait has passed.
        until: unix_seconds(until)
            + u64::from(
                until
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .is_ok_and(|d| d.subsec_nanos() > 0),
            ),
    }
}

/// The error the first caller sees: the server's, saying that it is now remembered.
pub(crate) fn first_error(error: Error, until: SystemTime) -> Error {
    let text = format!(
        "{}; this refusal is remembered until {} (login_cooloff_s): until then every caller of \
         this identity gets this error without contacting the server, unless its password changes \
         (forget() or `authtoken cache clear` lifts it)",
        error.message(),
        rfc3339(until)
    );
    error.with_message(text)
}

/// The error every caller sees while `refusal` lasts: the same kind, status, server message
/// and code as the refused login, and the time left as `retry_after`.
pub(crate) fn remembered_error(refusal: &Refusal, now: SystemTime) -> Error {
    let kind = refusal
        .error_kind()
        .unwrap_or(ErrorKind::InvalidCredentials);
    let original = refusal
        .message
        .split("; this refusal is remembered until")
        .next()
        .unwrap_or(&refusal.message);
    let text = format!(
        "{original} [remembered: this login was refused at {} and no login is attempted for this \
         identity until {} (login_cooloff_s) unless its password changes; forget() or `authtoken \
         cache clear` lifts it]",
        rfc3339(refusal.refused_at()),
        rfc3339(refusal.until()),
    );
    let mut e = Error::new(kind, text)
        .with_server_message(refusal.server_message.clone(), refusal.error_code.clone())
        .with_retry_after(refusal.until().duration_since(now).ok());
    if let Some(status) = refusal.status {
        e = e.with_status(status);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user: &str) -> CacheKey {
        CacheKey {
            provider: "testpress".into(),
            base_url: "http://127.0.0.1:1/testpress".into(),
            username: user.into(),
            organization: None,
        }
    }

    #[test]
    fn the_hash_is_salted_with_the_identity_and_never_the_password() {
        let pw = secrecy::SecretString::from("correct horse".to_string());
        let a = password_hash(&key("a"), &pw);
        assert_eq!(a, password_hash(&key("a"), &pw), "stable across calls");
        assert_ne!(a, password_hash(&key("b"), &pw), "salted per identity");
        let other = secrecy::SecretString::from("correct horse!".to_string());
        assert_ne!(a, password_hash(&key("a"), &other));
        assert!(a.starts_with("scrypt$ln=14,r=8,p=1$") && !a.contains("horse"));
        assert_eq!(a.len(), "scrypt$ln=14,r=8,p=1$".len() + 64);
    }

    #[test]
    fn the_memo_gives_the_same_hash_per_identity_and_password() {
        let pw = secrecy::SecretString::from("memo horse".to_string());
        let other = secrecy::SecretString::from("memo horse!".to_string());
        let a = memoized_password_hash(&key("memo-a"), &pw);
        assert_eq!(a, password_hash(&key("memo-a"), &pw));
        assert_eq!(a, memoized_password_hash(&key("memo-a"), &pw));
        assert_eq!(
            memoized_password_hash(&key("memo-a"), &other),
            password_hash(&key("memo-a"), &other),
            "another password is another entry"
        );
        assert_eq!(
            memoized_password_hash(&key("memo-b"), &pw),
            password_hash(&key("memo-b"), &pw),
            "another identity is another entry"
        );
        let memo = MEMO.lock().unwrap();
        assert!(memo.values().any(|h| h == &a));
        assert!(memo.len() <= MEMO_CAPACITY);
    }

    #[test]
    fn only_refusals_are_remembered_for_the_longer_of_cooloff_and_retry_after() {
        let refused = |kind| Error::new(kind, "x");
        let minute = Duration::from_secs(60);
        for kind in [
            ErrorKind::InvalidCredentials,
            ErrorKind::TokenLimit,
            ErrorKind::Forbidden,
            ErrorKind::RateLimited,
        ] {
            assert_eq!(duration_for(&refused(kind), minute), Some(minute), "{kind}");
        }
        for kind in [
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::Server,
            ErrorKind::Protocol,
            ErrorKind::Tls,
        ] {
            assert_eq!(duration_for(&refused(kind), minute), None, "{kind}");
        }
        let slow = refused(ErrorKind::RateLimited).with_retry_after(Some(Duration::from_secs(300)));
        assert_eq!(duration_for(&slow, minute), Some(Duration::from_secs(300)));
        let short = refused(ErrorKind::RateLimited).with_retry_after(Some(Duration::from_secs(5)));
        assert_eq!(duration_for(&short, minute), Some(minute));
        let huge = refused(ErrorKind::RateLimited).with_retry_after(Some(MAX_COOLOFF * 9));
        assert_eq!(duration_for(&huge, minute), Some(MAX_COOLOFF));
        assert_eq!(duration_for(&slow, Duration::ZERO), None, "0 turns it off");
    }

    #[test]
    fn a_remembered_error_keeps_kind_status_and_server_message() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let until = now + Duration::from_secs(60);
        let e = Error::new(ErrorKind::TokenLimit, "login failed: HTTP 403: limit")
            .with_status(403)
            .with_server_message(
                Some("limit".into()),
                Some("parallel_login_restriction".into()),
            );
        let first = first_error(e.clone(), until);
        assert!(first
            .message()
            .contains("remembered until 2027-01-15T08:01:00Z"));
        let r = record(&key("u"), "scrypt$x".into(), &first, now, until);
        let seen = remembered_error(&r, now + Duration::from_secs(10));
        assert_eq!(seen.kind(), ErrorKind::TokenLimit);
        assert_eq!(seen.status(), Some(403));
        assert_eq!(seen.server_message(), Some("limit"));
        assert_eq!(seen.error_code(), Some("parallel_login_restriction"));
        assert_eq!(seen.retry_after(), Some(Duration::from_secs(50)));
        assert!(seen
            .message()
            .starts_with("login failed: HTTP 403: limit [remembered:"));
        assert!(
            seen.message().contains("until 2027-01-15T08:01:00Z"),
            "{seen}"
        );
    }
}
