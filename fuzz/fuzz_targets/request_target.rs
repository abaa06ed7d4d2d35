//! Where a signed request goes: for any `path_or_url` (and any extra headers and method), the
//! request either is refused with `InvalidArgument` or goes to the client's own origin, so the
//! `Authorization` header never reaches another host, port or scheme. Paths are tried against
//! a base URL with a path prefix and one without.
//!
//! Input: byte 0 picks the client (provider, and base URL with or without a path); then a line with the method, a line with `name: value`
//! headers separated by `\t`, and the path or URL.
#![no_main]

use authtoken::{fuzzing, ErrorKind};
use authtoken_fuzz::{clients, clients_without_prefix, line, PROVIDERS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [p, rest @ ..] = data else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let set = if *p >= 128 {
        clients_without_prefix()
    } else {
        clients()
    };
    let client = &set[*p as usize % PROVIDERS.len()];
    let secrets = authtoken_fuzz::secrets_absent_from(data);
    let (method, rest) = line(rest.as_bytes());
    let (headers, target) = line(rest);
    let (method, headers, target) = (utf8(method), utf8(headers), utf8(target));

    if let Ok(m) = fuzzing::parse_method(method) {
        assert!(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&m.as_str()));
    }
    let pairs: Vec<(&str, &str)> = headers
        .split('\t')
        .filter(|h| !h.is_empty())
        .map(|h| h.split_once(':').unwrap_or((h, "")))
        .collect();
    match fuzzing::header_map(&pairs) {
        Ok(n) => {
            assert_eq!(n, pairs.len());
            assert!(!pairs
                .iter()
                .any(|(k, _)| k.trim().eq_ignore_ascii_case("authorization")));
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            authtoken_fuzz::check_error(&e, &secrets);
        }
    }

    let origin = fuzzing::origin(client);
    match fuzzing::request_target(client, target) {
        Ok(url) => {
            assert!(
                fuzzing::same_origin(&url, origin),
                "`{target}` leads to {url}, outside {origin}"
            );
            assert!(
                url.username().is_empty() && url.password().is_none(),
                "credentials in {url}"
            );
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
            authtoken_fuzz::check_error(&e, &secrets);
        }
    }
});

fn utf8(bytes: &[u8]) -> &str {
    // The input was checked as a whole; a split at b'\n' keeps every part valid.
    std::str::from_utf8(bytes).expect("a part of a UTF-8 string split at a newline")
}
