//! The Authorization header never leaves the service's origin; HTTPS is required off loopback.

mod common;

use authtoken::ErrorKind;
use common::*;
use serde_json::{json, Value};

#[test]
fn an_absolute_url_of_another_origin_is_refused() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "origin");
    for url in [
        "https://evil.example.com/api/".to_string(),
        format!("http://localhost:{}/tpstreams/api/echo/", emu.addr().port()),
        format!(
            "http://127.0.0.1:{}/tpstreams/api/echo/",
            emu.addr().port() ^ 1
        ),
    ] {
        let err = c.get(&url).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}");
        assert!(
            err.message()
                .contains("refusing to send the Authorization header"),
            "{err}"
        );
    }
    let err = c.get("ftp://127.0.0.1/x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        emu.login_count("tpstreams", "origin"),
        0,
        "refused before logging in"
    );
}

#[test]
fn a_redirect_to_another_origin_drops_the_header() {
    let emu = emulator();
    let c = client(&emu, "cruxconnect", "redirected");
    let port = emu.addr().port();
    let elsewhere = format!("http://localhost:{port}/cruxconnect/api/whoami/");
    let resp = c.get(&format!("/api/redirect/?to={elsewhere}")).unwrap();
    assert_eq!(resp.status(), 200);
    let seen: Value = resp.json().unwrap();
    assert_eq!(
        seen["authorization"],
        Value::Null,
        "the header did not follow the redirect"
    );

    let same = format!("http://127.0.0.1:{port}/cruxconnect/api/whoami/");
    let seen: Value = c
        .get(&format!("/api/redirect/?to={same}"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        seen["authorization"],
        json!(c.authorization_header().unwrap()),
        "kept within the origin"
    );
}

#[test]
fn plain_http_needs_loopback_or_explicit_permission() {
    let base =
        json!({"provider": "cruxconnect", "username": "u", "password": "p", "cache": "memory"});
    let mut cfg = base.clone();
    cfg["base_url"] = json!("http://api.example.com");
    let err = authtoken::Config::from_value(&cfg).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.message().contains("allow_insecure_http"), "{err}");
    cfg["allow_insecure_http"] = json!(true);
    authtoken::Config::from_value(&cfg).unwrap();
    for ok in [
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://[::1]:9",
        "https://api.example.com",
    ] {
        let mut cfg = base.clone();
        cfg["base_url"] = json!(ok);
        authtoken::Config::from_value(&cfg).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn the_login_never_follows_a_redirect() {
    let emu = emulator();
    let port = emu.addr().port();
    // A custom profile whose login path answers with a redirect: the password must not be
    // re-posted anywhere.
    let c = client_from(&json!({
        "provider": "custom", "base_url": emu.base_url("cruxconnect"),
        "login_path": format!("/api/redirect/?to=http://localhost:{port}/cruxconnect/timp/organizations/user-login/&status=307"),
        "token_field": "auth_token", "username": "redir", "password": *PASSWORD, "cache": "memory",
    }));
    let err = c.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert_eq!(err.status(), Some(307));
    assert_eq!(emu.login_count("cruxconnect", "redir"), 0);
}

#[test]
fn the_user_cannot_set_the_authorization_header() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "hdr");
    let err = c
        .request("GET", "/api/echo/", &[("authorization", "Token x")], None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = c
        .request("GET", "/api/echo/", &[("bad header", "x")], None)
        .unwrap_err();
    assert!(
        err.message().contains("invalid header name `bad header`"),
        "{err}"
    );
    let err = c
        .request("GET", "/api/echo/", &[("x-a", "line\nbreak")], None)
        .unwrap_err();
    assert!(
        err.message().contains("invalid value for header `x-a`"),
        "{err}"
    );
    let err = c.request("BREW", "/api/echo/", &[], None).unwrap_err();
    assert!(
        err.message().contains("unknown HTTP method `BREW`"),
        "{err}"
    );
}

#[test]
fn check_url_is_the_rule_the_clients_own_requests_follow() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "check-url");
    let own = format!("{}/api/echo/?page=2", c.base_url());
    assert!(c.check_url(&own).is_ok());
    // Every URL a signed request refuses, check_url refuses with the same message.
    for url in [
        "https://evil.example.com/api/".to_string(),
        format!("http://localhost:{}/tpstreams/api/echo/", emu.addr().port()),
        format!("HTTPS://127.0.0.1:{}/tpstreams/", emu.addr().port()),
    ] {
        let checked = c.check_url(&url).unwrap_err();
        let sent = c.get(&url).unwrap_err();
        assert_eq!(checked.kind(), ErrorKind::InvalidArgument, "{url}");
        assert_eq!(checked.message(), sent.message(), "{url}");
    }
    let ftp = c.check_url("ftp://127.0.0.1/x").unwrap_err();
    assert_eq!(
        ftp.message(),
        "refusing to send the Authorization header to a ftp: URL: only http:// and https:// URLs are supported"
    );
    let relative = c.check_url("/api/echo/").unwrap_err();
    assert!(
        relative.message().starts_with("invalid URL `/api/echo/`"),
        "{relative}"
    );
    assert_eq!(
        emu.login_count("tpstreams", "check-url"),
        0,
        "nothing was sent"
    );
}

#[test]
fn is_refused_is_the_rule_the_clients_own_requests_follow() {
    let emu = emulator();
    let tpstreams = client(&emu, "tpstreams", "is-refused");
    let testpress = client(&emu, "testpress", "is-refused");
    let expired = br#"{"detail": "Signature has expired."}"#;
    assert!(tpstreams.is_refused(401, b""));
    assert!(!tpstreams.is_refused(403, expired));
    assert!(testpress.is_refused(403, expired));
    assert!(testpress.is_refused(403, br#"{"message": "Invalid signature."}"#));
    assert!(!testpress.is_refused(403, br#"{"detail": "You do not have permission."}"#));
    assert!(!testpress.is_refused(500, expired));
    // The body is asked for only when the decision needs it.
    assert!(testpress.is_refused_with(401, || -> Vec<u8> { panic!("read for a 401") }));
    assert!(!tpstreams.is_refused_with(403, || -> Vec<u8> { panic!("read for TPStreams") }));
    assert!(testpress.is_refused_with(403, || expired.to_vec()));
    // From the status alone: None only where the body decides.
    assert_eq!(testpress.is_refused_by_status(403), None);
    assert_eq!(tpstreams.is_refused_by_status(403), Some(false));
    assert_eq!(testpress.is_refused_by_status(401), Some(true));
    assert_eq!(testpress.is_refused_by_status(200), Some(false));
}
