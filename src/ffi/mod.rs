//! The C ABI: `extern "C"` functions over opaque handles, for C, PHP (FFI) and Ruby (ffi gem).
//!
//! This module holds only the boundary: handles, result codes, the per-thread last error and
//! the strings handed to C. Everything else is the Rust API ([`crate::Client`]).
//!
//! The rules (see `include/authtoken.h`, which `build.rs` generates from these files):
//!
//! - Names are `authtoken_<type>_<verb>`; handles come from `_new` and go to `_free`, and
//!   `_free(NULL)` does nothing.
//! - Every fallible function returns [`authtoken_result`]: `AUTHTOKEN_RESULT_OK` (0) or the
//!   numeric code of the [`ErrorKind`](crate::ErrorKind) of the failure (1..=16, the same numbers
//!   every binding exposes; 16 is `AUTHTOKEN_RESULT_PANIC`, the kind `internal`).
//! - Outputs come last as `*_out` pointers and are written only on success.
//! - Each call clears the calling thread's last error, and sets it on failure; the
//!   `authtoken_last_error_*` accessors read it without clearing it.
//! - No panic crosses the boundary: every function runs inside `catch_unwind`.
//! - Strings the library returns are owned by the caller and freed with
//!   `authtoken_string_free`; response data is borrowed from the response handle.

#![deny(unsafe_op_in_unsafe_fn)]
// The exported names follow C conventions (`authtoken_client`), not Rust's.
#![allow(non_camel_case_types)]

mod boundary;
mod client;
mod error;
mod response;
mod result;
mod strings;
// Test-only exports, in debug builds only (never in a release build).
#[cfg(debug_assertions)]
mod testing;

pub use client::*;
pub use error::*;
pub use response::*;
pub use result::authtoken_result;
pub use strings::*;
#[cfg(debug_assertions)]
pub use testing::*;
