//! A login answer, for every provider: whatever the server sends (status, `Date`,
//! `Retry-After`, body), the client either takes a usable token from it or fails with one of
//! the documented login errors for that status, and the password never appears in the error.
//!
//! Input: byte 0 picks the provider, byte 1 the status; then a line with the `Date` header
//! (empty: none), a line with `Retry-After` (empty: none), and the body.
#![no_main]

use std::time::SystemTime;

use authtoken::{fuzzing, ErrorKind};
use authtoken_fuzz::{clients, line, PROVIDERS, STATUSES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [p, s, rest @ ..] = data else {
        return;
    };
    let index = *p as usize % PROVIDERS.len();
    let client = &clients()[index];
    let status = STATUSES[*s as usize % STATUSES.len()];
    let (date, rest) = line(rest);
    let (retry_after, body) = line(rest);
    let mut headers: Vec<(&[u8], &[u8])> = vec![(b"content-type", b"application/json")];
    if !date.is_empty() {
        headers.push((b"date", date));
    }
    if !retry_after.is_empty() {
        headers.push((b"retry-after", retry_after));
    }
    let answer = fuzzing::answer(status, &headers, body);
    let _ = answer.retry_after();
    let before = SystemTime::now();
    match fuzzing::login_answer(client, &answer) {
        Ok(token) => {
            assert!((200..300).contains(&status), "a token from HTTP {status}");
            let secret = token.secret();
            assert!(!secret.is_empty() && secret.len() <= 16 * 1024);
            assert!(
                secret.bytes().all(|b| b.is_ascii_graphic()),
                "unusable token accepted"
            );
            let scheme = ["Token", "token", "JWT", "Token", "Bearer"][index];
            assert_eq!(token.header_value(), format!("{scheme} {secret}"));
            assert!(token.obtained_at() >= before);
            if let Some(exp) = token.expires_at() {
                assert!(
                    exp > token.obtained_at(),
                    "a token that expired on arrival was kept"
                );
            }
            if secret.len() >= 24 {
                assert!(!format!("{token:?}").contains(secret), "token in Debug");
            }
        }
        Err(e) => {
            let expected: &[ErrorKind] = match status {
                200..=299 => &[ErrorKind::Protocol],
                400 | 401 => &[ErrorKind::InvalidCredentials],
                403 => &[ErrorKind::TokenLimit, ErrorKind::Forbidden],
                429 => &[ErrorKind::RateLimited],
                500..=599 => &[ErrorKind::Server],
                _ => &[ErrorKind::Protocol],
            };
            assert!(
                expected.contains(&e.kind()),
                "HTTP {status} gave {:?}: {e}",
                e.kind()
            );
            assert_eq!(e.status(), Some(status));
            // The password is scrubbed from whatever the server sent.
            authtoken_fuzz::check_error(&e, &[authtoken_fuzz::SENTINEL_PASSWORD]);
            if let Some(m) = e.server_message() {
                assert!(
                    !m.chars().any(char::is_control),
                    "control characters in {m:?}"
                );
                assert!(m.chars().count() <= 501, "unbounded server message");
            }
        }
    }
});
