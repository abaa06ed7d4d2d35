//! # authtoken
//!
//! Logs in to the token-auth APIs of TPStreams, Testpress and CruxConnect (and any service
//! built the same way), keeps and reuses the token across threads, processes and machines,
//! signs requests with it, and revokes it.
//!
//! ```no_run
//! let client = authtoken::Client::from_json(r#"{
//!     "provider": "tpstreams",
//!     "username": "hari@example.com",
//!     "password": "welcome",
//!     "organization_id": "auhf2k"
//! }"#)?;
//! let header = client.authorization_header()?; // "Token 3f…", logged in once
//! let assets = client.get("/api/v1/auhf2k/assets/")?.error_for_status()?;
//! client.logout()?;
//! # Ok::<(), authtoken::Error>(())
//! ```
//!
//! One implementation serves every language: the C ABI ([`ffi`]) for C, PHP and Ruby, and a
//! pyo3 module for Python.

#![warn(missing_docs)]

mod client;
mod config;
mod cooloff;
mod error;
pub mod ffi;
mod http;
// Entry points for the fuzz targets in fuzz/; not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod provider;
mod redact;
mod response;
mod status;
pub mod store;
mod token;

pub use client::Client;
pub use config::{
    config_key, config_key_table, config_keys, suggest_config_key, CacheSetting, Config, ConfigKey,
    KeyType, ENV_CACHE_DIR, ENV_PASSWORD, ENV_USERNAME,
};
pub use error::{Error, ErrorKind, Result};
pub use provider::{CustomProfile, Provider};
pub use response::{parse_server_error, Response};
pub use token::{jwt_expiry, parse_expiry, Token};

/// The library's version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
