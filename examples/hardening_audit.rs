//! The secrets audit's Rust scenario, run by `scripts/secrets-audit.sh` (which scans everything
//! this program prints, and the disk): every error, `Debug` output and log record (all levels,
//! to stderr) of logins, signed requests, re-logins, logouts and failures, for every provider,
//! with the file cache. The tokens it obtains go to `$AUDIT_TOKENS` only; the password is
//! `$AUDIT_PASSWORD`, which the emulator at `$AUTHTOKEN_EMULATOR` was started with.
//!
//! Not an example of good practice: it prints what a careless program might print.

use std::fs::OpenOptions;
use std::io::Write;

use authtoken::{Client, Config, ErrorKind};
use serde_json::{json, Value};

struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        eprintln!(
            "log: {} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

struct Audit {
    root: String,
    password: String,
    tokens: std::fs::File,
    http: reqwest::blocking::Client,
}

impl Audit {
    fn admin(&self, path: &str, body: Value) {
        let resp = self
            .http
            .post(format!("{}/_emulator/{path}", self.root))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .expect("admin call");
        assert!(
            resp.status().is_success(),
            "admin {path}: {}",
            resp.status()
        );
    }

    fn config(&self, provider: &str, user: &str, password: &str, extra: Value) -> Value {
        let mut doc = json!({
            "provider": provider,
            "username": user,
            "password": password,
            "base_url": format!("{}/{provider}", self.root),
        });
        if provider == "tpstreams" {
            doc["organization_id"] = json!("audit-rust");
        }
        for (k, v) in extra.as_object().expect("an object") {
            doc[k] = v.clone();
        }
        doc
    }

    fn client(&self, doc: &Value) -> Client {
        let config = Config::from_value(doc).expect("valid config");
        println!("show: config {config:?}");
        let client = Client::new(config).expect("client");
        println!("show: client {client:?}");
        client
    }

    fn record(&mut self, client: &Client) {
        let token = client.token().expect("token");
        println!("show: token {token:?}");
        writeln!(self.tokens, "{}", token.secret()).expect("write the tokens file");
    }
}

fn show(what: &str, e: &authtoken::Error) {
    println!("show: {what} -> {} ({}): {e} | {e:?}", e.kind(), e.code());
}

fn main() {
    log::set_logger(&StderrLog).expect("a logger");
    log::set_max_level(log::LevelFilter::Trace);
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} must be set"));
    let mut audit = Audit {
        root: env("AUTHTOKEN_EMULATOR"),
        password: env("AUDIT_PASSWORD"),
        tokens: OpenOptions::new()
            .append(true)
            .create(true)
            .open(env("AUDIT_TOKENS"))
            .expect("the tokens file"),
        http: reqwest::blocking::Client::new(),
    };
    let pw = audit.password.clone();

    for provider in ["tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"] {
        println!("# {provider}");
        let c = audit.client(&audit.config(provider, "audit-rust", &pw, json!({})));
        audit.record(&c);
        let resp = c.get("/api/echo/").expect("signed GET");
        // The echo endpoint returns the request's headers in its body, by design: the
        // body is not shown; the Response's Debug would show it as bytes.
        println!("show: HTTP {} headers {:?}", resp.status(), resp.headers());
        audit.admin(
            "revoke",
            json!({"service": provider, "username": "audit-rust"}),
        );
        let resp = c.get("/api/echo/").expect("re-login on 401");
        println!("show: after a revocation: HTTP {}", resp.status());
        audit.record(&c);
        audit.admin(
            "faults",
            json!({"service": provider, "path": "/api/echo/", "kind": "status", "status": 401, "count": 2}),
        );
        let e = c.get("/api/echo/").expect_err("a persistent 401");
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        show("persistent 401", &e);
        audit.record(&c);
        audit.admin(
            "faults",
            json!({"service": provider, "path": "/api/echo/", "kind": "status", "status": 400}),
        );
        match c
            .get("/api/echo/")
            .expect("a 400 is a response")
            .error_for_status()
        {
            Ok(r) => panic!("HTTP {} is not an error", r.status()),
            Err(e) => show("error_for_status", &e),
        }
        for (what, result) in [
            (
                "a header with a newline",
                c.request("GET", "/api/echo/", &[("X-Bad", "a\nb")], None),
            ),
            (
                "another origin",
                c.request("GET", "https://elsewhere.example/", &[], None),
            ),
            (
                "an unknown method",
                c.request("BREW", "/api/echo/", &[], None),
            ),
        ] {
            show(what, &result.expect_err("refused"));
        }
        if matches!(provider, "tpstreams" | "testpress") {
            audit.admin(
                "faults",
                json!({"service": provider, "path": "logout", "kind": "status", "status": 500}),
            );
            show("logout answered 500", &c.logout().expect_err("a 500"));
        }
        c.logout().expect("logout");
    }

    println!("# failures at login");
    let wrong = format!("{pw}-wrong");
    let c = audit.client(&audit.config("cruxconnect", "audit-rust-wrong", &wrong, json!({})));
    let e = c.token().expect_err("a wrong password");
    assert_eq!(e.kind(), ErrorKind::InvalidCredentials);
    show("wrong password", &e);
    for fault in [
        json!({"kind": "malformed"}),
        json!({"kind": "oversized", "bytes": 2 << 20}),
        json!({"kind": "drop"}),
        json!({"kind": "status", "status": 503, "retry_after": 1}),
        json!({"kind": "delay", "delay_ms": 1500}),
    ] {
        let mut f = fault.clone();
        f["service"] = json!("cruxconnect");
        f["path"] = json!("login");
        audit.admin("faults", f);
        let doc = audit.config(
            "cruxconnect",
            "audit-rust-fault",
            &pw,
            json!({"timeout_ms": 300}),
        );
        let e = audit.client(&doc).token().expect_err("a failed login");
        show(&fault.to_string(), &e);
    }

    println!("# configuration errors");
    for doc in [
        json!({"provider": "cruxconnect", "username": "u", "pasword": pw}),
        json!({"provider": "cruxconnect", "username": "u", "password": pw, "base_url": format!("http://u:{pw}@127.0.0.1:1/")}),
        json!({"provider": "cruxconnect", "username": "u", "password": pw, "colour": pw}),
    ] {
        show(
            "invalid config",
            &Config::from_value(&doc).expect_err("invalid"),
        );
    }
    let doc = audit.config(
        "cruxconnect",
        "audit-rust-redis",
        &pw,
        json!({"cache": format!("redis://:{pw}@127.0.0.1:1/0"), "connect_timeout_ms": 300}),
    );
    match Client::new(Config::from_value(&doc).expect("valid")) {
        Ok(c) => {
            println!("show: client {c:?}");
            let e = c.token().expect_err("Redis is unreachable");
            assert_eq!(e.kind(), ErrorKind::Store);
            show("unreachable Redis with a password", &e);
        }
        Err(e) => show("Redis client", &e),
    }
    println!("audit: done");
}
