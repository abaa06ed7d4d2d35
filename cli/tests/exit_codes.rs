//! One clear line on stderr and a distinct exit status per error kind (10 + the library's code).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use authtoken_emulator::{Fault, Options};
use common::{stderr_of, Fixture, PASSWORD};

/// Runs `cmd`, checks the exit status and that stderr is one `error[kind]` line; returns it.
fn fails(cmd: &mut assert_cmd::Command, status: i32, kind: &str) -> String {
    let out = cmd.output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(
        out.status.code(),
        Some(status),
        "expected exit {status} ({kind}), stderr: {err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(&format!("authtoken: error[{kind}]: ")),
        "{err}"
    );
    assert!(!err.contains(PASSWORD.as_str()), "{err}");
    err
}

#[test]
fn invalid_config_is_11() {
    let fx = Fixture::new();
    let err = fails(
        fx.bare()
            .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
            .arg("header"),
        11,
        "invalid_config",
    );
    assert!(err.contains("config key `provider` is required"), "{err}");
    assert!(err.contains("try: give it as a flag"), "{err}");
}

#[test]
fn invalid_credentials_is_12_with_the_servers_message() {
    let fx = Fixture::new();
    let err = fails(
        fx.cmd()
            .env("AUTHTOKEN_PASSWORD", "wrong-password")
            .arg("header"),
        12,
        "invalid_credentials",
    );
    assert!(
        err.contains("HTTP 400: Unable to log in with provided credentials."),
        "{err}"
    );
    assert!(err.contains("; try: give the right password"), "{err}");
    assert!(!err.contains("wrong-password"), "{err}");
}

#[test]
fn token_limit_is_13() {
    let fx = Fixture::with_options(Options {
        max_tokens_per_org: 1,
        ..Options::default()
    });
    assert!(fx.authed().arg("header").output().unwrap().status.success());
    let err = fails(
        fx.authed().args(["-u", "second@example.com", "header"]),
        13,
        "token_limit",
    );
    assert!(
        err.contains("Maximum amount of tokens allowed per user exceeded."),
        "{err}"
    );
}

#[test]
fn unauthorized_is_14_after_one_new_login() {
    let fx = Fixture::new();
    fx.emu.inject(
        Fault::status(401)
            .service("tpstreams")
            .path("/api/echo/")
            .count(2),
    );
    fails(
        fx.authed().args(["request", "GET", "/api/echo/"]),
        14,
        "unauthorized",
    );
    assert_eq!(
        fx.logins(),
        2,
        "one login, then one more after the first 401"
    );
}

#[test]
fn forbidden_is_15() {
    let fx = Fixture::new();
    fx.emu
        .inject(Fault::status(403).service("tpstreams").path("login"));
    fails(fx.authed().arg("header"), 15, "forbidden");
}

#[test]
fn rate_limited_is_16_and_says_how_long_to_wait() {
    let fx = Fixture::new();
    fx.emu.inject(
        Fault::status(429)
            .service("tpstreams")
            .path("login")
            .retry_after(7)
            .count(5),
    );
    let err = fails(
        fx.authed().args(["--set", "max_retries=0", "header"]),
        16,
        "rate_limited",
    );
    assert!(err.contains("try: wait 7 s"), "{err}");
}

#[test]
fn network_is_17() {
    let fx = Fixture::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = fails(
        fx.authed().args([
            "--set",
            "max_retries=0",
            "--base-url",
            &format!("http://127.0.0.1:{port}/x"),
            "header",
        ]),
        17,
        "network",
    );
    assert!(
        err.contains("try: check the network and the base URL"),
        "{err}"
    );
}

#[test]
fn timeout_is_18() {
    let fx = Fixture::new();
    fx.emu
        .inject(Fault::delay(5_000).service("tpstreams").path("login"));
    fails(
        fx.authed().args([
            "--set",
            "max_retries=0",
            "--set",
            "timeout_ms=300",
            "header",
        ]),
        18,
        "timeout",
    );
}

#[test]
fn tls_is_19() {
    let fx = Fixture::new();
    // The emulator speaks plain HTTP: a TLS handshake with it fails.
    let https = fx.base_url().replace("http://", "https://");
    fails(
        fx.authed()
            .args(["--set", "max_retries=0", "--base-url", &https, "header"]),
        19,
        "tls",
    );
}

#[test]
fn server_is_20() {
    let fx = Fixture::new();
    fx.emu.inject(
        Fault::status(503)
            .service("tpstreams")
            .path("login")
            .count(5),
    );
    let err = fails(
        fx.authed().args(["--set", "max_retries=0", "header"]),
        20,
        "server",
    );
    assert!(err.contains("HTTP 503"), "{err}");
}

#[test]
fn protocol_is_21() {
    let fx = Fixture::new();
    fx.emu
        .inject(Fault::malformed().service("tpstreams").path("login"));
    fails(fx.authed().arg("header"), 21, "protocol");
}

#[test]
fn store_is_22() {
    let fx = Fixture::new();
    let open_dir = fx.home.path().join("world-writable");
    std::fs::create_dir(&open_dir).unwrap();
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = fails(
        fx.authed().arg("--cache-dir").arg(&open_dir).arg("header"),
        22,
        "store",
    );
    assert!(err.contains("0777"), "{err}");
    assert_eq!(fx.login_attempts(), 0);
}

#[test]
fn lock_timeout_is_23_while_another_process_logs_in() {
    let fx = Fixture::new();
    fx.emu
        .inject(Fault::delay(4_000).service("tpstreams").path("login"));
    let mut slow = fx.std_cmd();
    slow.env("AUTHTOKEN_PASSWORD", &*PASSWORD)
        .arg("header")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut slow = slow.spawn().unwrap();
    // Wait until the slow login has reached the emulator (so it holds the lock).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while fx.login_attempts() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = fails(
        fx.authed().args(["--set", "lock_timeout_ms=300", "header"]),
        23,
        "lock_timeout",
    );
    assert!(err.contains("try: another process is logging in"), "{err}");
    assert!(slow.wait().unwrap().success());
}

#[test]
fn invalid_argument_is_24() {
    let fx = Fixture::new();
    let err = fails(
        fx.authed()
            .args(["request", "GET", "http://example.invalid/api/"]),
        24,
        "invalid_argument",
    );
    assert!(
        err.contains("refusing to send the Authorization header"),
        "{err}"
    );
}

#[test]
fn usage_is_2() {
    let fx = Fixture::new();
    let out = fx.authed().args(["request", "GET"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = fx
        .authed()
        .args(["request", "GET", "/api/echo/", "-H", "no-colon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).starts_with("authtoken: error[usage]: -H expects 'Name: Value'"),
        "{}",
        stderr_of(&out)
    );
    let out = fx.authed().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
