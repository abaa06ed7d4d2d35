//! `authtoken_response`: the answer to a signed request, read through borrowed pointers.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use super::boundary::{
    assert_send_sync, check_out, guard, guard_value, handle, str_arg, write_out,
};
use super::result::authtoken_result;
use crate::error::{Error, ErrorKind};
use crate::response::Response;

/// The answer to a signed request: status, headers and the whole body. An opaque handle.
///
/// Returned by `authtoken_client_request()`, owned by the caller, freed with
/// `authtoken_response_free()`. It is immutable and independent of the client (it stays
/// valid after the client is freed). Everything read from it (header values, the headers
/// JSON, the URL, the body) is borrowed from the handle: valid until the handle is freed, not
/// to be freed by the caller.
///
/// Thread-safety: a response may be read from many threads at once.
pub struct authtoken_response {
    status: u16,
    /// The URL followed by one NUL byte that `url_len` does not count.
    url: CString,
    /// Every header as `name NUL value NUL`, names in lower case, in the order received; the
    /// last NUL is not counted by `headers_len` (see [`authtoken_response_parts`]).
    headers: Vec<u8>,
    /// Where each header's name and value start in `headers` (both end at the next NUL).
    header_spans: Vec<(usize, usize)>,
    /// Built on the first `authtoken_response_headers_json()`: most callers never ask.
    headers_json: OnceLock<CString>,
    /// The body followed by one NUL byte that `len` does not count.
    body: Vec<u8>,
    /// What `Response::error_for_status` says about this answer.
    status_error: Option<Error>,
}

/// Everything a response holds, read with one call: `authtoken_response_read()`.
///
/// Every pointer is borrowed from the response: valid until `authtoken_response_free()`, not
/// to be freed by the caller, never NULL. Each text is also followed by a NUL byte that its
/// length does not count, so it can be used as a C string.
///
/// Thread-safety: a plain value; the pointers may be read from many threads at once.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct authtoken_response_parts {
    /// The body bytes (`body_len` of them; a body may hold NUL bytes).
    pub body: *const u8,
    /// The number of body bytes.
    pub body_len: usize,
    /// Every header, in the order received (a repeated header appears once per value), as
    /// `header_count` pairs `name NUL value NUL`, names in lower case; the last NUL is not
    /// counted by `headers_len` (so splitting the `headers_len` bytes at NUL gives the names and
    /// values in turn). Neither a name nor a value holds a NUL, CR or LF.
    pub headers: *const c_char,
    /// The number of bytes of `headers` (0 when there is no header).
    pub headers_len: usize,
    /// The number of headers (name/value pairs).
    pub header_count: usize,
    /// The final URL (after redirects), UTF-8.
    pub url: *const c_char,
    /// The number of bytes of `url`.
    pub url_len: usize,
    /// The HTTP status code (100..=599).
    pub status: u16,
    /// What `authtoken_response_error_for_status()` would return: `AUTHTOKEN_RESULT_OK` below
    /// 400, otherwise the kind that follows the status. Call that function for the message and
    /// the details (it sets the last error); this field alone does not.
    pub status_result: authtoken_result,
}

// The header promises that a response may be used from many threads at once.
const _: () = assert_send_sync::<authtoken_response>();

/// A C string from text that cannot hold NUL (header values, URLs, JSON); a NUL, were one to
/// appear, is dropped rather than allowed to cut the string short.
fn c_owned(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| CString::new(s.replace('\0', "")).unwrap_or_default())
}

impl authtoken_response {
    /// The headers in the order received, borrowed from the NUL-separated block.
    fn header_pairs(&self) -> impl Iterator<Item = (&str, &CStr)> + '_ {
        self.header_spans.iter().map(|&(name, value)| {
            let name = CStr::from_bytes_until_nul(&self.headers[name..]).unwrap_or_default();
            let value = CStr::from_bytes_until_nul(&self.headers[value..]).unwrap_or_default();
            (name.to_str().unwrap_or_default(), value)
        })
    }

    /// The headers as a JSON array of `[name, value]` pairs, made once.
    fn headers_json(&self) -> Result<&CString, Error> {
        if let Some(json) = self.headers_json.get() {
            return Ok(json);
        }
        let pairs: Vec<[&str; 2]> = self
            .header_pairs()
            .map(|(k, v)| [k, v.to_str().unwrap_or_default()])
            .collect();
        let json = serde_json::to_string(&pairs).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("could not encode the response headers: {e}"),
            )
        })?;
        Ok(self.headers_json.get_or_init(|| c_owned(&json)))
    }

    pub(crate) fn new(response: Response) -> Result<authtoken_response, Error> {
        let status = response.status();
        let url = c_owned(response.url());
        let wanted: usize = response
            .headers()
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2)
            .sum();
        let mut headers = Vec::with_capacity(wanted.max(1));
        let mut header_spans = Vec::with_capacity(response.headers().len());
        for (name, value) in response.headers() {
            let name_at = headers.len();
            push_text(&mut headers, name);
            let value_at = headers.len();
            push_text(&mut headers, value);
            header_spans.push((name_at, value_at));
        }
        if headers.is_empty() {
            headers.push(0);
        }
        let status_error = if status >= 400 {
            response.clone().error_for_status().err()
        } else {
            None
        };
        let mut body = response.into_body();
        body.push(0);
        Ok(authtoken_response {
            status,
            url,
            headers,
            header_spans,
            headers_json: OnceLock::new(),
            body,
            status_error,
        })
    }
}

/// Appends `text` and a NUL to a header block; a NUL, CR or LF in it (which HTTP does not
/// allow in a header, and which would break the block's framing) becomes a space.
fn push_text(block: &mut Vec<u8>, text: &str) {
    block.extend(text.bytes().map(|b| match b {
        0 | b'\r' | b'\n' => b' ',
        b => b,
    }));
    block.push(0);
}

/// The HTTP status code of the response (100..=599), or 0 when `response` is NULL (which sets
/// the last error to `AUTHTOKEN_RESULT_INVALID_ARGUMENT`).
///
/// # Safety
/// `response` is NULL or a live response handle.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_status(response: *const authtoken_response) -> u16 {
    guard_value(true, 0, || {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        Ok(response.status)
    })
}

/// Looks up a response header by name (case-insensitive); the first one when repeated.
///
/// On success `*value_out` is set to the value, a NUL-terminated string borrowed from the
/// response (valid until `authtoken_response_free()`; do not free it), or to NULL when the
/// response has no such header.
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument or a `name` that is not UTF-8.
///
/// # Safety
/// `response` is NULL or a live response handle; `name` is NULL or a NUL-terminated string;
/// `value_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_header(
    response: *const authtoken_response,
    name: *const c_char,
    value_out: *mut *const c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        // SAFETY: NULL or a NUL-terminated string, valid during the call.
        let name = unsafe { str_arg(name, "name") }?;
        check_out(value_out, "value_out")?;
        let value = response
            .header_pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or(std::ptr::null(), |(_, v)| v.as_ptr());
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(value_out, value) };
        Ok(())
    })
}

/// Gets every response header as a JSON array of `[name, value]` pairs, names in lower case,
/// in the order received (repeated headers appear once per value):
/// `[["content-type","application/json"],["content-length","42"]]`.
///
/// On success `*json_out` is set to a NUL-terminated string borrowed from the response (valid
/// until `authtoken_response_free()`; do not free it).
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument.
///
/// # Safety
/// `response` is NULL or a live response handle; `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_headers_json(
    response: *const authtoken_response,
    json_out: *mut *const c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        check_out(json_out, "json_out")?;
        let json = response.headers_json()?;
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(json_out, json.as_ptr()) };
        Ok(())
    })
}

/// Reads everything a response holds with one call: status, the result its status maps to,
/// body, headers and final URL (see `authtoken_response_parts`). Bindings use it to copy a
/// response out in one crossing; C callers may prefer the single accessors.
///
/// On success `*parts_out` is filled; its pointers are borrowed from the response (valid until
/// `authtoken_response_free()`; do not free them).
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument.
///
/// # Safety
/// `response` is NULL or a live response handle; `parts_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_read(
    response: *const authtoken_response,
    parts_out: *mut authtoken_response_parts,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        check_out(parts_out, "parts_out")?;
        let headers_len = response.headers.len() - 1;
        let parts = authtoken_response_parts {
            body: response.body.as_ptr(),
            body_len: response.body.len() - 1,
            headers: response.headers.as_ptr().cast::<c_char>(),
            headers_len,
            header_count: response.header_spans.len(),
            url: response.url.as_ptr(),
            url_len: response.url.as_bytes().len(),
            status: response.status,
            status_result: response
                .status_error
                .as_ref()
                .map_or(authtoken_result::Ok, |e| e.kind().into()),
        };
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(parts_out, parts) };
        Ok(())
    })
}

/// Gets the response body.
///
/// On success `*data_out` points to the body bytes and `*len_out` holds their number. The
/// bytes are borrowed from the response (valid until `authtoken_response_free()`; do not free
/// them). They are always followed by one NUL byte that `*len_out` does not count, so a text
/// body can be used as a C string; `*data_out` is never NULL, even for an empty body.
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument.
///
/// # Safety
/// `response` is NULL or a live response handle; `data_out` and `len_out` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_body(
    response: *const authtoken_response,
    data_out: *mut *const u8,
    len_out: *mut usize,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        check_out(data_out, "data_out")?;
        check_out(len_out, "len_out")?;
        // SAFETY: both checked non-NULL; the caller promises they are writable.
        unsafe {
            write_out(data_out, response.body.as_ptr());
            write_out(len_out, response.body.len() - 1);
        }
        Ok(())
    })
}

/// Gets the final URL of the response (after redirects).
///
/// On success `*url_out` is set to a NUL-terminated string borrowed from the response (valid
/// until `authtoken_response_free()`; do not free it).
///
/// Errors: `AUTHTOKEN_RESULT_INVALID_ARGUMENT` for a NULL argument.
///
/// # Safety
/// `response` is NULL or a live response handle; `url_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_url(
    response: *const authtoken_response,
    url_out: *mut *const c_char,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        check_out(url_out, "url_out")?;
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { write_out(url_out, response.url.as_ptr()) };
        Ok(())
    })
}

/// Turns an error status into an error: returns `AUTHTOKEN_RESULT_OK` for statuses below 400,
/// and otherwise the kind that follows the status (401 `AUTHTOKEN_RESULT_UNAUTHORIZED`, 403
/// `_FORBIDDEN`, 429 `_RATE_LIMITED`, 5xx `_SERVER`, other 4xx `_HTTP_STATUS`), with the last
/// error holding the status, the server's own message and any `Retry-After`.
///
/// # Safety
/// `response` is NULL or a live response handle.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_error_for_status(
    response: *const authtoken_response,
) -> authtoken_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live handle.
        let response = unsafe { handle(response, "response") }?;
        match &response.status_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    })
}

/// Frees a response and everything borrowed from it. `NULL` is accepted and ignored. Does not
/// change the calling thread's last error.
///
/// # Safety
/// `response` is NULL or a handle from `authtoken_client_request()` that has not been freed
/// and that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn authtoken_response_free(response: *mut authtoken_response) {
    guard_value(false, (), || {
        if !response.is_null() {
            // SAFETY: a live handle from Box::into_raw, freed exactly once (the caller's promise).
            drop(unsafe { Box::from_raw(response) });
        }
        Ok(())
    })
}
