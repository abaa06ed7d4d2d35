//! Helpers shared by the emulator's integration tests.
#![allow(dead_code)]

use std::time::Duration;

use std::sync::LazyLock;

use authtoken_emulator::{Emulator, Options};
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

/// The emulator's password: `$AUTHTOKEN_TEST_PASSWORD`, else `demo-password` (what
/// `Options::default()` uses).
pub static PASSWORD: LazyLock<String> = LazyLock::new(authtoken_emulator::test_password);

pub fn start() -> Emulator {
    Emulator::start(Options::default()).expect("emulator starts")
}

/// A client that opens a fresh connection per request and follows no redirects.
pub fn client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub fn login_path(service: &str) -> &'static str {
    match service {
        "tpstreams" | "tpstreams-legacy" => "/api/auth/login/",
        "testpress" => "/api/v2.5/auth-token/",
        "cruxconnect" => "/timp/organizations/user-login/",
        other => panic!("unknown service {other}"),
    }
}

pub fn scheme(service: &str) -> &'static str {
    if service == "testpress" {
        "JWT"
    } else {
        "Token"
    }
}

pub fn post_login(c: &Client, emu: &Emulator, service: &str, body: &Value) -> Response {
    c.post(format!("{}{}", emu.base_url(service), login_path(service)))
        .json(body)
        .send()
        .expect("login request")
}

/// Log in and return the token.
pub fn login(c: &Client, emu: &Emulator, service: &str, user: &str) -> String {
    let body =
        json!({"username": user, "password": *PASSWORD, "organization_id": format!("org-{user}")});
    let resp = post_login(c, emu, service, &body);
    assert_eq!(resp.status(), 200, "login to {service}");
    let v: Value = resp.json().expect("json");
    let key = if service == "cruxconnect" {
        "auth_token"
    } else {
        "token"
    };
    v[key].as_str().expect("token").to_owned()
}

pub fn get_auth(c: &Client, url: &str, service: &str, token: &str) -> Response {
    c.get(url)
        .header("Authorization", format!("{} {token}", scheme(service)))
        .send()
        .expect("request")
}
