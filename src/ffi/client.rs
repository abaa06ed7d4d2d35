//! `authtoken_client`: create, get the token and header, send signed requests, log out, free.

use std::ffi::c_char;

use serde_json::Value;

use super::boundary::{
    assert_send_sync, bytes_arg, c_string, check_out, guard, guard_value, handle, opt_str_arg,
    str_arg, write_out,
};
use super::response::authtoken_response;
use super::result::authtoken_result;
use crate::client::Client;
use crate::error::{Error, ErrorKind};

/// A client for one identity on one service: an opaque handle.
///
/// Create it with `authtoken_client_new()` and free it with `authtoken_client_free()`.
///
/// Thread-safety: a client may be used from many threads at once; every function that takes a
/// `const authtoken_client *` is safe to call concurrently on the same handle. Concurrent
/// callers that need a token wait for one login. Clients of the same identity (provider,
/// base URL, username, organization) share one token, in this process and, through the
/// configured store, across processes. Only `authtoken_client_free()` must not run while
/// another thread still uses the handle.
pub struct authtoken_client {
    client: Client,
}

// The header promises that a client may be used from many threads at once.
const _: () = assert_send_sync::<authtoken_client>();

/// Creates a client from a JSON configuration document.
///
/// `config_json` is a NUL-terminated UTF-8 JSON object with the same keys in every language:
/// `provider` (`tpstreams`, `tpstreams-legacy`, `testpress`, `cruxconnect`, `custom`),
/// `username`, `password`, and the provider's own keys (`organization_id`, `subdomain`, ...);
/// see `authtoken_config_keys()` and the README. The string is read during the call only.
/// No network traffic happens here: the first login is on first use.
///
/// On success `*client_out` receives a new handle, owned by the caller and freed with
/// `authtoken_client_free()`.
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` when `config_json` or `client_out` is NULL or
/// `config_json` is not UTF-8; `AUTHTOKEN_RESULT_INVALID_CONFIG` when it is not valid JSON or
/// not a valid configuration (the message names the key, never the password);
/// `AUTHTOKEN_RESULT_TLS` for an unreadable `ca_file`; `AUTHTOKEN_RESULT_STORE` when the
/// configured store cannot be opened.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `client_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_new(
    config_json: *const c_char,
    client_out: *mut *mut authtoken_client,
) -> authtoken_result {
    guard(|| {
        check_out(client_out, "client_out")?;
        // SAFETY: the caller passes NULL or a NUL-terminated string, valid during the call.
        let json = unsafe { str_arg(config_json, "config_json") }?;
        let client = Client::from_json(json)?;
        let raw = Box::into_raw(Box::new(authtoken_client { client }));
        // SAFETY: `client_out` was checked non-NULL; the caller promises it is writable.
        unsafe { write_out(client_out, raw) };
        Ok(())
    })
}

/// Frees a client. `NULL` is accepted and ignored.
///
/// The token is not revoked (use `authtoken_client_logout()` for that): it stays in the store
/// for the next client of the same identity. Responses obtained from the client stay valid.
/// Does not change the calling thread's last error (so that a binding's finalizer may run
/// between a failed call and the reading of its error).
///
/// # Safety
/// `client` is NULL or a handle from `authtoken_client_new()` that has not been freed and that
/// no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_free(client: *mut authtoken_client) {
    guard_value(false, (), || {
        if !client.is_null() {
            // SAFETY: a live handle from Box::into_raw, freed exactly once (the caller's promise).
            drop(unsafe { Box::from_raw(client) });
        }
        Ok(())
    })
}

/// Gets a valid token, logging in only if no valid one is in memory or in the store.
///
/// On success `*token_out` receives the raw token (without the scheme), a NUL-terminated
/// string owned by the caller: free it with `authtoken_string_free()`, which also wipes it.
/// It is a secret: do not log it.
///
/// Thread-safe: concurrent callers on the same identity cause one login.
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument; from the login
/// `AUTHTOKEN_RESULT_INVALID_CREDENTIALS`, `_TOKEN_LIMIT`, `_FORBIDDEN`, `_RATE_LIMITED`,
/// `_NETWORK`, `_TIMEOUT`, `_TLS`, `_SERVER`, `_PROTOCOL`; from the store `_STORE`,
/// `_LOCK_TIMEOUT`. The last error holds the HTTP status and the server's message.
///
/// # Safety
/// `client` is NULL or a live client handle; `token_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_token(
    client: *const authtoken_client,
    token_out: *mut *mut c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(token_out, "token_out")?;
        let token = client.client.token()?;
        let s = c_string(token.secret())?;
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(token_out, s) };
        Ok(())
    })
}

/// Gets the `Authorization` header value, exactly as the service wants it: `Token 3f…`
/// (TPStreams, CruxConnect), `token 3f…` (TPStreams legacy), `JWT eyJ…` (Testpress).
///
/// Logs in only if no valid token is in memory or in the store; a warm call does not touch
/// the network. On success `*header_out` receives a NUL-terminated string owned by the
/// caller: free it with `authtoken_string_free()`, which also wipes it. It holds the token:
/// do not log it.
///
/// Thread-safe. Errors: as `authtoken_client_token()`.
///
/// # Safety
/// `client` is NULL or a live client handle; `header_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_authorization_header(
    client: *const authtoken_client,
    header_out: *mut *mut c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(header_out, "header_out")?;
        let token = client.client.token()?;
        let s = c_string(token.header_value())?;
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(header_out, s) };
        Ok(())
    })
}

/// As `authtoken_client_authorization_header()`, and also sets `*serial_out` to the serial of
/// the token the header holds (see `authtoken_client_token_serial()`), read together so that
/// they always match.
///
/// Thread-safe. Errors: as `authtoken_client_authorization_header()`;
/// `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `serial_out` too. Outputs are written only
/// on success.
///
/// # Safety
/// `client` is NULL or a live client handle; `header_out` and `serial_out` are NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_authorization_header_and_serial(
    client: *const authtoken_client,
    header_out: *mut *mut c_char,
    serial_out: *mut u64,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(header_out, "header_out")?;
        check_out(serial_out, "serial_out")?;
        let token = client.client.token()?;
        let s = c_string(token.header_value())?;
        // SAFETY: both checked non-NULL; the caller promises they are writable.
        unsafe {
            write_out(header_out, s);
            write_out(serial_out, token.serial());
        }
        Ok(())
    })
}

/// A number naming the fresh token this client holds in memory, or 0 when it holds none
/// (none obtained yet, expired or within `refresh_margin_s` of its expiry, invalidated,
/// forgotten, logged out), or when `client` is NULL (which sets the last error to
/// `AUTHTOKEN_RESULT_INVALID_ARGUMENT`). Every token gets a new serial. It never logs in or
/// reads the store, and takes no lock while a token is held (about twice
/// `authtoken_noop()`); otherwise it waits only for a token being replaced.
///
/// For bindings that keep a copy of the header in their own language (one crossing per warm
/// header instead of a string copy): keep the serial that
/// `authtoken_client_authorization_header_and_serial()` gave with the header; while this
/// function returns that serial (and it is not 0), the copy is still the header to send;
/// otherwise ask for the header again.
///
/// Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client handle.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_token_serial(client: *const authtoken_client) -> u64 {
    guard_value(true, 0, || {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        Ok(client.client.fresh_token_serial().unwrap_or(0))
    })
}

/// Writes the `Authorization` header value (as `authtoken_client_authorization_header()`
/// gives it) into the caller's buffer: no allocation and nothing to free, for callers that
/// sign every request of their own HTTP client.
///
/// On success `buf` holds the value and a terminating NUL, and `*len_out` its length without
/// the NUL. When `buf_len` is too small (it needs the length + 1) nothing is written to `buf`,
/// `*len_out` is set to the length the value needs (without the NUL), and
/// `AUTHTOKEN_RESULT_INVALID_ARGUMENT` is returned; `buf` may be NULL with `buf_len` 0 to ask
/// for the length only. The buffer then holds the token: do not log it, and wipe it when done
/// if it outlives the request.
///
/// Thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `client` or `len_out`,
/// a NULL `buf` with a non-zero `buf_len`, or a buffer too small; otherwise as
/// `authtoken_client_token()`.
///
/// # Safety
/// `client` is NULL or a live client handle; `buf` is NULL or points to `buf_len` writable
/// bytes; `len_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_authorization_header_into(
    client: *const authtoken_client,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(len_out, "len_out")?;
        if buf.is_null() && buf_len != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("argument `buf` is NULL but `buf_len` is {buf_len}"),
            ));
        }
        let needed = client.client.with_authorization_header(|value| {
            let bytes = value.as_bytes();
            if bytes.len() < buf_len {
                // SAFETY: `buf` is non-NULL here (`buf_len` > 0) and the caller promises
                // `buf_len` writable bytes; the value and its NUL take `bytes.len() + 1` of
                // them, and a Rust string cannot overlap the caller's buffer.
                unsafe {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), bytes.len());
                    *buf.add(bytes.len()) = 0;
                }
                Ok(bytes.len())
            } else {
                Err(bytes.len())
            }
        })?;
        let (len, result) = match needed {
            Ok(len) => (len, Ok(())),
            Err(len) => (
                len,
                Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "argument `buf_len`: the header needs {} bytes with its NUL, `buf` has {buf_len}",
                        len + 1
                    ),
                )),
            ),
        };
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(len_out, len) };
        result
    })
}

/// Sends a signed request and reads the whole answer.
///
/// - `method`: `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE` or `OPTIONS` (any case).
/// - `path_or_url`: a path below the client's base URL (`/api/v1/assets/`, query string
///   allowed), or an absolute URL of the same origin. The `Authorization` header is never sent
///   to another origin: such a URL is refused with `AUTHTOKEN_RESULT_INVALID_ARGUMENT`.
/// - `headers_json`: NULL, or extra request headers as a JSON object (`{"Accept": "text/csv"}`)
///   or as a JSON array of `[name, value]` pairs (which allows repeated names). Values are
///   strings.
/// - `body`, `body_len`: the request body. `body` NULL with `body_len` 0 sends no body; a
///   non-NULL `body` sends `body_len` bytes (0 sends an empty body). Set a `Content-Type`
///   header yourself (`application/json` for JSON).
///
/// On a 401 (or Testpress' 403 for a bad JWT) the library logs in again, once, and resends
/// the same request. Any other status is a success of this call: read it with
/// `authtoken_response_status()` or turn 4xx/5xx into an error with
/// `authtoken_response_error_for_status()`. On success `*response_out` receives a response
/// handle owned by the caller, freed with `authtoken_response_free()`.
///
/// Thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `client`, `method`,
/// `path_or_url` or `response_out`, a string that is not UTF-8, a NULL `body` with a non-zero
/// `body_len` (or a length above `PTRDIFF_MAX`), malformed `headers_json`, an unknown method,
/// an invalid header, or a URL of another origin; `AUTHTOKEN_RESULT_UNAUTHORIZED` when a fresh
/// token is refused too; the login errors of `authtoken_client_token()`;
/// `AUTHTOKEN_RESULT_NETWORK`, `_TIMEOUT`, `_TLS`, `_PROTOCOL` from the request.
///
/// # Safety
/// `client` is NULL or a live client handle; `method`, `path_or_url` and `headers_json` are NULL
/// or NUL-terminated strings; `body` is NULL or points to `body_len` readable bytes;
/// `response_out` is NULL or writable. The inputs are read during the call only.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_request(
    client: *const authtoken_client,
    method: *const c_char,
    path_or_url: *const c_char,
    headers_json: *const c_char,
    body: *const u8,
    body_len: usize,
    response_out: *mut *mut authtoken_response,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(response_out, "response_out")?;
        // SAFETY (three calls): NULL or NUL-terminated strings, valid during the call.
        let method = unsafe { str_arg(method, "method") }?;
        let target = unsafe { str_arg(path_or_url, "path_or_url") }?;
        let headers_json = unsafe { opt_str_arg(headers_json, "headers_json") }?;
        let headers = match headers_json {
            Some(json) => parse_headers(json)?,
            None => Vec::new(),
        };
        // SAFETY: the caller passes NULL or `body_len` readable bytes, valid during the call.
        let body = unsafe { bytes_arg(body, body_len, "body") }?;
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = client.client.request(method, target, &pairs, body)?;
        let raw = Box::into_raw(Box::new(authtoken_response::new(response)?));
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(response_out, raw) };
        Ok(())
    })
}

/// Extra request headers: a JSON object of strings, or an array of `[name, value]` pairs.
fn parse_headers(json: &str) -> Result<Vec<(String, String)>, Error> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("argument `headers_json`: {why}"),
        )
    };
    let value: Value = serde_json::from_str(json).map_err(|e| {
        bad(&format!(
            "not valid JSON (line {} column {}); expected an object of strings or an array of [name, value] pairs",
            e.line(),
            e.column()
        ))
    })?;
    match value {
        Value::Object(map) => map
            .into_iter()
            .map(|(name, v)| match v {
                Value::String(s) => Ok((name, s)),
                _ => Err(bad(&format!(
                    "the value of header `{name}` is not a string"
                ))),
            })
            .collect(),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Array(pair) => match <[Value; 2]>::try_from(pair) {
                    Ok([Value::String(name), Value::String(v)]) => Ok((name, v)),
                    _ => Err(bad(&format!(
                        "item {i} is not a [name, value] pair of strings"
                    ))),
                },
                _ => Err(bad(&format!(
                    "item {i} is not a [name, value] pair of strings"
                ))),
            })
            .collect(),
        _ => Err(bad(
            "expected an object of strings or an array of [name, value] pairs",
        )),
    }
}

/// Logs out: revokes the token on the server (where the service has a logout endpoint:
/// TPStreams, Testpress) and removes it from the store, so that every process sharing it logs
/// in again on its next use. Without a token nothing is sent; a token the server already
/// rejects counts as revoked. When the server fails to revoke, the token is kept (so that
/// logout can be retried) and the error returned. The handle stays usable: the next call that
/// needs a token logs in again.
///
/// Thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `client`;
/// `AUTHTOKEN_RESULT_NETWORK`, `_TIMEOUT`, `_TLS`, `_SERVER`, `_FORBIDDEN`, `_RATE_LIMITED`,
/// `_PROTOCOL` from the logout request; `_STORE` from the store.
///
/// # Safety
/// `client` is NULL or a live client handle.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_logout(
    client: *const authtoken_client,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        client.client.logout()
    })
}

/// Compare-and-invalidate, for callers that send requests with their own HTTP client and got
/// a 401: forgets `failed_token` (the bare token, or the whole header value as returned by
/// `authtoken_client_authorization_header()`) only while it is still the current token, in
/// memory and in the store, so that many workers reporting the same 401 cause one login and a
/// token another process has just obtained is kept. Then get the header again and resend.
/// On success `*invalidated_out` (if not NULL) receives whether this call forgot the token
/// (false: it had already been replaced).
///
/// Thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `client` or
/// `failed_token`, invalid UTF-8, or an empty token; `AUTHTOKEN_RESULT_STORE` from the store.
///
/// # Safety
/// `client` is NULL or a live client handle; `failed_token` is NULL or a NUL-terminated
/// string; `invalidated_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_invalidate(
    client: *const authtoken_client,
    failed_token: *const c_char,
    invalidated_out: *mut bool,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let failed = unsafe { str_arg(failed_token, "failed_token") }?;
        let invalidated = client.client.invalidate(failed)?;
        if !invalidated_out.is_null() {
            // SAFETY: checked non-NULL; the caller promises it is writable.
            unsafe { write_out(invalidated_out, invalidated) };
        }
        Ok(())
    })
}

/// Whether an answer with `status` and `body` to a request signed with this client's token
/// says the token was refused, for callers that send requests with their own HTTP client: a
/// 401, or, for a provider whose JWT views answer 403 (Testpress), a 403 whose message is one
/// of those views' rejections. When `*refused_out` is true, call
/// `authtoken_client_invalidate()` with the header that was sent, get the header again and
/// resend once. The rule is the one `authtoken_client_request()` follows.
///
/// Pure (no network, no store) and thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT`
/// for a NULL `client` or `refused_out`, or a NULL `body` with a non-zero `body_len`.
///
/// # Safety
/// `client` is NULL or a live client handle; `body` is NULL or points to `body_len` readable
/// bytes; `refused_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_is_refused(
    client: *const authtoken_client,
    status: u16,
    body: *const u8,
    body_len: usize,
    refused_out: *mut bool,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(refused_out, "refused_out")?;
        // SAFETY: the caller passes NULL or `body_len` readable bytes, valid during the call.
        let body = unsafe { bytes_arg(body, body_len, "body") }?;
        let refused = client.client.is_refused(status, body.unwrap_or_default());
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(refused_out, refused) };
        Ok(())
    })
}

/// Checks that this client's Authorization header may be sent to `url`, for callers that send
/// requests with their own HTTP client: an absolute `http://` or `https://` URL with the
/// scheme, host and port of the client's base URL, the one origin the token is ever sent to.
/// Returns `AUTHTOKEN_RESULT_OK` when it may.
///
/// Pure and thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `client` or
/// `url`, invalid UTF-8, something that is not a URL, a scheme other than http and https, or
/// another origin (the message names it and the client's).
///
/// # Safety
/// `client` is NULL or a live client handle; `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_check_url(
    client: *const authtoken_client,
    url: *const c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let url = unsafe { str_arg(url, "url") }?;
        client.client.check_url(url)
    })
}

/// Forgets the token locally (in memory and in the store) without revoking it on the server.
/// The next call that needs a token logs in again.
///
/// Thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL `client`;
/// `AUTHTOKEN_RESULT_STORE` from the store.
///
/// # Safety
/// `client` is NULL or a live client handle.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_forget(
    client: *const authtoken_client,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        client.client.forget()
    })
}

/// Gets the base URL requests are sent to (no trailing slash), e.g. `https://app.tpstreams.com`.
///
/// On success `*base_url_out` receives a NUL-terminated string owned by the caller, freed
/// with `authtoken_string_free()`.
///
/// Thread-safe. Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument.
///
/// # Safety
/// `client` is NULL or a live client handle; `base_url_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_client_base_url(
    client: *const authtoken_client,
    base_url_out: *mut *mut c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let client = unsafe { handle(client, "client") }?;
        check_out(base_url_out, "base_url_out")?;
        let s = c_string(client.client.base_url())?;
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(base_url_out, s) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_json_shapes() {
        assert_eq!(
            parse_headers(r#"{"Accept": "text/csv", "X-A": "1"}"#).unwrap(),
            vec![
                ("Accept".to_string(), "text/csv".to_string()),
                ("X-A".to_string(), "1".to_string())
            ]
        );
        assert_eq!(
            parse_headers(r#"[["X-A", "1"], ["X-A", "2"]]"#).unwrap(),
            vec![
                ("X-A".to_string(), "1".to_string()),
                ("X-A".to_string(), "2".to_string())
            ]
        );
        for bad in [
            r#"{"X": 1}"#,
            r#"[["X"]]"#,
            r#"[["X", 1]]"#,
            "[1]",
            "\"x\"",
            "{",
            "",
        ] {
            let e = parse_headers(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(
                e.message().starts_with("argument `headers_json`"),
                "{}",
                e.message()
            );
        }
    }
}
