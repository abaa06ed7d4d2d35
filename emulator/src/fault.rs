//! Injected faults: what they are and how a request is matched against them.

use serde::{Deserialize, Serialize};

use crate::service::Service;

/// What an injected fault does to a matching request (or connection).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer `status` with `{"detail": "Injected <status>"}` (and `Retry-After` when given)
    /// without handling the request.
    Status,
    /// Sleep `delay_ms`, then handle the request normally.
    Delay,
    /// Read the request, then close the connection without answering. Not processed.
    Drop,
    /// Close the next `count` TCP connections at accept time, before reading anything.
    /// Ignores `service` and `path`.
    Reset,
    /// Answer `200 application/json` with invalid JSON. Not processed.
    Malformed,
    /// Answer `200 application/json` with a body of `bytes` bytes (default 8 MiB). Not processed.
    Oversized,
    /// Handle the request normally (a login issues a token), then close the connection
    /// without sending the response.
    DropAfterProcessing,
}

/// One injected fault. Build one with the constructors and the chaining setters, or
/// deserialize it from the JSON accepted by `POST /_emulator/faults`.
///
/// ```
/// use authtoken_emulator::Fault;
/// let f = Fault::status(503).service("tpstreams").path("login").count(2).retry_after(1);
/// assert_eq!(f.count, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The service whose requests it matches; all services when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// The path after the service prefix, matched exactly, or `"login"` / `"logout"` for the
    /// service's login / logout path; any path when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the fault does.
    pub kind: FaultKind,
    /// How many matching requests (or connections, for `reset`) it applies to.
    #[serde(default = "one")]
    pub count: u32,
    /// The status answered by a `status` fault (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The delay of a `delay` fault, in milliseconds (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// `Retry-After` seconds sent with a `status` fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Body size of an `oversized` fault (default 8 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

fn one() -> u32 {
    1
}

/// Default body size of an `oversized` fault.
pub const DEFAULT_OVERSIZED_BYTES: u64 = 8 * 1024 * 1024;
/// Largest accepted `bytes` for an `oversized` fault.
pub const MAX_OVERSIZED_BYTES: u64 = 512 * 1024 * 1024;

impl Fault {
    /// A fault of the given kind, matching everything once.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            service: None,
            path: None,
            kind,
            count: 1,
            status: None,
            delay_ms: None,
            retry_after: None,
            bytes: None,
        }
    }

    /// Answer `status` instead of handling the request.
    pub fn status(status: u16) -> Fault {
        Fault {
            status: Some(status),
            ..Fault::new(FaultKind::Status)
        }
    }

    /// Sleep `ms` milliseconds before handling the request.
    pub fn delay(ms: u64) -> Fault {
        Fault {
            delay_ms: Some(ms),
            ..Fault::new(FaultKind::Delay)
        }
    }

    /// Close the connection after reading the request, without answering.
    pub fn drop_connection() -> Fault {
        Fault::new(FaultKind::Drop)
    }

    /// Close the next connection at accept time.
    pub fn reset() -> Fault {
        Fault::new(FaultKind::Reset)
    }

    /// Answer invalid JSON.
    pub fn malformed() -> Fault {
        Fault::new(FaultKind::Malformed)
    }

    /// Answer a JSON body of `bytes` bytes.
    pub fn oversized(bytes: u64) -> Fault {
        Fault {
            bytes: Some(bytes),
            ..Fault::new(FaultKind::Oversized)
        }
    }

    /// Handle the request, then close the connection without answering.
    pub fn drop_after_processing() -> Fault {
        Fault::new(FaultKind::DropAfterProcessing)
    }

    /// Restrict to one service (a [`Service`] or its name).
    ///
    /// # Panics
    ///
    /// On an unknown service name (this is a builder for test code).
    pub fn service(mut self, service: impl AsRef<str>) -> Fault {
        match service.as_ref().parse() {
            Ok(svc) => self.service = Some(svc),
            Err(e) => panic!("{e}"),
        }
        self
    }

    /// Restrict to one path (after the service prefix), or `"login"` / `"logout"`.
    pub fn path(mut self, path: impl Into<String>) -> Fault {
        self.path = Some(path.into());
        self
    }

    /// Apply to `count` matching requests.
    pub fn count(mut self, count: u32) -> Fault {
        self.count = count;
        self
    }

    /// Send `Retry-After: secs` (with a `status` fault).
    pub fn retry_after(mut self, secs: u64) -> Fault {
        self.retry_after = Some(secs);
        self
    }

    /// Check the fault's fields; the message is suitable for a 400 answer.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if let Some(s) = self.status {
            if !(100..=599).contains(&s) {
                return Err(format!("status {s} is not an HTTP status"));
            }
        }
        if let Some(b) = self.bytes {
            if b > MAX_OVERSIZED_BYTES {
                return Err(format!("bytes must be at most {MAX_OVERSIZED_BYTES}"));
            }
        }
        Ok(())
    }

    /// Whether a request to `service` at `path` (after the prefix) matches this fault.
    pub(crate) fn matches(&self, service: Service, path: &str) -> bool {
        if self.kind == FaultKind::Reset {
            return false;
        }
        if let Some(s) = self.service {
            if s != service {
                return false;
            }
        }
        match self.path.as_deref() {
            None => true,
            Some("login") => service.login_paths().contains(&path),
            Some("logout") => service.logout_path() == Some(path),
            Some(p) => p == path,
        }
    }
}
