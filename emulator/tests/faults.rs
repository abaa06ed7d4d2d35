//! Every fault kind, injected through the library and through the admin API.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use authtoken_emulator::{Fault, FaultKind};
use common::*;
use serde_json::{json, Value};

fn tp_login_body(user: &str) -> Value {
    json!({"username": user, "password": *PASSWORD, "organization_id": format!("org-{user}")})
}

/// Send a raw HTTP/1.1 request and read until the server closes; returns what came back.
fn raw_request(addr: std::net::SocketAddr, request: &str) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(request.as_bytes())?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(out)
}

fn raw_login(user: &str) -> String {
    let body = tp_login_body(user).to_string();
    format!(
        "POST /tpstreams/api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn status_fault_answers_instead_of_logging_in() {
    let emu = start();
    let c = client();
    emu.inject(
        Fault::status(503)
            .service("tpstreams")
            .path("login")
            .retry_after(7),
    );
    let r = post_login(&c, &emu, "tpstreams", &tp_login_body("st"));
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(
        r.json::<Value>().unwrap(),
        json!({"detail": "Injected 503"})
    );
    assert_eq!(emu.login_count("tpstreams", "st"), 0);
    assert_eq!(emu.login_attempts("tpstreams", "st"), 1);
    assert!(emu.pending_faults().is_empty());
    assert_eq!(
        post_login(&c, &emu, "tpstreams", &tp_login_body("st")).status(),
        200
    );
    assert_eq!(emu.login_count("tpstreams", "st"), 1);
}

#[test]
fn faults_match_service_path_and_count_in_fifo_order() {
    let emu = start();
    let c = client();
    let root = emu.root_url();
    // Through the admin API: a list of faults.
    let r = c
        .post(format!("{root}/_emulator/faults"))
        .json(&json!([
            {"service": "testpress", "path": "login", "kind": "status", "status": 429, "count": 2},
            {"path": "/api/echo/", "kind": "status", "status": 502},
        ]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let pending: Value = c
        .get(format!("{root}/_emulator/faults"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(pending.as_array().unwrap().len(), 2);
    assert_eq!(pending[0]["count"], 2);

    // Another service's login is untouched.
    let t = login(&c, &emu, "cruxconnect", "f");
    let tp = json!({"username": "f", "password": *PASSWORD});
    assert_eq!(post_login(&c, &emu, "testpress", &tp).status(), 429);
    assert_eq!(post_login(&c, &emu, "testpress", &tp).status(), 429);
    assert_eq!(post_login(&c, &emu, "testpress", &tp).status(), 200);
    let echo = get_auth(
        &c,
        &format!("{}/api/echo/", emu.base_url("cruxconnect")),
        "cruxconnect",
        &t,
    );
    assert_eq!(echo.status(), 502);
    assert_eq!(
        get_auth(
            &c,
            &format!("{}/api/echo/", emu.base_url("cruxconnect")),
            "cruxconnect",
            &t
        )
        .status(),
        200
    );

    // Bad faults are refused; DELETE clears.
    let bad = c
        .post(format!("{root}/_emulator/faults"))
        .json(&json!({"kind": "explode"}))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 400);
    emu.inject(Fault::status(500).count(5));
    let cleared: Value = c
        .delete(format!("{root}/_emulator/faults"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(cleared, json!({"cleared": 1}));
    assert!(emu.pending_faults().is_empty());
}

#[test]
fn logout_shorthand_and_401_fault() {
    let emu = start();
    let c = client();
    let t = login(&c, &emu, "tpstreams", "lo");
    emu.inject(Fault::status(401).service("tpstreams").path("logout"));
    let url = format!("{}/api/auth/logout/", emu.base_url("tpstreams"));
    let r = c
        .post(&url)
        .header("Authorization", format!("Token {t}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Token");
    assert_eq!(emu.logout_count("tpstreams", "lo"), 0);
    let r = c
        .post(&url)
        .header("Authorization", format!("Token {t}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[test]
fn delay_fault_delays_then_handles() {
    let emu = start();
    let c = client();
    emu.inject(Fault::delay(300).service("cruxconnect").path("login"));
    let started = Instant::now();
    let r = post_login(
        &c,
        &emu,
        "cruxconnect",
        &json!({"username": "d", "password": *PASSWORD}),
    );
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(emu.login_count("cruxconnect", "d"), 1);
}

#[test]
fn drop_fault_closes_without_answer_and_does_not_log_in() {
    let emu = start();
    emu.inject(Fault::drop_connection().service("tpstreams").path("login"));
    let got = raw_request(emu.addr(), &raw_login("dr")).unwrap_or_default();
    assert!(
        got.is_empty(),
        "no byte of a response: {:?}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(emu.login_count("tpstreams", "dr"), 0);
    assert_eq!(emu.login_attempts("tpstreams", "dr"), 1);

    // reqwest sees an error.
    emu.inject(Fault::drop_connection());
    let c = client();
    let err = c
        .post(format!("{}/api/auth/login/", emu.base_url("tpstreams")))
        .json(&tp_login_body("dr"))
        .send();
    assert!(err.is_err(), "{err:?}");
    assert_eq!(emu.login_count("tpstreams", "dr"), 0);
    assert_eq!(emu.login_attempts("tpstreams", "dr"), 2);
}

#[test]
fn drop_after_processing_issues_a_token_but_answers_nothing() {
    let emu = start();
    emu.inject(
        Fault::drop_after_processing()
            .service("tpstreams")
            .path("login"),
    );
    let got = raw_request(emu.addr(), &raw_login("dap")).unwrap_or_default();
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    assert_eq!(emu.login_count("tpstreams", "dap"), 1);
    assert_eq!(emu.live_tokens_for_org("org-dap"), 1);

    emu.inject(
        Fault::drop_after_processing()
            .service("tpstreams")
            .path("login"),
    );
    let c = client();
    let err = c
        .post(format!("{}/api/auth/login/", emu.base_url("tpstreams")))
        .json(&tp_login_body("dap"))
        .send();
    assert!(err.is_err(), "{err:?}");
    assert_eq!(emu.login_count("tpstreams", "dap"), 2);
}

#[test]
fn reset_fault_closes_connections_at_accept() {
    let emu = start();
    let c = client();
    emu.inject(Fault::reset().count(2));
    assert_eq!(emu.pending_faults()[0].kind, FaultKind::Reset);
    for _ in 0..2 {
        let got = raw_request(emu.addr(), &raw_login("rs"));
        assert!(got.map(|b| b.is_empty()).unwrap_or(true));
    }
    assert_eq!(emu.login_attempts("tpstreams", "rs"), 0, "nothing was read");
    assert!(emu.pending_faults().is_empty());
    assert_eq!(
        post_login(&c, &emu, "tpstreams", &tp_login_body("rs")).status(),
        200
    );
}

#[test]
fn malformed_and_oversized_bodies() {
    let emu = start();
    let c = client();
    emu.inject(Fault::malformed().service("testpress").path("login"));
    let r = post_login(
        &c,
        &emu,
        "testpress",
        &json!({"username": "m", "password": *PASSWORD}),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let text = r.text().unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(emu.login_count("testpress", "m"), 0);

    emu.inject(
        Fault::oversized(1_000_000)
            .service("testpress")
            .path("login"),
    );
    let r = post_login(
        &c,
        &emu,
        "testpress",
        &json!({"username": "m", "password": *PASSWORD}),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().unwrap().len(), 1_000_000);
    assert_eq!(emu.login_count("testpress", "m"), 0);

    // Default size: 8 MiB.
    c.post(format!("{}/_emulator/faults", emu.root_url()))
        .json(&json!({"kind": "oversized"}))
        .send()
        .unwrap();
    let r = c
        .get(format!("{}/api/whoami/", emu.base_url("cruxconnect")))
        .send()
        .unwrap();
    assert_eq!(r.bytes().unwrap().len(), 8 * 1024 * 1024);
}
