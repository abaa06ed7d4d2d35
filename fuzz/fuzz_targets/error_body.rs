//! Error answers to signed requests: the server's message and `error_code` (Django REST
//! framework conventions, or any bytes at all), `Retry-After`, and the error a caller gets
//! from `Response::error_for_status`, which never shows the token the request was signed with. Messages are bounded and free of control characters
//! (they end up in terminals and log files); the kind follows the status; only a 401, or
//! Testpress' 403 naming a bad JWT, makes the client log in again.
//!
//! Input: byte 0 picks the status; then a line with `Retry-After` (empty: none), and the body.
#![no_main]

use std::sync::Arc;
use std::time::SystemTime;

use authtoken::{fuzzing, parse_server_error, ErrorKind, Token};
use authtoken_fuzz::{clients, line, SENTINEL_TOKEN, STATUSES};
use libfuzzer_sys::fuzz_target;

fn check_text(what: &str, text: &str) {
    assert!(
        !text.chars().any(char::is_control),
        "control characters in the {what}: {text:?}"
    );
    assert!(text.chars().count() <= 501, "unbounded {what}");
    assert!(!text.is_empty(), "empty {what}");
}

fuzz_target!(|data: &[u8]| {
    let [s, rest @ ..] = data else {
        return;
    };
    let status = STATUSES[*s as usize % STATUSES.len()];
    let (retry_after, body) = line(rest);

    let (message, code) = parse_server_error(body);
    if let Some(m) = &message {
        check_text("message", m);
    }
    if let Some(c) = &code {
        check_text("error code", c);
    }

    let mut headers: Vec<(&[u8], &[u8])> = vec![(b"content-type", b"application/json")];
    if !retry_after.is_empty() {
        headers.push((b"retry-after", retry_after));
    }
    let make = || fuzzing::answer(status, &headers, body);
    let _ = make().retry_after();

    let tpstreams = &clients()[0];
    let testpress = &clients()[2];
    assert_eq!(fuzzing::is_auth_failure(tpstreams, &make()), status == 401);
    let testpress_relogs = fuzzing::is_auth_failure(testpress, &make());
    if testpress_relogs && status != 401 {
        assert_eq!(status, 403);
        let m = message.as_deref().unwrap_or_default();
        assert!(
            [
                "Invalid signature.",
                "Signature has expired.",
                "Error decoding signature."
            ]
            .contains(&m),
            "a 403 with {m:?} made the client log in again"
        );
    }

    let _ = make().into_response();
    let token = Arc::new(Token::new(
        SENTINEL_TOKEN.into(),
        "Token",
        SystemTime::now(),
        None,
    ));
    let response = make().into_response_signed_with(token);
    assert_eq!(response.status(), status);
    assert_eq!(response.body(), body);
    let _ = response.json::<serde_json::Value>();
    let _ = response.header("retry-after");
    match response.error_for_status() {
        Ok(r) => assert!(r.status() < 400),
        Err(e) => {
            let expected = match status {
                401 => ErrorKind::Unauthorized,
                403 => ErrorKind::Forbidden,
                429 => ErrorKind::RateLimited,
                500..=599 => ErrorKind::Server,
                _ => ErrorKind::HttpStatus,
            };
            assert_eq!(e.kind(), expected);
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.server_message().is_some(), message.is_some());
            assert_eq!(e.error_code().is_some(), code.is_some());
            // The token the request was signed with is scrubbed from what the server sent.
            authtoken_fuzz::check_error(&e, &[SENTINEL_TOKEN]);
        }
    }
});
