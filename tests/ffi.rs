//! The C ABI called from Rust, as C would call it: a round trip against the emulator, the
//! argument checks, the last error, and the panic boundary. (The C programs in tests/c/ run
//! the same surface under sanitizers and valgrind.)

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use authtoken::ffi::*;
use authtoken_emulator::{Emulator, Options};

fn last_message() -> String {
    // SAFETY: the returned string is owned by us and freed right after being copied.
    unsafe {
        let p = authtoken_last_error_message_dup();
        if p.is_null() {
            return String::new();
        }
        let s = CStr::from_ptr(p).to_string_lossy().into_owned();
        authtoken_string_free(p);
        s
    }
}

/// Takes an owned string from the library.
///
/// # Safety
/// `p` is a live owned string from the library.
unsafe fn take(p: *mut c_char) -> String {
    // SAFETY: forwarded from the caller; freed once.
    unsafe {
        let s = CStr::from_ptr(p).to_str().unwrap().to_string();
        authtoken_string_free(p);
        s
    }
}

fn new_client(config: &str) -> *mut authtoken_client {
    let config = CString::new(config).unwrap();
    let mut client = ptr::null_mut();
    // SAFETY: valid C string and out pointer.
    let rc = unsafe { authtoken_client_new(config.as_ptr(), &mut client) };
    assert_eq!(rc, authtoken_result::Ok, "{}", last_message());
    client
}

#[test]
fn round_trip_against_the_emulator() {
    let emu = Emulator::start(Options::default()).unwrap();
    let config = format!(
        r#"{{"provider": "tpstreams", "username": "ffi-rs@example.com", "password": {},
            "organization_id": "ffi-org", "base_url": "{}", "cache": "memory"}}"#,
        serde_json::Value::from(authtoken_emulator::test_password()),
        emu.base_url("tpstreams")
    );
    let client = new_client(&config);
    // SAFETY (whole block): `client` is live until freed at the end; every out pointer is a
    // valid local; strings are freed once; the response is freed once.
    unsafe {
        let mut header = ptr::null_mut();
        assert_eq!(
            authtoken_client_authorization_header(client, &mut header),
            authtoken_result::Ok
        );
        let header = take(header);
        assert!(
            header.starts_with("Token ") && header.len() == 6 + 64,
            "{header}"
        );

        let body = br#"{"a": 1}"#;
        let mut resp = ptr::null_mut();
        let rc = authtoken_client_request(
            client,
            c"POST".as_ptr(),
            c"/api/echo/?x=1".as_ptr(),
            c"[[\"Content-Type\", \"application/json\"]]".as_ptr(),
            body.as_ptr(),
            body.len(),
            &mut resp,
        );
        assert_eq!(rc, authtoken_result::Ok, "{}", last_message());
        assert_eq!(authtoken_response_status(resp), 200);
        let (mut data, mut len) = (ptr::null(), 0usize);
        assert_eq!(
            authtoken_response_body(resp, &mut data, &mut len),
            authtoken_result::Ok
        );
        let echo: serde_json::Value =
            serde_json::from_slice(std::slice::from_raw_parts(data, len)).unwrap();
        assert_eq!(*data.add(len), 0, "the body is NUL-terminated");
        assert_eq!(echo["headers"]["authorization"], header.as_str());
        assert_eq!(echo["body"], r#"{"a": 1}"#);
        assert_eq!(echo["query"], "x=1");
        let mut value = ptr::null();
        assert_eq!(
            authtoken_response_header(resp, c"CONTENT-TYPE".as_ptr(), &mut value),
            authtoken_result::Ok
        );
        assert!(CStr::from_ptr(value)
            .to_str()
            .unwrap()
            .contains("application/json"));
        authtoken_response_free(resp);

        assert_eq!(emu.login_count("tpstreams", "ffi-rs@example.com"), 1);
        assert_eq!(authtoken_client_logout(client), authtoken_result::Ok);
        assert_eq!(emu.logout_count("tpstreams", "ffi-rs@example.com"), 1);
        authtoken_client_free(client);
    }
}

#[test]
fn errors_carry_kind_status_and_server_message() {
    let emu = Emulator::start(Options::default()).unwrap();
    let config = format!(
        r#"{{"provider": "cruxconnect", "username": "ffi-bad", "password": "not-the-password",
            "base_url": "{}", "cache": "memory"}}"#,
        emu.base_url("cruxconnect")
    );
    let client = new_client(&config);
    // SAFETY: live client, valid out pointer; the server message is an owned string.
    unsafe {
        let mut token = ptr::null_mut();
        assert_eq!(
            authtoken_client_token(client, &mut token),
            authtoken_result::InvalidCredentials
        );
        assert!(token.is_null(), "outputs are written only on success");
        assert_eq!(
            authtoken_last_error_code(),
            authtoken_result::InvalidCredentials
        );
        assert_eq!(authtoken_last_error_status(), 400);
        assert_eq!(
            CStr::from_ptr(authtoken_last_error_kind())
                .to_str()
                .unwrap(),
            "invalid_credentials"
        );
        assert_eq!(
            take(authtoken_last_error_server_message_dup()),
            "Unable to log in with provided credentials."
        );
        assert!(!last_message().contains("not-the-password"));
        authtoken_client_free(client);
    }
}

#[test]
fn bad_arguments_are_results_not_crashes() {
    let mut client = ptr::null_mut();
    // SAFETY: NULL and invalid arguments are what is being tested; every pointer passed is
    // NULL or valid.
    unsafe {
        assert_eq!(
            authtoken_client_new(ptr::null(), &mut client),
            authtoken_result::InvalidArgument
        );
        assert_eq!(last_message(), "argument `config_json` is NULL");
        let not_utf8 = b"{\"provider\": \"\xff\"}\0";
        assert_eq!(
            authtoken_client_new(not_utf8.as_ptr().cast(), &mut client),
            authtoken_result::InvalidArgument
        );
        assert_eq!(
            authtoken_client_new(c"{".as_ptr(), &mut client),
            authtoken_result::InvalidConfig
        );
        assert!(client.is_null());
        assert_eq!(
            authtoken_client_logout(ptr::null()),
            authtoken_result::InvalidArgument
        );
        assert_eq!(authtoken_response_status(ptr::null()), 0);
        assert_eq!(
            authtoken_last_error_code(),
            authtoken_result::InvalidArgument
        );
        authtoken_client_free(ptr::null_mut());
        authtoken_response_free(ptr::null_mut());
        authtoken_string_free(ptr::null_mut());
        assert_eq!(
            authtoken_last_error_code(),
            authtoken_result::InvalidArgument,
            "_free leaves the error"
        );
        assert_eq!(authtoken_noop(), authtoken_result::Ok);
        assert_eq!(
            authtoken_last_error_code(),
            authtoken_result::Ok,
            "a call clears the error"
        );

        let client = new_client(
            r#"{"provider": "tpstreams-legacy", "username": "u", "password": "p",
                "base_url": "http://127.0.0.1:9", "cache": "memory"}"#,
        );
        let mut resp = ptr::null_mut();
        let rc = authtoken_client_request(
            client,
            c"GET".as_ptr(),
            c"/".as_ptr(),
            ptr::null(),
            ptr::null(),
            3,
            &mut resp,
        );
        assert_eq!(rc, authtoken_result::InvalidArgument);
        assert_eq!(
            last_message(),
            "argument `body` is NULL but `body_len` is 3"
        );
        let rc = authtoken_client_request(
            client,
            c"BREW".as_ptr(),
            c"/".as_ptr(),
            ptr::null(),
            ptr::null(),
            0,
            &mut resp,
        );
        assert_eq!(rc, authtoken_result::InvalidArgument);
        assert!(resp.is_null());
        authtoken_client_free(client);
    }
}

#[test]
fn message_buffer_is_truncated_like_snprintf() {
    // SAFETY: NULL config (tested) and valid buffers of the stated sizes.
    unsafe {
        let mut client = ptr::null_mut();
        authtoken_client_new(ptr::null(), &mut client);
        let full = authtoken_last_error_message(ptr::null_mut(), 0);
        assert_eq!(full, "argument `config_json` is NULL".len());
        let mut buf = [0x55u8; 9];
        assert_eq!(
            authtoken_last_error_message(buf.as_mut_ptr().cast(), buf.len()),
            full
        );
        assert_eq!(
            CStr::from_bytes_until_nul(&buf).unwrap().to_str().unwrap(),
            "argument"
        );
    }
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_inside_becomes_the_panic_result() {
    assert_eq!(authtoken_testing_panic(), authtoken_result::Panic);
    assert_eq!(authtoken_result::Panic as u32, 16);
    assert_eq!(authtoken_last_error_code(), authtoken_result::Panic);
    assert!(last_message().contains("authtoken_testing_panic was called"));
    assert_eq!(authtoken_testing_panic_value(), -1);
    assert_eq!(authtoken_noop(), authtoken_result::Ok);
}

#[test]
fn invalidate_forgets_only_the_token_that_failed() {
    let emu = Emulator::start(Options::default()).unwrap();
    let config = format!(
        r#"{{"provider": "cruxconnect", "username": "ffi-invalidate", "password": {},
            "base_url": "{}", "cache": "memory"}}"#,
        serde_json::Value::from(authtoken_emulator::test_password()),
        emu.base_url("cruxconnect")
    );
    let client = new_client(&config);
    // SAFETY (whole block): `client` is live until freed at the end; strings are valid C
    // strings or owned library strings freed once; out pointers are valid locals.
    unsafe {
        let mut header = ptr::null_mut();
        assert_eq!(
            authtoken_client_authorization_header(client, &mut header),
            authtoken_result::Ok
        );
        let old = take(header);
        let old_c = CString::new(old.clone()).unwrap();
        let mut invalidated = false;
        assert_eq!(
            authtoken_client_invalidate(client, old_c.as_ptr(), &mut invalidated),
            authtoken_result::Ok
        );
        assert!(invalidated, "the current token was forgotten");
        let mut header = ptr::null_mut();
        assert_eq!(
            authtoken_client_authorization_header(client, &mut header),
            authtoken_result::Ok
        );
        let new = take(header);
        assert_ne!(new, old);
        // A late report of the old token keeps the new one.
        let mut invalidated = true;
        assert_eq!(
            authtoken_client_invalidate(client, old_c.as_ptr(), &mut invalidated),
            authtoken_result::Ok
        );
        assert!(!invalidated);
        let mut header = ptr::null_mut();
        assert_eq!(
            authtoken_client_authorization_header(client, &mut header),
            authtoken_result::Ok
        );
        assert_eq!(take(header), new);
        assert_eq!(emu.login_count("cruxconnect", "ffi-invalidate"), 2);
        // NULL and empty arguments are errors, not crashes.
        assert_eq!(
            authtoken_client_invalidate(client, ptr::null(), ptr::null_mut()),
            authtoken_result::InvalidArgument
        );
        assert!(
            last_message().contains("failed_token"),
            "{}",
            last_message()
        );
        let empty = CString::new("").unwrap();
        assert_eq!(
            authtoken_client_invalidate(client, empty.as_ptr(), ptr::null_mut()),
            authtoken_result::InvalidArgument
        );
        assert_eq!(
            authtoken_client_invalidate(ptr::null(), old_c.as_ptr(), ptr::null_mut()),
            authtoken_result::InvalidArgument
        );
        authtoken_client_free(client);
    }
}
