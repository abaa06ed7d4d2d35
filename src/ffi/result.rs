//! `authtoken_result`: the return value of every fallible C function.

use crate::error::ErrorKind;

/// The outcome of a call: `AUTHTOKEN_RESULT_OK` (0), or the numeric code of the error kind.
///
/// The values are part of the ABI and never change: each is the `code` of the matching error
/// kind of the Rust core (`ErrorKind::code()`), the same number the Python, PHP and Ruby
/// bindings expose. `authtoken_error_kind_name()` gives the kind's stable snake_case name. On
/// any value but `AUTHTOKEN_RESULT_OK`, the calling thread's last error holds the message
/// (`authtoken_last_error_message()`), and the HTTP status where there was one.
///
/// In C the type is a `uint32_t`; the enumerators are its values. Code that switches on it
/// should have a `default:` branch, as later versions may add values.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum authtoken_result {
    /// Success: the outputs were written.
    Ok = 0,
    /// Kind `invalid_config`: the configuration JSON is malformed, or a key is missing,
    /// unknown, mistyped or not valid for the provider (the message names the key).
    InvalidConfig = 1,
    /// Kind `invalid_credentials`: the server refused the username and password at login
    /// (status 400 or 401).
    InvalidCredentials = 2,
    /// Kind `token_limit`: the service refused to issue another token (TPStreams' 20 live tokens
    /// per organization, Testpress' parallel-login limits). Log out unused tokens.
    TokenLimit = 3,
    /// Kind `unauthorized`: a signed request was refused with 401 even after logging in again.
    Unauthorized = 4,
    /// Kind `forbidden`: the server answered 403 at login or logout, or
    /// `authtoken_response_error_for_status()` saw a 403.
    Forbidden = 5,
    /// Kind `rate_limited`: the server answered 429 and retrying within the allowed wait did not
    /// help (`authtoken_last_error_retry_after_ms()` says how long the server asked to wait).
    RateLimited = 6,
    /// Kind `network`: the server could not be reached, or the connection broke.
    Network = 7,
    /// Kind `timeout`: the server did not answer within `timeout_ms` / `connect_timeout_ms`.
    Timeout = 8,
    /// Kind `tls`: TLS failed (certificate, handshake), or `ca_file` could not be read.
    Tls = 9,
    /// Kind `server`: the server answered with a 5xx status at login or logout, or
    /// `authtoken_response_error_for_status()` saw a 5xx.
    Server = 10,
    /// Kind `protocol`: the server's answer could not be understood (bad JSON, no token, too large).
    Protocol = 11,
    /// Kind `store`: the token store (file cache, Redis) failed or refused an unsafe entry.
    Store = 12,
    /// Kind `lock_timeout`: another process held the login lock for longer than `lock_timeout_ms`.
    LockTimeout = 13,
    /// Kind `invalid_argument`: an argument was invalid: a NULL pointer, a string that is not
    /// UTF-8, a body pointer that does not match its length, malformed headers JSON, an unknown
    /// HTTP method, a bad header, or a URL of another origin.
    InvalidArgument = 14,
    /// Kind `http_status`: `authtoken_response_error_for_status()` saw a 4xx status other than
    /// 401, 403 and 429.
    HttpStatus = 15,
    /// Kind `internal`: a bug inside the library (a panic, caught at the boundary). The handles
    /// remain usable; please report the message.
    Panic = 16,
}

impl From<ErrorKind> for authtoken_result {
    fn from(kind: ErrorKind) -> Self {
        // Exhaustive on purpose: a new kind in the core does not compile until it has a value here.
        match kind {
            ErrorKind::InvalidConfig => authtoken_result::InvalidConfig,
            ErrorKind::InvalidCredentials => authtoken_result::InvalidCredentials,
            ErrorKind::TokenLimit => authtoken_result::TokenLimit,
            ErrorKind::Unauthorized => authtoken_result::Unauthorized,
            ErrorKind::Forbidden => authtoken_result::Forbidden,
            ErrorKind::RateLimited => authtoken_result::RateLimited,
            ErrorKind::Network => authtoken_result::Network,
            ErrorKind::Timeout => authtoken_result::Timeout,
            ErrorKind::Tls => authtoken_result::Tls,
            ErrorKind::Server => authtoken_result::Server,
            ErrorKind::Protocol => authtoken_result::Protocol,
            ErrorKind::Store => authtoken_result::Store,
            ErrorKind::LockTimeout => authtoken_result::LockTimeout,
            ErrorKind::InvalidArgument => authtoken_result::InvalidArgument,
            ErrorKind::HttpStatus => authtoken_result::HttpStatus,
            ErrorKind::Internal => authtoken_result::Panic,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_core_codes() {
        assert_eq!(authtoken_result::Ok as u32, 0);
        for kind in ErrorKind::ALL {
            assert_eq!(authtoken_result::from(kind) as u32, kind.code(), "{kind}");
        }
        assert_eq!(authtoken_result::Panic as u32, ErrorKind::Internal.code());
    }
}
