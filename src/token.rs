//! Tokens and their expiry: the login response's `expiry`, else the JWT's `exp`, else the
//! configured lifetime, else unknown (valid until the server says 401).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// A token with its scheme and expiry.
///
/// `Token` is immutable, `Send + Sync`, and shared behind `Arc`. Its `Debug` output never
/// shows the secret; the secret is zeroized when the last reference is dropped.
#[derive(Clone)]
pub struct Token {
    value: SecretString,
    header: SecretString,
    obtained_at: SystemTime,
    expires_at: Option<SystemTime>,
    expiry: Expiry,
    serial: u64,
}

/// A token's expiry as integers, for the freshness rule without `SystemTime` arithmetic
/// (the warm path asks it on every call, and the slot publishes it lock-free).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Expiry {
    /// Nanoseconds since the Unix epoch; `u64::MAX` for a token that never expires.
    pub(crate) expires_ns: u64,
    /// Half the time from obtaining the token to its expiry: the most margin it is given.
    pub(crate) half_life_ns: u64,
}

impl Expiry {
    /// A token without a known expiry: fresh until the server refuses it.
    pub(crate) const NEVER: Expiry = Expiry {
        expires_ns: u64::MAX,
        half_life_ns: u64::MAX,
    };

    fn of(obtained_at: SystemTime, expires_at: Option<SystemTime>) -> Expiry {
        match expires_at {
            None => Expiry::NEVER,
            Some(exp) => Expiry {
                // An expiry past 2554 is "never" for this rule.
                expires_ns: unix_nanos(exp),
                half_life_ns: duration_nanos(exp.duration_since(obtained_at).unwrap_or_default())
                    / 2,
            },
        }
    }

    /// The one freshness rule: replace the token once `now_ns` is within `margin_ns` of its
    /// expiry, the margin capped at half its lifetime, so that a token issued with less
    /// lifetime than the margin is still used for half of it instead of causing a login on
    /// every call.
    pub(crate) fn needs_refresh_at(self, now_ns: u64, margin_ns: u64) -> bool {
        self.expires_ns != u64::MAX
            && now_ns.saturating_add(margin_ns.min(self.half_life_ns)) >= self.expires_ns
    }
}

/// Nanoseconds since the Unix epoch: 0 before it, `u64::MAX` after 2554.
pub(crate) fn unix_nanos(t: SystemTime) -> u64 {
    duration_nanos(t.duration_since(UNIX_EPOCH).unwrap_or_default())
}

/// `d` in nanoseconds, `u64::MAX` when it does not fit (584 years).
pub(crate) fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The serial of the next token made in this process (0 is never given: it means "none").
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// The longest token accepted, from a login answer or a store.
pub(crate) const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Whether `s` can be a token: non-empty, at most [`MAX_TOKEN_BYTES`], printable ASCII only
/// (it goes into an HTTP header as it is). The one check, for login answers and stored entries.
pub(crate) fn is_token_shaped(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_TOKEN_BYTES && s.bytes().all(|b| b.is_ascii_graphic())
}

impl Token {
    /// A token as received or loaded from a store.
    pub fn new(
        value: String,
        scheme: &str,
        obtained_at: SystemTime,
        expires_at: Option<SystemTime>,
    ) -> Token {
        let header = SecretString::from(format!("{scheme} {value}"));
        Token {
            value: SecretString::from(value),
            header,
            obtained_at,
            expires_at,
            expiry: Expiry::of(obtained_at, expires_at),
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// A number that names this token within the process: every token made gets a new one
    /// (never 0), and its clones share it. Bindings key a copy of the header on it (see
    /// [`Client::fresh_token_serial`](crate::Client::fresh_token_serial)).
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// The bare token. Treat it as a password: do not log it.
    pub fn secret(&self) -> &str {
        self.value.expose_secret()
    }

    /// The `Authorization` header value, e.g. `Token 3f…` or `JWT eyJ…`.
    pub fn header_value(&self) -> &str {
        self.header.expose_secret()
    }

    /// When the token was obtained (by this process or another).
    pub fn obtained_at(&self) -> SystemTime {
        self.obtained_at
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the token has expired at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|exp| now >= exp)
    }

    /// Whether the token should be replaced at `now`, `margin` ahead of its expiry.
    ///
    /// The margin never exceeds half the token's lifetime, so a token issued with less
    /// lifetime than the margin is still used for half of it instead of causing a login on
    /// every call.
    pub fn needs_refresh_at(&self, now: SystemTime, margin: Duration) -> bool {
        self.expiry
            .needs_refresh_at(unix_nanos(now), duration_nanos(margin))
    }

    /// The expiry as the warm path reads it.
    pub(crate) fn expiry(&self) -> Expiry {
        self.expiry
    }

    /// Whether two tokens hold the same secret.
    pub fn same_secret(&self, other: &Token) -> bool {
        self.secret() == other.secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("obtained_at", &unix_seconds(self.obtained_at))
            .field("expires_at", &self.expires_at.map(unix_seconds))
            .finish()
    }
}

/// Seconds since the Unix epoch (0 for earlier times).
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The `exp` claim of a JWT, read without verifying the signature (the client has no key;
/// the server verifies). `None` when the token is not a JWT or has no numeric `exp`.
pub fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.len() > 64 * 1024 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    epoch_value(claims.get("exp")?)
}

/// An expiry field's value: ISO-8601 / RFC 3339 text, or seconds since the epoch.
pub fn parse_expiry(value: &Value) -> Option<SystemTime> {
    match value {
        Value::String(s) => parse_iso8601(s),
        other => epoch_value(other),
    }
}

fn epoch_value(value: &Value) -> Option<SystemTime> {
    let secs = value.as_f64()?;
    if !(0.0..=1e11).contains(&secs) {
        return None;
    }
    Some(UNIX_EPOCH + Duration::from_secs_f64(secs))
}

fn parse_iso8601(s: &str) -> Option<SystemTime> {
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;
    let s = s.trim();
    if s.len() > 64 {
        return None;
    }
    let parsed = OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339))
        .ok()?;
    Some(SystemTime::from(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jwt_exp_is_read() {
        // The sample token from Testpress' docs: exp 1447833229.
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6InRlc3RwcmVzcyIsInVzZXJfaWQiOjE3LCJlbWFpbCI6InRlc3RwcmVzcy5pbkBnbWFpbC5jb20iLCJleHAiOjE0NDc4MzMyMjl9.Ik_yi4lHbNbrRGhqmRpsW82Nls_O9lgXakk_syV-vSw";
        assert_eq!(
            jwt_expiry(t),
            Some(UNIX_EPOCH + Duration::from_secs(1447833229))
        );
        assert_eq!(jwt_expiry("3f00aa"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
    }

    #[test]
    fn iso_expiry_forms() {
        let z = parse_expiry(&json!("2026-11-25T07:00:00.123456Z")).unwrap();
        let off = parse_expiry(&json!("2026-11-25T12:30:00.123456+05:30")).unwrap();
        assert_eq!(z, off);
        assert!(parse_expiry(&json!("2026-11-25T07:00:00")).is_some());
        assert!(parse_expiry(&json!("tomorrow")).is_none());
        assert_eq!(
            parse_expiry(&json!(100)),
            Some(UNIX_EPOCH + Duration::from_secs(100))
        );
        assert_eq!(parse_expiry(&json!(-5)), None);
    }

    #[test]
    fn refresh_margin_is_capped_at_half_the_lifetime() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let short = Token::new(
            "sekrit".into(),
            "Token",
            t0,
            Some(t0 + Duration::from_secs(10)),
        );
        // A 60 s margin on a 10 s token: still fresh for its first 5 s.
        assert!(!short.needs_refresh_at(t0 + Duration::from_secs(4), Duration::from_secs(60)));
        assert!(short.needs_refresh_at(t0 + Duration::from_secs(5), Duration::from_secs(60)));
        let long = Token::new(
            "sekrit".into(),
            "Token",
            t0,
            Some(t0 + Duration::from_secs(3600)),
        );
        assert!(!long.needs_refresh_at(t0 + Duration::from_secs(3539), Duration::from_secs(60)));
        assert!(long.needs_refresh_at(t0 + Duration::from_secs(3540), Duration::from_secs(60)));
        let forever = Token::new("sekrit".into(), "Token", t0, None);
        assert!(
            !forever.needs_refresh_at(t0 + Duration::from_secs(1 << 30), Duration::from_secs(60))
        );
        assert!(!format!("{forever:?}").contains("sekrit"));
        assert_eq!(short.header_value(), "Token sekrit");
    }
}
