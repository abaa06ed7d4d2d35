//! The emulated services and their fixed facts (paths, header schemes, token shapes).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the emulated services. Each is mounted under `/<name>` on the emulator's port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Service {
    /// TPStreams (`/tpstreams`): django-rest-knox-like tokens with an `expiry`.
    #[serde(rename = "tpstreams")]
    Tpstreams,
    /// The legacy TPStreams host (`/tpstreams-legacy`): plain DRF tokens, no logout.
    #[serde(rename = "tpstreams-legacy")]
    TpstreamsLegacy,
    /// Testpress (`/testpress`): HS256 JWTs, logout at `/api/v2.4/auth/logout/`.
    #[serde(rename = "testpress")]
    Testpress,
    /// CruxConnect (`/cruxconnect`): 40-hex tokens, no logout.
    #[serde(rename = "cruxconnect")]
    Cruxconnect,
}

impl Service {
    /// Every service, in a fixed order.
    pub const ALL: [Service; 4] = [
        Service::Tpstreams,
        Service::TpstreamsLegacy,
        Service::Testpress,
        Service::Cruxconnect,
    ];

    /// The service's name, which is also its path prefix without the slash.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Tpstreams => "tpstreams",
            Service::TpstreamsLegacy => "tpstreams-legacy",
            Service::Testpress => "testpress",
            Service::Cruxconnect => "cruxconnect",
        }
    }

    /// Index into per-service arrays.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The login paths (after the prefix). Testpress accepts several API versions.
    pub fn login_paths(self) -> &'static [&'static str] {
        match self {
            Service::Tpstreams | Service::TpstreamsLegacy => &["/api/auth/login/"],
            Service::Testpress => &[
                "/api/v2.2/auth-token/",
                "/api/v2.3/auth-token/",
                "/api/v2.5/auth-token/",
            ],
            Service::Cruxconnect => &["/timp/organizations/user-login/"],
        }
    }

    /// The logout path (after the prefix), if the service has one.
    pub fn logout_path(self) -> Option<&'static str> {
        match self {
            Service::Tpstreams => Some("/api/auth/logout/"),
            Service::Testpress => Some("/api/v2.4/auth/logout/"),
            Service::TpstreamsLegacy | Service::Cruxconnect => None,
        }
    }

    /// The `Authorization` scheme the service expects (matched case-insensitively).
    pub fn scheme(self) -> &'static str {
        match self {
            Service::Testpress => "JWT",
            _ => "Token",
        }
    }

    /// The `WWW-Authenticate` value sent with a 401.
    pub fn www_authenticate(self) -> &'static str {
        match self {
            Service::Testpress => "JWT realm=\"api\"",
            _ => "Token",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownService(pub String);

impl fmt::Display for UnknownService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown service {:?} (expected tpstreams, tpstreams-legacy, testpress or cruxconnect)",
            self.0
        )
    }
}

impl std::error::Error for UnknownService {}

impl FromStr for Service {
    type Err = UnknownService;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Service::ALL
            .into_iter()
            .find(|svc| svc.as_str() == s)
            .ok_or_else(|| UnknownService(s.to_owned()))
    }
}

impl AsRef<str> for Service {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}
