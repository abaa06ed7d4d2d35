//! The one mapping from an HTTP answer's status to an [`Error`], for the three exchanges that
//! turn a status into an error: a login, a logout, and [`Response::error_for_status`]; and the
//! one reading of `Retry-After` (seconds, or an HTTP date) they all attach.
//!
//! A leaf module: it depends on the error type only.
//!
//! [`Response::error_for_status`]: crate::Response::error_for_status

use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind};

/// Which exchange answered: the statuses mean different things in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exchange {
    /// A login. `token_limit`: the answer names the service's limit of live tokens.
    Login {
        /// The body says the account or organization holds its maximum of tokens.
        token_limit: bool,
    },
    /// A logout (a refused token there counts as logged out and never reaches this).
    Logout,
    /// A signed request, through `error_for_status`.
    Request,
}

/// The error kind for `status` (400 and above) in `exchange`.
pub(crate) fn kind_for(exchange: Exchange, status: u16) -> ErrorKind {
    match (exchange, status) {
        (Exchange::Login { .. }, 400 | 401) => ErrorKind::InvalidCredentials,
        (Exchange::Login { token_limit: true }, 403) => ErrorKind::TokenLimit,
        (Exchange::Request, 401) => ErrorKind::Unauthorized,
        (_, 403) => ErrorKind::Forbidden,
        (_, 429) => ErrorKind::RateLimited,
        (_, 500..=599) => ErrorKind::Server,
        (Exchange::Request, _) => ErrorKind::HttpStatus,
        _ => ErrorKind::Protocol,
    }
}

/// The error for an answer with `status` in `exchange`: its kind from [`kind_for`], `text`
/// as the message, and the server's (already scrubbed) `message` and `code`, the status and
/// `retry_after` attached.
pub(crate) fn status_error(
    exchange: Exchange,
    status: u16,
    text: String,
    message: Option<String>,
    code: Option<String>,
    retry_after: Option<Duration>,
) -> Error {
    Error::new(kind_for(exchange, status), text)
        .with_status(status)
        .with_server_message(message, code)
        .with_retry_after(retry_after)
}

/// A `Retry-After` value: delay-seconds, or an HTTP date (a date in the past is no wait).
/// `None` for anything else.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_exchange_maps_statuses_as_before() {
        let login = Exchange::Login { token_limit: false };
        let limit = Exchange::Login { token_limit: true };
        let cases = [
            (login, 400, ErrorKind::InvalidCredentials),
            (login, 401, ErrorKind::InvalidCredentials),
            (login, 403, ErrorKind::Forbidden),
            (limit, 403, ErrorKind::TokenLimit),
            (login, 404, ErrorKind::Protocol),
            (login, 429, ErrorKind::RateLimited),
            (login, 503, ErrorKind::Server),
            (Exchange::Logout, 403, ErrorKind::Forbidden),
            (Exchange::Logout, 404, ErrorKind::Protocol),
            (Exchange::Logout, 502, ErrorKind::Server),
            (Exchange::Request, 401, ErrorKind::Unauthorized),
            (Exchange::Request, 403, ErrorKind::Forbidden),
            (Exchange::Request, 404, ErrorKind::HttpStatus),
            (Exchange::Request, 429, ErrorKind::RateLimited),
            (Exchange::Request, 500, ErrorKind::Server),
        ];
        for (exchange, status, kind) in cases {
            assert_eq!(kind_for(exchange, status), kind, "{exchange:?} {status}");
        }
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = parse_retry_after(&later).expect("a date");
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
