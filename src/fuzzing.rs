//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz): the crate-internal parsing steps
//! that a server's answer or a caller's argument reaches, callable without a network.
//!
//! Not part of the API: compiled only with the `fuzzing` feature, hidden from the documentation,
//! and free to change with any release. Every function is safe to call from many threads; none
//! touches the network or the disk.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::client::Client;
use crate::config::Config;
use crate::error::Result;
use crate::http::{self, RawResponse};
use crate::response::Response;
use crate::store::CacheKey;
use crate::token::Token;

/// An HTTP answer made of fuzzer bytes. Header names or values HTTP cannot carry are
/// skipped (reqwest would never hand them over); a status outside 100..=999 (the range
/// reqwest accepts) is mapped into it.
pub fn answer(status: u16, headers: &[(&[u8], &[u8])], body: &[u8]) -> FuzzAnswer {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            map.append(n, v);
        }
    }
    FuzzAnswer(RawResponse {
        status: if (100..=999).contains(&status) {
            status
        } else {
            100 + status % 900
        },
        headers: map,
        body: body.to_vec(),
        url: Url::parse("http://127.0.0.1/api/echo/").expect("a valid constant URL"),
    })
}

/// An answer built by [`answer`]; owns its data.
pub struct FuzzAnswer(RawResponse);

impl FuzzAnswer {
    /// The status it carries (100..=999).
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The `Retry-After` the HTTP layer reads from it.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after()
    }

    /// The public [`Response`] a signed request would return for it.
    pub fn into_response(self) -> Response {
        Response::from_raw(self.0)
    }

    /// As [`FuzzAnswer::into_response`], for a request signed with `token`.
    pub fn into_response_signed_with(self, token: Arc<Token>) -> Response {
        Response::from_raw(self.0).signed_with(token)
    }
}

/// What `client` makes of `answer` to its login request: the token, or the error its caller
/// would see (with the server's message scrubbed of the client's password).
///
/// # Errors
/// The login errors of [`Client::token`].
pub fn login_answer(client: &Client, answer: &FuzzAnswer) -> Result<Token> {
    client.fuzz_login_answer(&answer.0)
}

/// Whether `answer` to a signed request makes `client` log in again.
pub fn is_auth_failure(client: &Client, answer: &FuzzAnswer) -> bool {
    client.fuzz_is_auth_failure(&answer.0)
}

/// Where a signed request of `client` for `path_or_url` would be sent.
///
/// # Errors
/// `InvalidArgument` for a URL of another origin, another scheme, or an unparsable target.
pub fn request_target(client: &Client, path_or_url: &str) -> Result<Url> {
    client.fuzz_target(path_or_url)
}

/// The only origin `client` sends its Authorization header to.
pub fn origin(client: &Client) -> &Url {
    client.fuzz_origin()
}

/// Whether two URLs share scheme, host and port (the rule the client applies).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    crate::provider::same_origin(a, b)
}

/// The resolved profile's base URL and the identity's cache id, as a client would compute
/// them from `config`.
///
/// # Errors
/// `InvalidConfig` when the profile cannot be resolved.
pub fn resolve(config: &Config) -> Result<(String, String)> {
    let key = CacheKey::for_config(config);
    Ok((config.profile.base_url.clone(), key.id()))
}

/// The method parser of signed requests.
///
/// # Errors
/// `InvalidArgument` for a method authtoken does not send.
pub fn parse_method(method: &str) -> Result<String> {
    http::parse_method(method).map(|m| m.to_string())
}

/// The validation of a signed request's extra headers; the number of headers accepted.
///
/// # Errors
/// `InvalidArgument` for an invalid name or value, or an `Authorization` header.
pub fn header_map(headers: &[(&str, &str)]) -> Result<usize> {
    http::header_map(headers.iter().copied()).map(|m| m.len())
}

/// The scrubbing applied to server messages before they become part of an error.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    crate::redact::redact(text, secrets)
}
