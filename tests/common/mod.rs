//! Shared helpers for the integration tests: each test starts its own emulator, so tests
//! run in parallel without sharing tokens, counts or faults.
// Each test binary uses a different part of this module.
#![allow(dead_code, unused_imports)]

use std::time::Duration;

use authtoken::{Client, Config};
pub use authtoken_emulator::{Emulator, Fault, Options};
use serde_json::{json, Value};

/// The emulator's password: `$AUTHTOKEN_TEST_PASSWORD` (the secrets audit's sentinel), else
/// `demo-password`; what `Options::default()` gives the emulator.
pub static PASSWORD: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(authtoken_emulator::test_password);

pub fn emulator() -> Emulator {
    Emulator::start(Options::default()).expect("start emulator")
}

pub fn emulator_with(opts: Options) -> Emulator {
    Emulator::start(opts).expect("start emulator")
}

/// A config document for `service` on `emu`, kept in memory only.
pub fn config(emu: &Emulator, service: &str, user: &str) -> Value {
    let mut c = json!({
        "provider": service,
        "username": user,
        "password": *PASSWORD,
        "base_url": emu.base_url(service),
        "cache": "memory",
    });
    if service == "tpstreams" {
        c["organization_id"] = json!("org-1");
    }
    c
}

pub fn client_from(value: &Value) -> Client {
    Client::new(Config::from_value(value).expect("valid config")).expect("client")
}

pub fn client(emu: &Emulator, service: &str, user: &str) -> Client {
    client_from(&config(emu, service, user))
}

/// Sends a raw request with an explicit Authorization header, bypassing authtoken.
pub fn raw_get(url: &str, authorization: &str) -> u16 {
    reqwest::blocking::Client::new()
        .get(url)
        .header("Authorization", authorization)
        .timeout(Duration::from_secs(10))
        .send()
        .expect("raw request")
        .status()
        .as_u16()
}

pub fn echo(resp: &authtoken::Response) -> Value {
    assert_eq!(resp.status(), 200, "echo failed: {}", resp.text());
    resp.json().expect("echo json")
}
