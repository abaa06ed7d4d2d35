//! A scan: the password and tokens appear in no error message, log record or Debug output.

mod common;

use std::sync::Mutex;

use authtoken::{Client, Config};
use common::*;
use serde_json::json;

const SENTINEL_PASSWORD: &str = "S3NTINEL-password-7f3a9c";

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;
impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        RECORDS
            .lock()
            .unwrap()
            .push(format!("{} {}", record.level(), record.args()));
    }
    fn flush(&self) {}
}

#[test]
fn no_secret_in_errors_logs_or_debug_output() {
    static CAPTURE: Capture = Capture;
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let emu = emulator_with(Options {
        password: SENTINEL_PASSWORD.into(),
        ..Options::default()
    });
    let mut outputs: Vec<String> = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mk = |service: &str, user: &str, extra: serde_json::Value| {
        let mut cfg = config(&emu, service, user);
        cfg["password"] = json!(SENTINEL_PASSWORD);
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let config = Config::from_value(&cfg).unwrap();
        let dbg = format!("{config:?}");
        (Client::new(config).unwrap(), dbg)
    };

    for service in ["tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"] {
        let (c, dbg) = mk(service, "scan", json!({}));
        outputs.push(dbg);
        outputs.push(format!("{c:?}"));
        let token = c.token().unwrap();
        tokens.push(token.secret().to_string());
        outputs.push(format!("{token:?}"));
        // A revoked token: 401, re-login, then a persistent 401.
        emu.revoke_all(service, Some("scan"));
        c.get("/api/echo/").unwrap();
        tokens.push(c.token().unwrap().secret().to_string());
        emu.inject(
            Fault::status(401)
                .service(service)
                .path("/api/echo/")
                .count(2),
        );
        outputs.push(c.get("/api/echo/").unwrap_err().to_string());
        tokens.push(c.token().unwrap().secret().to_string());
        // A caller who pastes the token into a path: errors that show the URL hide it.
        let pasted = format!("/api/echo/{}/", c.token().unwrap().secret());
        emu.inject(
            Fault::drop_connection()
                .service(service)
                .path(&pasted)
                .count(3),
        );
        outputs.push(c.get(&pasted).unwrap_err().to_string());
        emu.inject(Fault::status(401).service(service).path(&pasted).count(2));
        outputs.push(c.get(&pasted).unwrap_err().to_string());
        tokens.push(c.token().unwrap().secret().to_string());
        emu.inject(Fault::status(500).service(service).path("logout"));
        if let Err(e) = c.logout() {
            outputs.push(format!("{e} {e:?}"));
        }
        c.logout().unwrap();
    }
    // Failures at login: wrong password (the sentinel must not leak from the request body).
    let mut bad = config(&emu, "tpstreams", "scan-bad");
    bad["password"] = json!(format!("{SENTINEL_PASSWORD}-wrong"));
    let e = Client::new(Config::from_value(&bad).unwrap())
        .unwrap()
        .token()
        .unwrap_err();
    outputs.push(format!("{e} {e:?}"));
    for fault in [
        Fault::malformed(),
        Fault::oversized(2 << 20),
        Fault::drop_connection(),
        Fault::status(503),
    ] {
        emu.inject(fault.service("cruxconnect").path("login"));
        let (c, _) = mk("cruxconnect", "scan-fault", json!({}));
        let e = c.token().unwrap_err();
        outputs.push(format!("{e} {e:?}"));
    }
    emu.inject(Fault::delay(2000).service("testpress").path("login"));
    let (c, _) = mk("testpress", "scan-slow", json!({"timeout_ms": 200}));
    let e = c.token().unwrap_err();
    outputs.push(format!("{e} {e:?}"));
    let e = Config::from_json(&format!(
        r#"{{"provider": "cruxconnect", "password": "{SENTINEL_PASSWORD}", "x": 1"#
    ))
    .unwrap_err();
    outputs.push(format!("{e} {e:?}"));
    let e = Config::from_json(&format!(
        r#"{{"provider": "cruxconnect", "password": "{SENTINEL_PASSWORD}", "usernme": 1}}"#
    ))
    .unwrap_err();
    outputs.push(format!("{e} {e:?}"));

    outputs.extend(RECORDS.lock().unwrap().iter().cloned());
    assert!(outputs.len() > 20, "the scan saw {} outputs", outputs.len());
    assert!(tokens.len() >= 12);
    for out in &outputs {
        assert!(!out.contains(SENTINEL_PASSWORD), "password leaked: {out}");
        for t in &tokens {
            assert!(!out.contains(t.as_str()), "token leaked: {out}");
        }
    }
}
