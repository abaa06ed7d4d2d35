//! Expiry from untrusted text: a JWT's `exp` claim (the payload is read without verifying the
//! signature), and an `expiry` field (ISO-8601 text or epoch seconds). Never a panic, never a
//! time outside the accepted range, and the refresh rule stays consistent with expiry.
//!
//! Input: the raw token text is tried as it is; then as the payload of a JWT (base64url
//! encoded by the target), and as an expiry field (JSON value, and JSON string).
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authtoken::{jwt_expiry, parse_expiry, Token};
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The latest expiry accepted as epoch seconds (the library's bound).
const LATEST: u64 = 100_000_000_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut expiries = vec![jwt_expiry(&text)];
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data);
    let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
    let from_jwt = jwt_expiry(&jwt);
    if let Some(exp) = from_jwt {
        let claims: Value = serde_json::from_slice(data).expect("an exp was read from JSON claims");
        assert!(claims.get("exp").is_some_and(Value::is_number));
        assert!(exp <= UNIX_EPOCH + Duration::from_secs(LATEST));
    }
    expiries.push(from_jwt);
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let parsed = parse_expiry(&value);
        if value.is_number() {
            if let Some(t) = parsed {
                assert!(t <= UNIX_EPOCH + Duration::from_secs(LATEST));
            }
        }
        expiries.push(parsed);
    }
    expiries.push(parse_expiry(&Value::String(text.into_owned())));

    let now = SystemTime::now();
    for expires_at in expiries {
        let token = Token::new("t0k3n".into(), "JWT", now, expires_at);
        for margin in [0u64, 1, 60, 3600, 7 * 24 * 3600] {
            let margin = Duration::from_secs(margin);
            for at in [
                now,
                now + Duration::from_secs(30),
                now + Duration::from_secs(86_400),
            ] {
                if token.is_expired_at(at) {
                    assert!(
                        token.needs_refresh_at(at, margin),
                        "expired but not refreshed"
                    );
                }
            }
        }
    }
});
