//! The per-thread last error, and the names of the error kinds.

use std::ffi::{c_char, CStr};

use super::boundary::{c_string, guard_value, with_last_error};
use super::result::authtoken_result;

/// The code of the calling thread's last error: the value the failed call returned, or
/// `AUTHTOKEN_RESULT_OK` (0) when the thread's last call succeeded.
///
/// Like every `authtoken_last_error_*` function, it reads the last error without clearing it,
/// and is safe to call from any thread (each thread has its own last error).
#[no_mangle]
pub extern "C" fn authtoken_last_error_code() -> authtoken_result {
    guard_value(false, authtoken_result::Panic, || {
        Ok(with_last_error(|e| {
            e.map_or(authtoken_result::Ok, |e| authtoken_result::from(e.kind()))
        }))
    })
}

/// The stable snake_case name of the calling thread's last error kind (`invalid_credentials`,
/// `token_limit`, ...; see `authtoken_error_kind_name()`), or `"ok"` when the thread's last call
/// succeeded. The string is static: never free it. Does not clear the last error.
#[no_mangle]
pub extern "C" fn authtoken_last_error_kind() -> *const c_char {
    let code = authtoken_last_error_code() as u32;
    authtoken_error_kind_name(code)
}

/// The HTTP status of the answer that caused the calling thread's last error (e.g. 400 for bad
/// credentials, 403 for the token limit), or 0 when there was none (no error, or a failure
/// before any answer such as a refused connection). Does not clear the last error.
#[no_mangle]
pub extern "C" fn authtoken_last_error_status() -> u16 {
    guard_value(false, 0, || {
        Ok(with_last_error(|e| e.and_then(|e| e.status()).unwrap_or(0)))
    })
}

/// Copies the calling thread's last error message into `buf`, like `snprintf`: at most
/// `len - 1` bytes of the message (cut at a UTF-8 character boundary) and a terminating NUL.
///
/// Returns the length in bytes of the whole message (without the NUL): a return value `>= len`
/// means the copy was truncated. With no last error, writes an empty string and returns 0.
/// With `buf` NULL or `len` 0 nothing is written, and the length is still returned (so a caller
/// can size a buffer). Messages never contain a password or a token. Does not clear the last
/// error.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn authtoken_last_error_message(buf: *mut c_char, len: usize) -> usize {
    guard_value(false, 0, || {
        Ok(with_last_error(|e| {
            let message = e.map_or("", |e| e.message());
            if !buf.is_null() && len > 0 {
                let mut n = message.len().min(len - 1);
                while !message.is_char_boundary(n) {
                    n -= 1;
                }
                // SAFETY: `buf` has `len` writable bytes (the caller's promise) and n + 1 <= len;
                // `message` does not overlap a caller's buffer.
                unsafe {
                    std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), n);
                    *buf.add(n) = 0;
                }
            }
            message.len()
        }))
    })
}

/// The calling thread's last error message as a new NUL-terminated string owned by the caller
/// (free it with `authtoken_string_free()`), or NULL when there is no last error. Does not clear
/// the last error.
#[no_mangle]
pub extern "C" fn authtoken_last_error_message_dup() -> *mut c_char {
    guard_value(false, std::ptr::null_mut(), || {
        with_last_error(|e| match e {
            Some(e) => c_string(e.message()),
            None => Ok(std::ptr::null_mut()),
        })
    })
}

/// The server's own message for the calling thread's last error (from `detail`, `message`,
/// `error` or `non_field_errors`, e.g. `Unable to log in with provided credentials.`), as a new
/// string owned by the caller (free it with `authtoken_string_free()`), or NULL when there is
/// none. Does not clear the last error.
#[no_mangle]
pub extern "C" fn authtoken_last_error_server_message_dup() -> *mut c_char {
    guard_value(false, std::ptr::null_mut(), || {
        with_last_error(|e| match e.and_then(|e| e.server_message()) {
            Some(m) => c_string(m),
            None => Ok(std::ptr::null_mut()),
        })
    })
}

/// The server's `error_code` for the calling thread's last error (Testpress' login limits:
/// `parallel_login_restriction`, `max_login_exceeded`), as a new string owned by the caller
/// (free it with `authtoken_string_free()`), or NULL when there is none. Does not clear the last
/// error.
#[no_mangle]
pub extern "C" fn authtoken_last_error_error_code_dup() -> *mut c_char {
    guard_value(false, std::ptr::null_mut(), || {
        with_last_error(|e| match e.and_then(|e| e.error_code()) {
            Some(c) => c_string(c),
            None => Ok(std::ptr::null_mut()),
        })
    })
}

/// How long the server asked to wait (`Retry-After`) for the calling thread's last error, in
/// milliseconds, or -1 when it did not say. Does not clear the last error.
#[no_mangle]
pub extern "C" fn authtoken_last_error_retry_after_ms() -> i64 {
    guard_value(false, -1, || {
        Ok(with_last_error(|e| {
            e.and_then(|e| e.retry_after())
                .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        }))
    })
}

const KIND_NAMES: [&CStr; 17] = [
    c"ok",
    c"invalid_config",
    c"invalid_credentials",
    c"token_limit",
    c"unauthorized",
    c"forbidden",
    c"rate_limited",
    c"network",
    c"timeout",
    c"tls",
    c"server",
    c"protocol",
    c"store",
    c"lock_timeout",
    c"invalid_argument",
    c"http_status",
    c"internal",
];

/// The stable snake_case name of a result code: `"ok"` for 0, `"invalid_config"` for 1, ...,
/// `"internal"` for 16 (`AUTHTOKEN_RESULT_PANIC`); NULL for a value this version does not know.
/// These are the names the other bindings use for their error classes. The string is static:
/// never free it. Pure: does not touch the last error; thread-safe.
#[no_mangle]
pub extern "C" fn authtoken_error_kind_name(code: u32) -> *const c_char {
    guard_value(false, std::ptr::null(), || {
        Ok(KIND_NAMES
            .get(code as usize)
            .map_or(std::ptr::null(), |name| name.as_ptr()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn kind_names_match_the_core() {
        for kind in ErrorKind::ALL {
            let p = authtoken_error_kind_name(kind.code());
            // SAFETY: a static NUL-terminated string.
            assert_eq!(unsafe { CStr::from_ptr(p) }.to_str().unwrap(), kind.name());
        }
        assert!(authtoken_error_kind_name(17).is_null());
        assert!(authtoken_error_kind_name(u32::MAX).is_null());
    }
}
