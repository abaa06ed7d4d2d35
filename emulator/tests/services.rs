//! The services' behaviour: logins, tokens, limits, logout, admin revocation and expiry.

mod common;

use std::time::Duration;

use authtoken_emulator::{Emulator, Options};
use base64_decode::decode_segment;
use common::*;
use serde_json::{json, Value};

mod base64_decode {
    /// Decode one base64url (no padding) JWT segment, enough for the tests.
    pub fn decode_segment(s: &str) -> Vec<u8> {
        const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = Vec::new();
        let mut buf = 0u32;
        let mut bits = 0;
        for c in s.bytes() {
            let v = ALPHA.iter().position(|&a| a == c).expect("base64url") as u32;
            buf = (buf << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((buf >> bits) as u8);
                buf &= (1 << bits) - 1;
            }
        }
        out
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn tpstreams_login_issues_knox_token_with_expiry() {
    let emu = start();
    let c = client();
    let resp = post_login(
        &c,
        &emu,
        "tpstreams",
        &json!({"username": "a@example.com", "password": *PASSWORD, "organization_id": "org1"}),
    );
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().unwrap();
    assert!(is_hex(v["token"].as_str().unwrap(), 64), "{v}");
    let expiry = v["expiry"].as_str().unwrap();
    // 2026-11-25T07:00:00.123456Z (DRF drops the fraction when it is zero)
    assert!(expiry.len() == 27 || expiry.len() == 20, "{expiry}");
    assert!(expiry.ends_with('Z') && &expiry[10..11] == "T", "{expiry}");
    assert_eq!(emu.login_count("tpstreams", "a@example.com"), 1);
    assert_eq!(emu.live_tokens_for_org("org1"), 1);

    let token = v["token"].as_str().unwrap();
    let url = format!("{}/api/v1/org1/assets/", emu.base_url("tpstreams"));
    let ok = get_auth(&c, &url, "tpstreams", token);
    assert_eq!(ok.status(), 200);
    assert!(ok.json::<Value>().unwrap().is_array());
    // The scheme is case-insensitive.
    let lower = c
        .get(&url)
        .header("Authorization", format!("token {token}"))
        .send()
        .unwrap();
    assert_eq!(lower.status(), 200);
    let created = c
        .post(format!(
            "{}/api/v1/org1/assets/videos/",
            emu.base_url("tpstreams")
        ))
        .header("Authorization", format!("Token {token}"))
        .json(&json!({"title": "t"}))
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.json::<Value>().unwrap(), json!({"title": "t"}));
    assert_eq!(emu.request_count("tpstreams", "a@example.com"), 3);
}

#[test]
fn legacy_and_cruxconnect_tokens() {
    let emu = start();
    let c = client();
    let v: Value = post_login(
        &c,
        &emu,
        "tpstreams-legacy",
        &json!({"username": "hari", "password": *PASSWORD}),
    )
    .json()
    .unwrap();
    assert!(is_hex(v["token"].as_str().unwrap(), 64));
    assert!(v.get("expiry").is_none());
    let logout = c
        .post(format!(
            "{}/api/auth/logout/",
            emu.base_url("tpstreams-legacy")
        ))
        .header(
            "Authorization",
            format!("token {}", v["token"].as_str().unwrap()),
        )
        .send()
        .unwrap();
    assert_eq!(logout.status(), 404);

    let body = json!({"username": "crux", "password": *PASSWORD});
    let a: Value = post_login(&c, &emu, "cruxconnect", &body).json().unwrap();
    let b: Value = post_login(&c, &emu, "cruxconnect", &body).json().unwrap();
    assert!(is_hex(a["auth_token"].as_str().unwrap(), 40));
    assert_ne!(a["auth_token"], b["auth_token"]);
    for k in ["org_uuid", "user_uuid", "retailer_uuid", "supplier_uuid"] {
        assert_eq!(a[k].as_str().unwrap().len(), 36);
        assert_eq!(a[k], b[k], "{k} is stable per username");
    }
    assert_eq!(a["org_type"], "retailer");
    let perms = get_auth(
        &c,
        &format!("{}/api/permissions/", emu.base_url("cruxconnect")),
        "cruxconnect",
        a["auth_token"].as_str().unwrap(),
    );
    assert_eq!(perms.status(), 200);
    assert_eq!(emu.login_count("cruxconnect", "crux"), 2);
}

#[test]
fn testpress_jwt_claims_and_versions() {
    let emu = start();
    let c = client();
    for version in ["v2.2", "v2.3", "v2.5"] {
        let resp = c
            .post(format!(
                "{}/api/{version}/auth-token/",
                emu.base_url("testpress")
            ))
            .json(&json!({"username": "13956", "password": *PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200, "{version}");
        let token = resp.json::<Value>().unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value = serde_json::from_slice(&decode_segment(parts[0])).unwrap();
        assert_eq!(header["alg"], "HS256");
        let claims: Value = serde_json::from_slice(&decode_segment(parts[1])).unwrap();
        assert_eq!(
            claims["username"],
            json!(13956),
            "a numeric username is a number"
        );
        assert!(claims["user_id"].is_u64());
        assert!(claims["email"].is_string());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let exp = claims["exp"].as_u64().unwrap();
        assert!(exp > now + 3500 && exp <= now + 3600, "exp {exp} now {now}");
        let courses = get_auth(
            &c,
            &format!("{}/api/v2.5/courses/", emu.base_url("testpress")),
            "testpress",
            &token,
        );
        assert_eq!(courses.status(), 200);
    }
    assert_eq!(emu.login_count("testpress", "13956"), 3);
}

#[test]
fn login_errors_are_drf_shaped() {
    let emu = start();
    let c = client();
    let r = post_login(
        &c,
        &emu,
        "testpress",
        &json!({"username": "u", "password": "wrong"}),
    );
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().unwrap(),
        json!({"non_field_errors": ["Unable to log in with provided credentials."]})
    );
    let r = post_login(
        &c,
        &emu,
        "tpstreams",
        &json!({"username": "", "password": *PASSWORD}),
    );
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().unwrap(),
        json!({"username": ["This field is required."], "organization_id": ["This field is required."]})
    );
    let r = c
        .post(format!("{}/api/auth/login/", emu.base_url("tpstreams")))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let detail = r.json::<Value>().unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.starts_with("JSON parse error - "), "{detail}");
    assert_eq!(emu.login_count("testpress", "u"), 0);
    assert_eq!(emu.login_attempts("testpress", "u"), 1);
}

#[test]
fn missing_or_wrong_tokens_get_401_with_www_authenticate() {
    let emu = start();
    let c = client();
    for (svc, www, msg) in [
        ("tpstreams", "Token", "Invalid token."),
        ("tpstreams-legacy", "Token", "Invalid token."),
        ("cruxconnect", "Token", "Invalid token."),
        (
            "testpress",
            "JWT realm=\"api\"",
            "Error decoding signature.",
        ),
    ] {
        let url = format!("{}/api/echo/", emu.base_url(svc));
        let r = get_auth(&c, &url, svc, "0123456789abcdef");
        assert_eq!(r.status(), 401, "{svc}");
        assert_eq!(r.headers()["www-authenticate"], www);
        assert_eq!(r.json::<Value>().unwrap()["detail"], msg, "{svc}");
        let r = c.get(&url).send().unwrap();
        assert_eq!(r.status(), 401, "{svc} without a header");
        assert_eq!(emu.unauthorized_count(svc), 2);
    }
    // A token of one service is not valid on another.
    let t = login(&c, &emu, "tpstreams", "x@example.com");
    let r = get_auth(
        &c,
        &format!("{}/api/echo/", emu.base_url("cruxconnect")),
        "cruxconnect",
        &t,
    );
    assert_eq!(r.status(), 401);
}

#[test]
fn echo_reflects_the_request() {
    let emu = start();
    let c = client();
    for svc in ["tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"] {
        let t = login(&c, &emu, svc, "echo-user");
        let r = c
            .put(format!("{}/api/echo/a/b?x=1&y=2", emu.base_url(svc)))
            .header("Authorization", format!("{} {t}", scheme(svc)))
            .header("X-Custom", "yes")
            .body("hello body")
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().unwrap();
        assert_eq!(v["method"], "PUT");
        assert_eq!(v["path"], format!("/{svc}/api/echo/a/b"));
        assert_eq!(v["query"], "x=1&y=2");
        assert_eq!(v["headers"]["x-custom"], "yes");
        assert_eq!(
            v["headers"]["authorization"],
            format!("{} {t}", scheme(svc))
        );
        assert_eq!(v["body"], "hello body");
        assert_eq!(v["user"], "echo-user");
        assert_eq!(emu.request_count(svc, "echo-user"), 1);
    }
}

#[test]
fn tpstreams_limits_live_tokens_per_organization() {
    let emu = Emulator::start(Options {
        max_tokens_per_org: 3,
        ..Options::default()
    })
    .unwrap();
    let c = client();
    let body =
        json!({"username": "u@example.com", "password": *PASSWORD, "organization_id": "lim"});
    let tokens: Vec<String> = (0..3)
        .map(|_| {
            post_login(&c, &emu, "tpstreams", &body)
                .json::<Value>()
                .unwrap()["token"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let r = post_login(&c, &emu, "tpstreams", &body);
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().unwrap(),
        json!({"error": "Maximum amount of tokens allowed per user exceeded."})
    );
    // Another organization is not affected.
    let other =
        json!({"username": "u@example.com", "password": *PASSWORD, "organization_id": "other"});
    assert_eq!(post_login(&c, &emu, "tpstreams", &other).status(), 200);
    // Logging out frees a slot; the token is gone for good.
    let logout_url = format!("{}/api/auth/logout/", emu.base_url("tpstreams"));
    let r = c
        .post(&logout_url)
        .header("Authorization", format!("Token {}", tokens[0]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.bytes().unwrap().len(), 0);
    let again = c
        .post(&logout_url)
        .header("Authorization", format!("Token {}", tokens[0]))
        .send()
        .unwrap();
    assert_eq!(again.status(), 401);
    assert_eq!(again.headers()["www-authenticate"], "Token");
    assert_eq!(post_login(&c, &emu, "tpstreams", &body).status(), 200);
    assert_eq!(emu.logout_count("tpstreams", "u@example.com"), 1);
    assert_eq!(emu.stats()["live_tokens"]["tpstreams"]["lim"], 3);
}

#[test]
fn testpress_parallel_logins_and_logout() {
    let emu = Emulator::start(Options {
        testpress_max_parallel_logins: Some(2),
        ..Options::default()
    })
    .unwrap();
    let c = client();
    let t1 = login(&c, &emu, "testpress", "p");
    let _t2 = login(&c, &emu, "testpress", "p");
    let r = post_login(
        &c,
        &emu,
        "testpress",
        &json!({"username": "p", "password": *PASSWORD}),
    );
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().unwrap(),
        json!({"detail": "You have exceeded the maximum number of parallel logins.", "error_code": "parallel_login_restriction"})
    );
    let logout = c
        .post(format!(
            "{}/api/v2.4/auth/logout/",
            emu.base_url("testpress")
        ))
        .header("Authorization", format!("JWT {t1}"))
        .send()
        .unwrap();
    assert_eq!(logout.status(), 204);
    let courses = format!("{}/api/v2.5/courses/", emu.base_url("testpress"));
    let r = get_auth(&c, &courses, "testpress", &t1);
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "JWT realm=\"api\"");
    assert_eq!(r.json::<Value>().unwrap()["detail"], "Invalid signature.");
    let exams = get_auth(
        &c,
        &format!("{}/api/v2.5/exams/", emu.base_url("testpress")),
        "testpress",
        &t1,
    );
    assert_eq!(exams.status(), 403);
    assert_eq!(
        exams.json::<Value>().unwrap()["detail"],
        "Invalid signature."
    );
    // The slot is free again.
    login(&c, &emu, "testpress", "p");
}

#[test]
fn admin_revoke_and_expire() {
    let emu = start();
    let c = client();
    let root = emu.root_url();
    let tp = login(&c, &emu, "tpstreams", "r1");
    let jw = login(&c, &emu, "testpress", "r1");
    let jw_other = login(&c, &emu, "testpress", "r2");
    let cx = login(&c, &emu, "cruxconnect", "r1");

    let r: Value = c
        .post(format!("{root}/_emulator/revoke"))
        .json(&json!({"service": "tpstreams", "username": "r1"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r, json!({"revoked": 1}));
    let url = format!("{}/api/echo/", emu.base_url("tpstreams"));
    let r = get_auth(&c, &url, "tpstreams", &tp);
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().unwrap()["detail"], "Invalid token.");

    let r: Value = c
        .post(format!("{root}/_emulator/expire"))
        .json(&json!({"service": "testpress", "username": "r1"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r, json!({"expired": 1}));
    let courses = format!("{}/api/v2.5/courses/", emu.base_url("testpress"));
    let r = get_auth(&c, &courses, "testpress", &jw);
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().unwrap()["detail"],
        "Signature has expired."
    );
    assert_eq!(get_auth(&c, &courses, "testpress", &jw_other).status(), 200);

    assert_eq!(emu.expire_all("cruxconnect", None), 1);
    let r = get_auth(
        &c,
        &format!("{}/api/permissions/", emu.base_url("cruxconnect")),
        "cruxconnect",
        &cx,
    );
    assert_eq!(r.status(), 401);
    assert_eq!(emu.revoke_all("testpress", Some("r2")), 1);
    assert_eq!(get_auth(&c, &courses, "testpress", &jw_other).status(), 401);
}

#[test]
fn short_lifetimes_expire() {
    let emu = Emulator::start(Options {
        tpstreams_token_lifetime: Some(Duration::from_millis(300)),
        ..Options::default()
    })
    .unwrap();
    let c = client();
    let t = login(&c, &emu, "tpstreams", "short");
    let url = format!("{}/api/echo/", emu.base_url("tpstreams"));
    assert_eq!(get_auth(&c, &url, "tpstreams", &t).status(), 200);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(get_auth(&c, &url, "tpstreams", &t).status(), 401);
    assert_eq!(emu.live_tokens_for_org("org-short"), 0);

    // Through the admin API: testpress JWTs of 1 second.
    let r = c
        .post(format!("{}/_emulator/config", emu.root_url()))
        .json(&json!({"service": "testpress", "token_lifetime_s": 1}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().unwrap()["token_lifetime_s"]["testpress"],
        1.0
    );
    let jw = login(&c, &emu, "testpress", "short");
    std::thread::sleep(Duration::from_millis(1100));
    let r = get_auth(
        &c,
        &format!("{}/api/v2.5/courses/", emu.base_url("testpress")),
        "testpress",
        &jw,
    );
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().unwrap()["detail"],
        "Signature has expired."
    );
    let bad = c
        .post(format!("{}/_emulator/config", emu.root_url()))
        .json(&json!({"service": "nope", "token_lifetime_s": 1}))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[test]
fn redirect_whoami_and_big() {
    let emu = start();
    let c = client();
    let base = emu.base_url("tpstreams");
    let r = c
        .get(format!(
            "{base}/api/redirect/?to=http%3A%2F%2Flocalhost%3A1%2Fx&status=307"
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), 307);
    assert_eq!(r.headers()["location"], "http://localhost:1/x");
    let r: Value = c
        .get(format!("{base}/api/whoami/"))
        .header("Authorization", "Token abc")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["authorization"], "Token abc");
    let r: Value = c
        .get(format!("{base}/api/whoami/"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["authorization"], Value::Null);
    let t = login(&c, &emu, "tpstreams", "big");
    let r = get_auth(
        &c,
        &format!("{base}/api/big/?bytes=100000"),
        "tpstreams",
        &t,
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().unwrap().len(), 100_000);
    assert_eq!(
        c.get(format!("{base}/api/big/?bytes=10"))
            .send()
            .unwrap()
            .status(),
        401
    );
}

#[test]
fn stats_and_reset() {
    let emu = start();
    let c = client();
    let root = emu.root_url();
    let health: Value = c
        .get(format!("{root}/_emulator/health"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health, json!({"ok": true}));
    let t = login(&c, &emu, "tpstreams", "s1");
    post_login(
        &c,
        &emu,
        "tpstreams",
        &json!({"username": "s1", "password": "no", "organization_id": "o"}),
    );
    get_auth(
        &c,
        &format!("{}/api/echo/", emu.base_url("tpstreams")),
        "tpstreams",
        &t,
    );
    get_auth(
        &c,
        &format!("{}/api/echo/", emu.base_url("tpstreams")),
        "tpstreams",
        "bad",
    );
    let s: Value = c
        .get(format!("{root}/_emulator/stats"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(s, emu.stats());
    assert_eq!(s["logins"]["tpstreams"]["s1"], 1);
    assert_eq!(s["login_attempts"]["tpstreams"]["s1"], 2);
    assert_eq!(s["requests"]["tpstreams"]["s1"], 1);
    assert_eq!(s["unauthorized"]["tpstreams"], 1);
    assert_eq!(s["live_tokens"]["tpstreams"]["org-s1"], 1);
    assert_eq!(s["logouts"]["testpress"], json!({}));

    let r = c.post(format!("{root}/_emulator/reset")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.login_count("tpstreams", "s1"), 0);
    assert_eq!(
        get_auth(
            &c,
            &format!("{}/api/echo/", emu.base_url("tpstreams")),
            "tpstreams",
            &t
        )
        .status(),
        401,
        "tokens are forgotten by a reset"
    );
}

#[test]
fn instances_are_independent() {
    let a = start();
    let b = start();
    assert_ne!(a.addr(), b.addr());
    let c = client();
    let t = login(&c, &a, "cruxconnect", "same");
    assert_eq!(
        get_auth(
            &c,
            &format!("{}/api/permissions/", b.base_url("cruxconnect")),
            "cruxconnect",
            &t
        )
        .status(),
        401
    );
    drop(a);
    assert_eq!(b.login_count("cruxconnect", "same"), 0);
}

#[tokio::test]
async fn starts_and_stops_inside_an_async_runtime() {
    let emu = start();
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/auth/login/",
            emu.base_url("tpstreams-legacy")
        ))
        .json(&json!({"username": "async", "password": *PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.login_count("tpstreams-legacy", "async"), 1);
    drop(emu);
}

#[test]
fn the_org_limit_holds_under_concurrent_logins() {
    let emu = start();
    let ok = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..40 {
            s.spawn(|| {
                let c = client();
                let body = json!({"username": "herd", "password": *PASSWORD, "organization_id": "herd-org"});
                if post_login(&c, &emu, "tpstreams", &body).status() == 200 {
                    ok.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    assert_eq!(ok.into_inner(), 20);
    assert_eq!(emu.login_count("tpstreams", "herd"), 20);
    assert_eq!(emu.login_attempts("tpstreams", "herd"), 40);
}
