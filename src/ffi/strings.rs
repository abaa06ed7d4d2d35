//! Library-wide functions: the version, the no-op floor, the configuration keys, and freeing
//! the strings the library returns.

use std::ffi::{c_char, CStr};

use super::boundary::{c_string, check_out, free_c_string, guard, guard_value, write_out};
use super::result::authtoken_result;
use crate::error::{Error, ErrorKind};

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the crate version contains a NUL byte"),
    };

/// The library's version, e.g. `"0.1.0"`: a static string, never freed. Pure and thread-safe;
/// does not touch the last error.
#[no_mangle]
pub extern "C" fn authtoken_version() -> *const c_char {
    guard_value(false, std::ptr::null(), || Ok(VERSION.as_ptr()))
}

/// The version of the C ABI this library implements. It is also the `N` of the library's
/// soname, `libauthtoken.so.N` (build.rs reads it from here).
///
/// The rule (docs/install.md, "ABI versions"): within one ABI version the C ABI only grows:
/// new functions, new configuration keys (they cross as JSON), new error codes after the last
/// one. Removing or changing a function's signature, a handle's ownership rule or an existing
/// code's meaning makes a new ABI version, whatever the crate's own version number says: 0.x
/// releases keep `libauthtoken.so.0` until such a change, which then ships as
/// `libauthtoken.so.1`.
pub const AUTHTOKEN_ABI_VERSION: u32 = 0;

/// The ABI version of the loaded library (`AUTHTOKEN_ABI_VERSION` of the header it was built
/// from). A binding compares it with the one it was written for before anything else, and
/// refuses a library with another. Pure and thread-safe; does not touch the last error.
#[no_mangle]
pub extern "C" fn authtoken_abi_version() -> u32 {
    AUTHTOKEN_ABI_VERSION
}

/// Does nothing but what every call does (clear the calling thread's last error, run inside
/// the panic guard) and returns `AUTHTOKEN_RESULT_OK`. It measures the cost of crossing the
/// boundary (the floor of the benchmark), and lets a binding check that the library loaded.
#[no_mangle]
pub extern "C" fn authtoken_noop() -> authtoken_result {
    guard(|| Ok(()))
}

/// Gets the names of every configuration key as a JSON array of strings
/// (`["provider","username","password",...]`), for bindings that map keyword arguments.
///
/// On success `*json_out` receives a NUL-terminated string owned by the caller, freed with
/// `authtoken_string_free()`.
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` when `json_out` is NULL.
///
/// # Safety
/// `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_config_keys(json_out: *mut *mut c_char) -> authtoken_result {
    guard(|| {
        check_out(json_out, "json_out")?;
        let keys: Vec<&str> = crate::config::config_keys().collect();
        let json = serde_json::to_string(&keys).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("could not encode the keys: {e}"),
            )
        })?;
        let s = c_string(&json)?;
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(json_out, s) };
        Ok(())
    })
}

/// Frees a string returned by this library (tokens, headers, messages, JSON), wiping its bytes
/// first since it may hold a secret. `NULL` is accepted and ignored. Never pass a string from
/// anywhere else, nor one borrowed from a response. Does not change the calling thread's last
/// error.
///
/// # Safety
/// `s` is NULL or a string returned as owned by this library that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn authtoken_string_free(s: *mut c_char) {
    guard_value(false, (), || {
        // SAFETY: NULL or a live string from `c_string` (the caller's promise).
        unsafe { free_c_string(s) };
        Ok(())
    })
}
