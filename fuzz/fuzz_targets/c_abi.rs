//! The C ABI fed arbitrary bytes, as a C, PHP or Ruby caller could: a configuration document,
//! then a signed request's method, path, headers JSON and body, with NULLs where the flags say,
//! against a closed loopback port (nothing is ever sent anywhere). Every call returns a result
//! code and sets a last error, never panics (the fuzzer aborts on any panic, even one the
//! boundary would catch); the last error is consistent and never shows the password or token.
//!
//! Input: byte 0 holds flags (bit 0: a token is in the store, so the request is really sent;
//! bits 1-5: NULL method, path, headers, body with a length, response_out), byte 1 picks the
//! provider, byte 2 the size of the caller's message buffer; then NUL-separated fields:
//! config JSON, method, path, headers JSON, body.
#![no_main]

use std::ffi::{c_char, CStr, CString};
use std::os::unix::fs::PermissionsExt;
use std::ptr;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use authtoken::ffi::*;
use authtoken::store::{Entry, MemoryStore, TokenStore};
use authtoken::{Client, Config};
use authtoken_fuzz::{config_doc, fields, PROVIDERS, SENTINEL_TOKEN};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// A client handle per provider, aimed at the closed port (handles are shared across threads
/// by design; the fuzzer uses one thread), and a Rust client of the same identity.
struct Handle {
    raw: usize,
    twin: Client,
}

fn handles() -> &'static [Handle] {
    static HANDLES: OnceLock<Vec<Handle>> = OnceLock::new();
    HANDLES.get_or_init(|| {
        authtoken_fuzz::no_network();
        let dir = tempfile::tempdir().expect("a temporary directory").keep();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod 700");
        std::env::set_var("AUTHTOKEN_CACHE_DIR", dir);
        PROVIDERS
            .iter()
            .map(|p| {
                let doc = config_doc(p).to_string();
                let c = CString::new(doc.clone()).expect("no NUL");
                let mut raw = ptr::null_mut();
                // SAFETY: a NUL-terminated string and a writable out pointer.
                let rc = unsafe { authtoken_client_new(c.as_ptr(), &mut raw) };
                assert_eq!(rc, authtoken_result::Ok);
                let twin = Client::new(Config::from_json(&doc).expect("valid")).expect("client");
                Handle {
                    raw: raw as usize,
                    twin,
                }
            })
            .collect()
    })
}

fn c_string(bytes: &[u8]) -> CString {
    CString::new(bytes).expect("fields are split at NUL")
}

/// The calling thread's last error message, read as a C caller with a `len`-byte buffer would.
fn last_error_checked(len: usize, secrets: &[&str]) -> String {
    // SAFETY: NULL with 0 is allowed; the buffer has `len` writable bytes.
    let full = unsafe { authtoken_last_error_message(ptr::null_mut(), 0) };
    let mut buf = vec![0x55u8; len];
    // SAFETY: as above.
    let n = unsafe { authtoken_last_error_message(buf.as_mut_ptr().cast::<c_char>(), len) };
    assert_eq!(n, full, "the length changed between two reads");
    let dup = authtoken_last_error_message_dup();
    let message = if dup.is_null() {
        assert_eq!(full, 0);
        String::new()
    } else {
        // SAFETY: an owned NUL-terminated string from the library.
        let m = unsafe { CStr::from_ptr(dup) }
            .to_str()
            .expect("UTF-8")
            .to_owned();
        // SAFETY: freed once, with the library's function.
        unsafe { authtoken_string_free(dup) };
        m
    };
    assert_eq!(message.len(), full, "dup gave {message:?}");
    if len > 0 {
        let end = buf
            .iter()
            .position(|b| *b == 0)
            .expect("the copy is NUL-terminated");
        assert!(
            end < len && message.as_bytes().starts_with(&buf[..end]),
            "a torn copy"
        );
        assert!(
            end == message.len() || end + 4 >= len,
            "copied less than fits"
        );
    }
    assert!(
        !message.chars().any(char::is_control),
        "control characters in {message:?}"
    );
    for s in secrets {
        assert!(
            !message.contains(s),
            "a secret in the last error: {message}"
        );
    }
    let server = authtoken_last_error_server_message_dup();
    // SAFETY: NULL or an owned string, freed once.
    unsafe { authtoken_string_free(server) };
    message
}

/// A JSON object config is kept from the disk and from Redis: the file store goes to the
/// private temporary directory, no other path (cache_dir, ca_file) is read or created.
fn confined(config: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(config) {
        Ok(Value::Object(mut doc)) => {
            for key in ["cache_dir", "ca_file", "redis_fallback"] {
                doc.remove(key);
            }
            if doc
                .get("cache")
                .and_then(Value::as_str)
                .is_some_and(|c| c.starts_with("redis"))
            {
                doc.insert("cache".into(), Value::String("memory".into()));
            }
            // serde_json never writes a NUL byte into its output (it escapes it).
            serde_json::to_vec(&Value::Object(doc)).expect("serializable")
        }
        _ => config.to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, provider, buf_len, rest @ ..] = data else {
        return;
    };
    let handles = handles();
    let secrets = authtoken_fuzz::secrets_absent_from(data);
    let f = fields(rest, 0, 5);

    // 1. A client from the bytes: created and freed, or refused with a result code.
    let config = c_string(&confined(f[0]));
    let mut client = ptr::null_mut();
    // SAFETY: a NUL-terminated string and a writable out pointer.
    let rc = unsafe { authtoken_client_new(config.as_ptr(), &mut client) };
    if rc == authtoken_result::Ok {
        assert!(!client.is_null());
        let mut base = ptr::null_mut();
        // SAFETY: a live handle and a writable out pointer.
        assert_eq!(
            unsafe { authtoken_client_base_url(client, &mut base) },
            authtoken_result::Ok
        );
        // SAFETY: an owned string, freed once; the handle freed once.
        unsafe {
            authtoken_string_free(base);
            authtoken_client_free(client);
        }
    } else {
        assert!(client.is_null(), "an output written on failure");
        assert!(
            matches!(
                rc,
                authtoken_result::InvalidConfig
                    | authtoken_result::InvalidArgument
                    | authtoken_result::Store
            ),
            "client_new gave {rc:?}: {}",
            last_error_checked(256, &[])
        );
        last_error_checked(*buf_len as usize, &secrets);
    }

    // 2. A signed request with the bytes, to the closed port.
    let h = &handles[*provider as usize % handles.len()];
    let raw = h.raw as *const authtoken_client;
    if flags & 1 == 1 {
        let key = h.twin.cache_key();
        let store = MemoryStore::global();
        if store.load(key).expect("memory store").is_none() {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("clock")
                .as_secs();
            let entry = Entry {
                version: 1,
                provider: key.provider.clone(),
                base_url: key.base_url.clone(),
                username: key.username.clone(),
                organization: key.organization.clone(),
                token: zeroize::Zeroizing::new(SENTINEL_TOKEN.to_string()),
                obtained_at: now,
                expires_at: None,
            };
            store.save(key, &entry).expect("memory store");
        }
    } else {
        // SAFETY: a live handle.
        assert_eq!(
            unsafe { authtoken_client_forget(raw) },
            authtoken_result::Ok
        );
    }
    let (method, path, headers) = (c_string(f[1]), c_string(f[2]), c_string(f[3]));
    let pick = |bit: u8, p: *const c_char| {
        if flags & (1 << bit) != 0 {
            ptr::null()
        } else {
            p
        }
    };
    let body = f[4];
    let (body_ptr, body_len) = if flags & (1 << 4) != 0 {
        (ptr::null(), body.len() + 1)
    } else {
        (body.as_ptr(), body.len())
    };
    let mut response: *mut authtoken_response = ptr::null_mut();
    let response_out = if flags & (1 << 5) != 0 {
        ptr::null_mut()
    } else {
        &mut response as *mut _
    };
    // SAFETY: a live handle; NULL or NUL-terminated strings; NULL or `body_len` readable bytes
    // (a NULL body with a length is an argument error the library must catch); NULL or a
    // writable out pointer.
    let rc = unsafe {
        authtoken_client_request(
            raw,
            pick(1, method.as_ptr()),
            pick(2, path.as_ptr()),
            pick(3, headers.as_ptr()),
            body_ptr,
            body_len,
            response_out,
        )
    };
    assert!(response.is_null(), "a response from a closed port");
    assert!(
        matches!(
            rc,
            authtoken_result::InvalidArgument
                | authtoken_result::Network
                | authtoken_result::Timeout
        ),
        "request gave {rc:?}: {}",
        last_error_checked(256, &[])
    );
    let message = last_error_checked(*buf_len as usize, &secrets);
    assert!(!message.is_empty());
    // SAFETY: pure functions; the kind name is static.
    unsafe {
        assert_eq!(authtoken_last_error_code(), rc);
        let kind = authtoken_last_error_kind();
        assert!(!kind.is_null());
        assert_eq!(
            CStr::from_ptr(kind),
            CStr::from_ptr(authtoken_error_kind_name(rc as u32))
        );
    }
    let _ = authtoken_last_error_status();
    let _ = authtoken_error_kind_name(u32::from_le_bytes([*flags, *provider, *buf_len, 0]));

    // 3. The response accessors with NULL handles.
    // SAFETY: NULL is accepted by every accessor.
    unsafe {
        assert_eq!(authtoken_response_status(ptr::null()), 0);
        let mut value = ptr::null();
        assert_eq!(
            authtoken_response_header(ptr::null(), pick(2, path.as_ptr()), &mut value),
            authtoken_result::InvalidArgument
        );
        authtoken_response_free(ptr::null_mut());
    }
});
