//! Why a command failed: one line on stderr and a documented exit status.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | a local failure: reading a `--data @file`, writing the output, the terminal |
//! | 2 | usage: a bad flag or argument, `--password` |
//! | 4 | `request`: the server answered 4xx (the body is still printed) |
//! | 5 | `request`: the server answered 5xx (the body is still printed) |
//! | 10 + code | a library error of that [`ErrorKind`] code: 11 `invalid_config` … 26 `internal` |

use authtoken::ErrorKind;

/// The exit status of a library error of `kind`.
pub fn exit_status(kind: ErrorKind) -> u8 {
    // Codes are 1..=16 and stay below 246, so the sum fits in a u8 exit status.
    10 + kind.code() as u8
}

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// A bad command line (exit 2).
    Usage(String),
    /// A local I/O failure (exit 1).
    Local(String),
    /// A signed request answered with an error status (exit 4 or 5).
    Http {
        /// The HTTP status.
        status: u16,
        /// What to print.
        message: String,
    },
    /// A library error (exit 10 + its code).
    Lib(authtoken::Error),
    /// A library error with the command's own advice.
    Hinted(authtoken::Error, String),
}

impl Failure {
    /// A library error with advice on what to try.
    pub fn with_hint(error: authtoken::Error, hint: String) -> Failure {
        Failure::Hinted(error, hint)
    }

    /// The process exit status.
    pub fn exit_status(&self) -> u8 {
        match self {
            Failure::Local(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Http { status, .. } if *status >= 500 => 5,
            Failure::Http { .. } => 4,
            Failure::Lib(e) | Failure::Hinted(e, _) => exit_status(e.kind()),
        }
    }

    /// The one line printed on stderr: `authtoken: error[kind]: what failed: server message; try: advice`.
    pub fn line(&self) -> String {
        let text = match self {
            Failure::Usage(m) => format!("error[usage]: {m}"),
            Failure::Local(m) => format!("error[local]: {m}"),
            Failure::Http { message, .. } => format!("error[http_status]: {message}"),
            Failure::Lib(e) => with_try(e, default_hint(e)),
            Failure::Hinted(e, hint) => with_try(e, Some(hint.clone())),
        };
        format!("authtoken: {}", one_line(&text))
    }
}

fn with_try(e: &authtoken::Error, hint: Option<String>) -> String {
    let mut text = format!("error[{}]: {}", e.kind().name(), e.message());
    if let Some(hint) = hint {
        text.push_str("; try: ");
        text.push_str(&hint);
    }
    text
}

/// What to try for an error of this kind (`None` where the library's message already says).
fn default_hint(e: &authtoken::Error) -> Option<String> {
    let hint = match e.kind() {
        ErrorKind::InvalidConfig => "fix the setting named above (see `authtoken --help` for flags and AUTHTOKEN_* variables)",
        ErrorKind::InvalidCredentials => {
            "give the right password in AUTHTOKEN_PASSWORD, with --password-stdin, or at the prompt"
        }
        ErrorKind::TokenLimit => return None,
        ErrorKind::Unauthorized => {
            "the account may not be allowed here; check the path, or `authtoken logout` and `authtoken login` again"
        }
        ErrorKind::Forbidden => "the account is not allowed to do this; check its permissions with the service",
        ErrorKind::RateLimited => {
            return Some(match e.retry_after() {
                Some(wait) => format!("wait {} s and run the command again", wait.as_secs().max(1)),
                None => "wait a little and run the command again".into(),
            })
        }
        ErrorKind::Network => "check the network and the base URL (--base-url, AUTHTOKEN_BASE_URL)",
        ErrorKind::Timeout => "try again, or allow more time with --set timeout_ms=60000",
        ErrorKind::Tls => "check the server's certificate, or give its CA with --set ca_file=PATH",
        ErrorKind::Server => "the service failed; try again later",
        ErrorKind::Protocol => "check that the base URL and provider point at the right service",
        // The store's messages say which directory and what to do.
        ErrorKind::Store => return None,
        ErrorKind::LockTimeout => {
            "another process is logging in and has not finished; try again, or raise --set lock_timeout_ms"
        }
        ErrorKind::InvalidArgument => "check the method, URL and headers (see `authtoken request --help`)",
        ErrorKind::HttpStatus => return None,
        ErrorKind::Internal => "this is a bug in authtoken; please report it with the command you ran",
    };
    Some(hint.to_string())
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_status_above_the_fixed_ones() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let status = exit_status(kind);
            assert!(status > 5, "{kind}: {status}");
            assert!(seen.insert(status), "{kind}: {status} is used twice");
        }
        assert_eq!(exit_status(ErrorKind::InvalidConfig), 11);
        assert_eq!(exit_status(ErrorKind::Internal), 26);
    }

    #[test]
    fn one_line_with_advice() {
        let e = authtoken::Error::new(
            ErrorKind::Network,
            "connecting to http://127.0.0.1:9/\nrefused",
        );
        let line = Failure::Lib(e).line();
        assert_eq!(line.lines().count(), 1);
        assert!(
            line.starts_with("authtoken: error[network]: connecting"),
            "{line}"
        );
        assert!(line.contains("; try: check the network"), "{line}");
    }
}
