//! Error kinds with stable numeric codes, shared by every binding.

use std::fmt;
use std::time::Duration;

use crate::redact::redact;

/// What went wrong, as a stable number.
///
/// The numeric values are part of the public contract: the C ABI returns them as
/// `authtoken_result`, and the Python, PHP and Ruby bindings expose the same numbers as
/// the `code` of their exceptions. New kinds get new numbers; numbers are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ErrorKind {
    /// The configuration document is invalid: a missing, unknown, mistyped or misplaced key.
    InvalidConfig = 1,
    /// The server refused the username and password at login.
    InvalidCredentials = 2,
    /// The service refused to issue another token (TPStreams' 20 live tokens per organization,
    /// Testpress' parallel-login limits).
    TokenLimit = 3,
    /// A signed request was refused with 401 even after logging in again.
    Unauthorized = 4,
    /// The server answered 403 at login or logout.
    Forbidden = 5,
    /// The server answered 429 and retrying within the allowed wait did not help.
    RateLimited = 6,
    /// The server could not be reached, or the connection broke.
    Network = 7,
    /// The server did not answer within `timeout_ms` / `connect_timeout_ms`.
    Timeout = 8,
    /// TLS failed: certificate, handshake, or an unreadable `ca_file`.
    Tls = 9,
    /// The server answered with a 5xx status.
    Server = 10,
    /// The server's answer could not be understood (bad JSON, missing token, too large).
    Protocol = 11,
    /// The token store (file cache, Redis) failed or refused an unsafe entry.
    Store = 12,
    /// Another process held the login lock for longer than `lock_timeout_ms`.
    LockTimeout = 13,
    /// A call's argument was invalid: method, URL, header, or another origin.
    InvalidArgument = 14,
    /// A signed request answered with an error status, reported by `Response::error_for_status`.
    HttpStatus = 15,
    /// A bug inside the library (a caught panic). Please report it.
    Internal = 16,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::InvalidConfig,
        ErrorKind::InvalidCredentials,
        ErrorKind::TokenLimit,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::RateLimited,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::Server,
        ErrorKind::Protocol,
        ErrorKind::Store,
        ErrorKind::LockTimeout,
        ErrorKind::InvalidArgument,
        ErrorKind::HttpStatus,
        ErrorKind::Internal,
    ];

    /// The stable numeric code of this kind.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The kind with this code, if any.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// A stable snake_case name, used for exception class names and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::TokenLimit => "token_limit",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Tls => "tls",
            ErrorKind::Server => "server",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Store => "store",
            ErrorKind::LockTimeout => "lock_timeout",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error from authtoken.
///
/// The message never contains a password or a token: messages built from server answers are
/// scrubbed of the client's secrets before they are stored. `Error` is `Send + Sync + Clone`.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    server_message: Option<String>,
    error_code: Option<String>,
    retry_after: Option<Duration>,
}

impl Error {
    /// A new error of `kind` with a complete, human-readable `message`.
    ///
    /// Control characters in `message` (a NUL, a newline, a terminal escape, taken from a
    /// config key, a path or a header the caller passed) are shown escaped (`\u{0}`, `\n`), so
    /// that a message is always one line of text: C reads it up to its first NUL, and a log
    /// line cannot be forged through it.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: one_line(message.into()),
            status: None,
            server_message: None,
            error_code: None,
            retry_after: None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidConfig, message)
    }

    pub(crate) fn argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn store(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Store, message)
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_server_message(
        mut self,
        message: Option<String>,
        code: Option<String>,
    ) -> Self {
        self.server_message = message;
        self.error_code = code;
        self
    }

    /// The same error with another message (kept on one line, as in [`Error::new`]).
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = one_line(message.into());
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The same error with every occurrence of `secrets` in its texts replaced: for errors
    /// that show a caller's input (a path, a URL) that may itself contain the token.
    pub(crate) fn scrubbed(mut self, secrets: &[&str]) -> Self {
        self.message = redact(&self.message, secrets);
        self.server_message = self.server_message.map(|m| redact(&m, secrets));
        self.error_code = self.error_code.map(|c| redact(&c, secrets));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable numeric code of the kind (the C ABI's `authtoken_result`).
    pub fn code(&self) -> u32 {
        self.kind.code()
    }

    /// The full message, including the server's own message where there was one.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the answer that caused the error, if there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The server's own message (from `detail`, `message`, `error`, `non_field_errors`, ...).
    pub fn server_message(&self) -> Option<&str> {
        self.server_message.as_deref()
    }

    /// The server's `error_code` field, when it sent one (Testpress' login limits).
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    /// How long the server asked to wait (`Retry-After`), for rate limits.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `message` with every control character replaced by its escape.
fn one_line(message: String) -> String {
    if !message.chars().any(char::is_control) {
        return message;
    }
    let mut out = String::with_capacity(message.len() + 8);
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The result type of authtoken.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.code(), i as u32 + 1);
            assert_eq!(ErrorKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::TokenLimit.code(), 3);
        assert_eq!(ErrorKind::Internal.name(), "internal");
    }

    #[test]
    fn messages_are_one_line_of_text() {
        // Found by the c_abi fuzz target: a config key with an escaped NUL ("\u0000") was
        // echoed into the message, which C then read only up to the NUL.
        let e = Error::new(
            ErrorKind::InvalidConfig,
            "unknown config key `a\0b\nc\u{1b}[31m`",
        );
        assert_eq!(e.message(), "unknown config key `a\\u{0}b\\nc\\u{1b}[31m`");
        assert!(!e.message().chars().any(char::is_control));
        assert_eq!(
            Error::new(ErrorKind::Network, "plain – ünïcode").message(),
            "plain – ünïcode"
        );
    }
}
