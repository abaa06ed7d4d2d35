//! Token reuse inside a process: single-flight, expiry refresh, re-login on 401.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use authtoken_emulator::Service;
use common::*;
use serde_json::json;

fn in_threads<F: Fn() + Send + Sync + 'static>(n: usize, f: F) {
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (f, barrier) = (Arc::clone(&f), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                f();
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread panicked");
    }
}

#[test]
fn sixty_four_threads_on_a_cold_client_make_one_login() {
    let emu = emulator();
    // A slow login makes every thread arrive while it is in flight.
    emu.inject(Fault::delay(300).service("tpstreams").path("login"));
    let c = client(&emu, "tpstreams", "storm");
    let first = Arc::new(std::sync::Mutex::new(None::<String>));
    let (c2, seen) = (c.clone(), Arc::clone(&first));
    in_threads(64, move || {
        let h = c2.authorization_header().unwrap();
        let mut seen = seen.lock().unwrap();
        match &*seen {
            None => *seen = Some(h),
            Some(prev) => assert_eq!(prev, &h, "every thread gets the same token"),
        }
    });
    assert_eq!(emu.login_count("tpstreams", "storm"), 1);
    assert_eq!(
        emu.stats()["login_attempts"]["tpstreams"]["storm"],
        json!(1)
    );
}

#[test]
fn separate_clients_of_one_identity_share_the_token() {
    let emu = emulator();
    let a = client(&emu, "cruxconnect", "shared");
    let b = client(&emu, "cruxconnect", "shared");
    assert_eq!(
        a.authorization_header().unwrap(),
        b.authorization_header().unwrap()
    );
    assert_eq!(emu.login_count("cruxconnect", "shared"), 1);
    let other = client(&emu, "cruxconnect", "someone-else");
    assert_ne!(
        a.authorization_header().unwrap(),
        other.authorization_header().unwrap()
    );
}

#[test]
fn knox_expiry_is_refreshed_ahead_of_time() {
    let mut opts = Options::default();
    opts.set_token_lifetime(Service::Tpstreams, Some(Duration::from_secs(4)));
    let emu = emulator_with(opts);
    let mut cfg = config(&emu, "tpstreams", "refresher");
    cfg["refresh_margin_s"] = json!(1);
    let c = client_from(&cfg);
    let first = c.token().unwrap();
    assert_eq!(
        c.token().unwrap().secret(),
        first.secret(),
        "reused while fresh"
    );
    thread::sleep(Duration::from_millis(3200));
    // 3.2 s into a 4 s token with a 1 s margin: replaced before it expires.
    let second = c.token().unwrap();
    assert!(!second.same_secret(&first));
    assert_eq!(emu.login_count("tpstreams", "refresher"), 2);
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
}

#[test]
fn jwt_exp_drives_the_refresh() {
    let mut opts = Options::default();
    opts.set_token_lifetime(Service::Testpress, Some(Duration::from_secs(3)));
    let emu = emulator_with(opts);
    let mut cfg = config(&emu, "testpress", "jwt-refresh");
    cfg["refresh_margin_s"] = json!(1);
    let c = client_from(&cfg);
    let first = c.token().unwrap();
    thread::sleep(Duration::from_millis(2300));
    let second = c.token().unwrap();
    assert!(!second.same_secret(&first));
    assert_eq!(emu.login_count("testpress", "jwt-refresh"), 2);
}

#[test]
fn configured_lifetime_applies_when_the_service_says_nothing() {
    let emu = emulator();
    let mut cfg = config(&emu, "tpstreams-legacy", "lifetime");
    cfg["token_lifetime_s"] = json!(2);
    cfg["refresh_margin_s"] = json!(0);
    let c = client_from(&cfg);
    let first = c.token().unwrap();
    assert!(first.expires_at().is_some());
    thread::sleep(Duration::from_millis(2100));
    assert!(!c.token().unwrap().same_secret(&first));
    assert_eq!(emu.login_count("tpstreams-legacy", "lifetime"), 2);
}

#[test]
fn a_401_logs_in_again_and_resends_the_same_body() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "revoked");
    let old = c.token().unwrap();
    emu.revoke_all("tpstreams", Some("revoked"));
    let resp = c
        .request(
            "POST",
            "/api/echo/",
            &[("Content-Type", "application/json")],
            Some(br#"{"n": 42}"#),
        )
        .unwrap();
    let seen = echo(&resp);
    assert_eq!(
        seen["body"],
        json!(r#"{"n": 42}"#),
        "the body is sent again"
    );
    assert_ne!(seen["headers"]["authorization"], json!(old.header_value()));
    assert_eq!(emu.login_count("tpstreams", "revoked"), 2);
    assert_eq!(emu.unauthorized_count("tpstreams"), 1);
}

#[test]
fn fifty_threads_seeing_401_cause_one_relogin() {
    let emu = emulator();
    let c = client(&emu, "cruxconnect", "herd");
    c.token().unwrap();
    emu.revoke_all("cruxconnect", Some("herd"));
    let c2 = c.clone();
    in_threads(50, move || {
        assert_eq!(c2.get("/api/echo/").unwrap().status(), 200);
    });
    assert_eq!(
        emu.login_count("cruxconnect", "herd"),
        2,
        "one login, one re-login"
    );
}

#[test]
fn testpress_403_for_a_bad_jwt_triggers_a_relogin() {
    let emu = emulator();
    let c = client(&emu, "testpress", "exam-taker");
    c.token().unwrap();
    emu.revoke_all("testpress", Some("exam-taker"));
    let resp = c.get("/api/v2.5/exams/").unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(emu.login_count("testpress", "exam-taker"), 2);
}

#[test]
fn a_second_401_is_an_unauthorized_error() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "always-401");
    c.token().unwrap();
    emu.inject(
        Fault::status(401)
            .service("tpstreams")
            .path("/api/echo/")
            .count(2),
    );
    let err = c.get("/api/echo/").unwrap_err();
    assert_eq!(err.kind(), authtoken::ErrorKind::Unauthorized);
    assert_eq!(err.status(), Some(401));
    assert!(err.message().contains("Injected 401"), "{err}");
    assert_eq!(emu.login_count("tpstreams", "always-401"), 2);
}

#[test]
fn a_token_the_server_expired_early_is_replaced_transparently() {
    let emu = emulator();
    let c = client(&emu, "testpress", "early");
    c.token().unwrap();
    emu.expire_all("testpress", Some("early"));
    assert_eq!(c.get("/api/v2.5/courses/").unwrap().status(), 200);
    assert_eq!(emu.login_count("testpress", "early"), 2);
}

#[test]
fn users_of_their_own_http_client_report_a_401_with_invalidate() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "own-http");
    let old = c.authorization_header().unwrap();
    emu.revoke_all("tpstreams", Some("own-http"));
    let url = format!("{}/api/echo/", emu.base_url("tpstreams"));
    let (c2, url2, old2) = (c.clone(), url.clone(), old.clone());
    // 16 workers with their own HTTP client all see the same 401 and report it.
    in_threads(16, move || {
        assert_eq!(raw_get(&url2, &old2), 401);
        c2.invalidate(&old2).unwrap();
        let fresh = c2.authorization_header().unwrap();
        assert_eq!(raw_get(&url2, &fresh), 200);
    });
    assert_eq!(
        emu.login_count("tpstreams", "own-http"),
        2,
        "one re-login for 16 reports"
    );
    assert!(
        !c.invalidate(&old).unwrap(),
        "a stale report keeps the current token"
    );
    let err = c.invalidate("").unwrap_err();
    assert_eq!(err.kind(), authtoken::ErrorKind::InvalidArgument);
}

#[test]
fn the_fresh_token_serial_names_the_header_until_the_token_changes() {
    let mut opts = Options::default();
    opts.set_token_lifetime(Service::Tpstreams, Some(Duration::from_secs(3)));
    let emu = emulator_with(opts);
    let mut cfg = config(&emu, "tpstreams", "serial");
    cfg["refresh_margin_s"] = json!(1);
    let c = client_from(&cfg);
    assert_eq!(c.fresh_token_serial(), None, "no token yet");
    assert_eq!(
        emu.login_count("tpstreams", "serial"),
        0,
        "asking logs nobody in"
    );

    let first = c.token().unwrap();
    assert_ne!(first.serial(), 0);
    assert_eq!(c.fresh_token_serial(), Some(first.serial()));
    assert_eq!(
        c.clone().fresh_token_serial(),
        Some(first.serial()),
        "a clone shares it"
    );

    // Within the refresh margin: no serial, so a binding's copy of the header is not used.
    thread::sleep(Duration::from_millis(2100));
    assert_eq!(c.fresh_token_serial(), None, "within the margin");
    let second = c.token().unwrap();
    assert!(!second.same_secret(&first));
    assert_ne!(second.serial(), first.serial());
    assert_eq!(c.fresh_token_serial(), Some(second.serial()));

    // Reported refused: gone at once, and the next token has a new serial.
    assert!(c.invalidate(&c.authorization_header().unwrap()).unwrap());
    assert_eq!(c.fresh_token_serial(), None, "after invalidate");
    let third = c.token().unwrap();
    assert_ne!(third.serial(), second.serial());
    assert_eq!(c.fresh_token_serial(), Some(third.serial()));
    c.logout().unwrap();
    assert_eq!(c.fresh_token_serial(), None, "after logout");
    assert_eq!(emu.login_count("tpstreams", "serial"), 3);
}
