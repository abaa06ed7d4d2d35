//! What users see when things go wrong: the kind, the status and the server's message.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use authtoken::ErrorKind;
use common::*;
use serde_json::json;

#[test]
fn bad_credentials_surface_the_servers_message() {
    let emu = emulator();
    for service in ["tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"] {
        let mut cfg = config(&emu, service, "mallory");
        cfg["password"] = json!("wrong-password");
        let err = client_from(&cfg).token().unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidCredentials,
            "{service}: {err}"
        );
        assert_eq!(err.status(), Some(400));
        assert_eq!(
            err.server_message(),
            Some("Unable to log in with provided credentials.")
        );
        assert!(
            err.message()
                .contains("Unable to log in with provided credentials."),
            "{err}"
        );
        assert!(err.message().contains(service), "names the provider: {err}");
    }
}

#[test]
fn the_twenty_token_limit_is_a_specific_error() {
    let emu = emulator();
    for i in 0..20 {
        let c = client(&emu, "tpstreams", &format!("member-{i}"));
        c.token().unwrap();
    }
    let err = client(&emu, "tpstreams", "member-20").token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenLimit, "{err}");
    assert_eq!(err.code(), 3);
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        err.server_message(),
        Some("Maximum amount of tokens allowed per user exceeded.")
    );
    assert!(
        err.message()
            .contains("log out tokens that are no longer used"),
        "{err}"
    );
}

#[test]
fn testpress_parallel_login_limit_is_a_token_limit() {
    let emu = emulator_with(Options {
        testpress_max_parallel_logins: Some(1),
        ..Options::default()
    });
    let mut a = config(&emu, "testpress", "solo");
    a["cache"] = json!("memory");
    client_from(&a).token().unwrap();
    // A second client of the same user elsewhere (another base URL spelling, so no sharing).
    let mut b = a.clone();
    b["base_url"] = json!(format!("http://localhost:{}/testpress", emu.addr().port()));
    let err = client_from(&b).token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenLimit, "{err}");
    assert_eq!(err.error_code(), Some("parallel_login_restriction"));
}

#[test]
fn an_unreachable_server_is_a_network_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client_from(&json!({
        "provider": "cruxconnect", "username": "u", "password": "p",
        "base_url": format!("http://127.0.0.1:{port}"), "cache": "memory",
    }));
    let err = c.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(
        err.message()
            .contains(&format!("could not connect to http://127.0.0.1:{port}")),
        "{err}"
    );
    assert_eq!(err.status(), None);
}

#[test]
fn a_slow_server_is_a_timeout() {
    let emu = emulator();
    emu.inject(Fault::delay(3000).service("tpstreams").path("login"));
    let mut cfg = config(&emu, "tpstreams", "patient");
    cfg["timeout_ms"] = json!(300);
    let started = Instant::now();
    let err = client_from(&cfg).token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        err.message().contains("did not answer within 300 ms"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the login POST is not retried after a timeout"
    );
}

#[test]
fn a_malformed_login_answer_is_a_protocol_error() {
    let emu = emulator();
    emu.inject(Fault::malformed().service("cruxconnect").path("login"));
    let err = client(&emu, "cruxconnect", "garbled").token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.message().contains("not valid JSON"), "{err}");
}

#[test]
fn an_oversized_login_answer_is_refused() {
    let emu = emulator();
    emu.inject(Fault::oversized(4 << 20).service("tpstreams").path("login"));
    let err = client(&emu, "tpstreams", "flooded").token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.message().contains("larger than 1048576 bytes"), "{err}");
}

#[test]
fn an_oversized_api_answer_respects_max_response_bytes() {
    let emu = emulator();
    let mut cfg = config(&emu, "tpstreams", "big");
    cfg["max_response_bytes"] = json!(100_000);
    let c = client_from(&cfg);
    assert_eq!(
        c.get("/api/big/?bytes=100000").unwrap().body().len(),
        100_000
    );
    let err = c.get("/api/big/?bytes=100001").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(err.message().contains("larger than 100000 bytes"), "{err}");
}

#[test]
fn idempotent_requests_are_retried_on_503() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "retry-get");
    c.token().unwrap();
    emu.inject(
        Fault::status(503)
            .service("tpstreams")
            .path("/api/echo/")
            .count(2),
    );
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    assert!(emu.pending_faults().is_empty(), "both faults were consumed");
}

#[test]
fn a_post_is_not_retried_on_503() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "retry-post");
    c.token().unwrap();
    emu.inject(
        Fault::status(503)
            .service("tpstreams")
            .path("/api/echo/")
            .count(2),
    );
    let resp = c.request("POST", "/api/echo/", &[], Some(b"x")).unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(emu.pending_faults().len(), 1, "only one attempt was made");
    let err = resp.error_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.server_message(), Some("Injected 503"));
}

#[test]
fn retry_after_is_honoured_within_the_cap() {
    let emu = emulator();
    let c = client(&emu, "cruxconnect", "polite");
    c.token().unwrap();
    emu.inject(
        Fault::status(429)
            .service("cruxconnect")
            .path("/api/echo/")
            .retry_after(1),
    );
    let started = Instant::now();
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited as asked"
    );
}

#[test]
fn retry_after_beyond_the_cap_returns_at_once() {
    let emu = emulator();
    let mut cfg = config(&emu, "cruxconnect", "impatient");
    cfg["max_retry_wait_ms"] = json!(1000);
    let c = client_from(&cfg);
    c.token().unwrap();
    emu.inject(
        Fault::status(429)
            .service("cruxconnect")
            .path("/api/echo/")
            .retry_after(120),
    );
    let started = Instant::now();
    let resp = c.get("/api/echo/").unwrap();
    assert_eq!(resp.status(), 429);
    assert!(started.elapsed() < Duration::from_secs(5));
    let err = resp.error_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[test]
fn a_login_rate_limit_is_reported_with_retry_after() {
    let emu = emulator();
    emu.inject(
        Fault::status(429)
            .service("testpress")
            .path("login")
            .retry_after(30),
    );
    let err = client(&emu, "testpress", "throttled").token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

#[test]
fn a_login_that_may_have_been_processed_is_not_retried() {
    let emu = emulator();
    emu.inject(
        Fault::drop_after_processing()
            .service("tpstreams")
            .path("login"),
    );
    let err = client(&emu, "tpstreams", "ambiguous").token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(
        emu.stats()["login_attempts"]["tpstreams"]["ambiguous"],
        json!(1),
        "no second login POST"
    );
}

#[test]
fn a_reset_connection_at_login_never_burns_a_second_token() {
    let emu = emulator();
    emu.inject(Fault::reset().count(1));
    let c = client(&emu, "cruxconnect", "reset");
    // Depending on timing, the HTTP stack sees the reset before writing the request (and
    // safely retries it: it never reached the server) or after (a Network error: the
    // request may have been read, so no blind retry). Either way: at most one token.
    match c.token() {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), ErrorKind::Network, "{e}"),
    }
    c.token().unwrap();
    assert_eq!(emu.login_count("cruxconnect", "reset"), 1);
}

#[test]
fn a_login_refused_at_connect_is_retried() {
    // Nothing listens on the port until the emulator starts there a little later: the first
    // attempt is refused (it provably never reached a server) and is retried.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let starter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        emulator_with(Options {
            bind: ([127, 0, 0, 1], port).into(),
            ..Options::default()
        })
    });
    let c = client_from(&json!({
        "provider": "cruxconnect", "username": "late", "password": *PASSWORD,
        "base_url": format!("http://127.0.0.1:{port}/cruxconnect"), "cache": "memory",
        "max_retries": 4,
    }));
    c.token().unwrap();
    let emu = starter.join().unwrap();
    assert_eq!(emu.login_count("cruxconnect", "late"), 1);
}

#[test]
fn server_errors_at_login_are_server_errors() {
    let emu = emulator();
    emu.inject(Fault::status(500).service("cruxconnect").path("login"));
    let err = client(&emu, "cruxconnect", "unlucky").token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        emu.stats()["login_attempts"]["cruxconnect"]["unlucky"],
        json!(1)
    );
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    let emu = emulator();
    let c = client_from(&json!({
        "provider": "cruxconnect", "username": "u", "password": "p",
        "base_url": format!("https://127.0.0.1:{}/cruxconnect", emu.addr().port()),
        "cache": "memory",
    }));
    let err = c.token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
}
