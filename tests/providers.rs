//! Every provider's login, exact header, signed requests and logout, against the emulator.

mod common;

use authtoken::ErrorKind;
use common::*;
use serde_json::json;

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn tpstreams_header_is_token_scheme_with_64_hex() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "hari@example.com");
    let header = c.authorization_header().unwrap();
    let token = header.strip_prefix("Token ").expect("Token scheme");
    assert!(is_hex(token, 64), "{token:?} is not 64 hex characters");
    assert!(
        c.token().unwrap().expires_at().is_some(),
        "knox expiry is read"
    );
    let seen = echo(&c.get("/api/echo/").unwrap());
    assert_eq!(seen["headers"]["authorization"], json!(header));
    assert_eq!(emu.login_count("tpstreams", "hari@example.com"), 1);
}

#[test]
fn tpstreams_legacy_header_is_lowercase_token() {
    let emu = emulator();
    let c = client(&emu, "tpstreams-legacy", "hari");
    let header = c.authorization_header().unwrap();
    let token = header
        .strip_prefix("token ")
        .expect("lower-case token scheme");
    assert!(is_hex(token, 64));
    assert_eq!(
        c.token().unwrap().expires_at(),
        None,
        "legacy tokens have no known expiry"
    );
    let seen = echo(&c.get("/api/echo/").unwrap());
    assert_eq!(seen["headers"]["authorization"], json!(header));
}

#[test]
fn testpress_header_is_jwt_with_exp() {
    let emu = emulator();
    let c = client(&emu, "testpress", "testpress");
    let header = c.authorization_header().unwrap();
    let token = header.strip_prefix("JWT ").expect("JWT scheme");
    assert_eq!(token.split('.').count(), 3, "a JWT");
    assert!(authtoken::jwt_expiry(token).is_some());
    assert_eq!(
        c.token().unwrap().expires_at(),
        authtoken::jwt_expiry(token)
    );
    let courses = c.get("/api/v2.5/courses/").unwrap();
    assert_eq!(courses.status(), 200);
}

#[test]
fn testpress_api_version_is_selectable() {
    let emu = emulator();
    for version in ["v2.2", "v2.3", "v2.5"] {
        let mut cfg = config(&emu, "testpress", &format!("user-{version}"));
        cfg["api_version"] = json!(version);
        let c = client_from(&cfg);
        assert!(
            c.authorization_header().unwrap().starts_with("JWT "),
            "{version}"
        );
    }
    let mut cfg = config(&emu, "testpress", "user-v9");
    cfg["api_version"] = json!("v9.9");
    let err = client_from(&cfg).token().unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
}

#[test]
fn cruxconnect_header_is_token_scheme_with_40_hex() {
    let emu = emulator();
    let c = client(&emu, "cruxconnect", "crux-user");
    let header = c.authorization_header().unwrap();
    let token = header.strip_prefix("Token ").expect("Token scheme");
    assert!(is_hex(token, 40));
    assert_eq!(c.get("/api/permissions/").unwrap().status(), 200);
}

#[test]
fn custom_profile_speaks_a_service_of_the_same_shape() {
    let emu = emulator();
    let c = client_from(&json!({
        "provider": "custom",
        "base_url": emu.base_url("tpstreams"),
        "login_path": "/api/auth/login/",
        "logout_path": "/api/auth/logout/",
        "credential_fields": {"username": "username", "password": "password"},
        "extra_fields": {"organization_id": "org-custom"},
        "token_field": "token",
        "expiry_field": "expiry",
        "scheme": "Token",
        "username": "custom-user",
        "password": *PASSWORD,
        "cache": "memory",
    }));
    let token = c.token().unwrap();
    assert!(token.expires_at().is_some(), "expiry_field is read");
    let seen = echo(&c.get("/api/echo/").unwrap());
    assert_eq!(seen["user"], json!("custom-user"));
    c.logout().unwrap();
    assert_eq!(
        raw_get(
            &format!("{}/api/echo/", emu.base_url("tpstreams")),
            token.header_value()
        ),
        401
    );
}

#[test]
fn signed_get_and_post_send_the_header_body_and_extra_headers() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "poster");
    let header = c.authorization_header().unwrap();
    let resp = c
        .request(
            "post",
            "/api/echo/items?x=1",
            &[("X-Trace", "abc"), ("Content-Type", "text/plain")],
            Some(b"hello body"),
        )
        .unwrap();
    let seen = echo(&resp);
    assert_eq!(seen["method"], json!("POST"));
    assert_eq!(seen["body"], json!("hello body"));
    assert_eq!(seen["query"], json!("x=1"));
    assert_eq!(seen["headers"]["x-trace"], json!("abc"));
    assert_eq!(seen["headers"]["authorization"], json!(header));
    let created = c
        .request_json(
            "POST",
            "/api/v1/org-1/assets/videos/",
            &json!({"title": "t"}),
        )
        .unwrap();
    assert_eq!(created.status(), 201);
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let seen = echo(&c.request(method, "/api/echo/", &[], Some(b"{}")).unwrap());
        assert_eq!(seen["method"], json!(method));
    }
    assert_eq!(
        emu.login_count("tpstreams", "poster"),
        1,
        "one login for every request"
    );
}

#[test]
fn absolute_url_of_the_same_origin_is_signed() {
    let emu = emulator();
    let c = client(&emu, "cruxconnect", "abs");
    let url = format!("{}/api/echo/", emu.base_url("cruxconnect"));
    let seen = echo(&c.get(&url).unwrap());
    assert!(seen["headers"]["authorization"]
        .as_str()
        .unwrap()
        .starts_with("Token "));
}

#[test]
fn logout_revokes_on_the_server_and_forgets_locally() {
    let emu = emulator();
    for service in ["tpstreams", "testpress"] {
        let c = client(&emu, service, "leaver");
        let old = c.token().unwrap();
        let echo_url = format!("{}/api/echo/", emu.base_url(service));
        assert_eq!(raw_get(&echo_url, old.header_value()), 200);
        c.logout().unwrap();
        assert_eq!(
            raw_get(&echo_url, old.header_value()),
            401,
            "{service}: the old token is refused"
        );
        assert_eq!(emu.logout_count(service, "leaver"), 1);
        assert!(c.cached_token().unwrap().is_none());
        let new = c.token().unwrap();
        assert!(
            !new.same_secret(&old),
            "{service}: a new token after logout"
        );
        assert_eq!(emu.login_count(service, "leaver"), 2);
        c.logout().unwrap();
        c.logout().unwrap(); // nothing to revoke: no request, no error
        assert_eq!(emu.logout_count(service, "leaver"), 2);
    }
}

#[test]
fn logout_without_endpoint_forgets_the_token() {
    let emu = emulator();
    for service in ["tpstreams-legacy", "cruxconnect"] {
        let c = client(&emu, service, "no-logout");
        c.token().unwrap();
        c.logout().unwrap();
        assert!(c.cached_token().unwrap().is_none(), "{service}");
        c.token().unwrap();
        assert_eq!(emu.login_count(service, "no-logout"), 2, "{service}");
    }
}

#[test]
fn logout_of_an_already_revoked_token_succeeds() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "twice");
    c.token().unwrap();
    emu.revoke_all("tpstreams", Some("twice"));
    c.logout().unwrap();
    assert!(c.cached_token().unwrap().is_none());
}

#[test]
fn failed_logout_keeps_the_token_for_a_retry() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "keep");
    let token = c.token().unwrap();
    emu.inject(Fault::status(500).service("tpstreams").path("logout"));
    let err = c.logout().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status(), Some(500));
    assert!(c.cached_token().unwrap().unwrap().same_secret(&token));
    c.logout().unwrap();
    assert!(c.cached_token().unwrap().is_none());
}
