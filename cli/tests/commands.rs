//! Every command, run as the real binary against the emulator.

mod common;

use std::process::Stdio;

use authtoken_emulator::Fault;
use common::{stderr_of, stdout_of, Fixture, PASSWORD};
use serde_json::Value;

fn header_of(fx: &Fixture) -> String {
    let out = fx.authed().arg("header").output().unwrap();
    assert!(out.status.success(), "header failed: {}", stderr_of(&out));
    stdout_of(&out).trim_end().to_string()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn header_logs_in_once_and_the_second_and_third_process_reuse_the_token() {
    let fx = Fixture::new();
    let first = fx.authed().arg("header").output().unwrap();
    assert!(first.status.success(), "{}", stderr_of(&first));
    let header = stdout_of(&first);
    // Exactly one line, the header value and nothing else, for $(authtoken header).
    let value = header.strip_suffix('\n').expect("ends with a newline");
    let token = value.strip_prefix("Token ").expect("TPStreams scheme");
    assert!(is_hex(token, 64), "{value}");

    for _ in 0..2 {
        let again = fx.authed().arg("header").output().unwrap();
        assert!(again.status.success());
        assert_eq!(stdout_of(&again), header);
    }
    assert_eq!(fx.logins(), 1, "three processes, one login");
    assert_eq!(
        fx.status_with(value),
        200,
        "the printed header is accepted by the service"
    );
}

#[test]
fn processes_starting_together_make_one_login() {
    let fx = Fixture::new();
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = fx.std_cmd();
            cmd.env("AUTHTOKEN_PASSWORD", &*PASSWORD)
                .arg("header")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr_of(&out));
            stdout_of(&out)
        })
        .collect();
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{outputs:?}");
    assert_eq!(fx.logins(), 1);
}

#[test]
fn token_prints_the_bare_token_of_the_header() {
    let fx = Fixture::new();
    let header = header_of(&fx);
    let out = fx.authed().arg("token").output().unwrap();
    assert!(out.status.success());
    assert_eq!(format!("Token {}", stdout_of(&out).trim_end()), header);
    assert_eq!(fx.logins(), 1);
}

#[test]
fn each_provider_gets_its_own_header_scheme() {
    let fx = Fixture::new();
    let cases = [
        ("testpress", "JWT "),
        ("tpstreams-legacy", "token "),
        ("cruxconnect", "Token "),
    ];
    for (service, scheme) in cases {
        let out = fx
            .bare()
            .env("AUTHTOKEN_PROVIDER", service)
            .env("AUTHTOKEN_BASE_URL", fx.emu.base_url(service))
            .env("AUTHTOKEN_USERNAME", &fx.user)
            .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
            .arg("header")
            .output()
            .unwrap();
        assert!(out.status.success(), "{service}: {}", stderr_of(&out));
        let header = stdout_of(&out);
        assert!(header.starts_with(scheme), "{service}: {header}");
        let status = common::http_status(
            &format!("{}/api/echo/", fx.emu.base_url(service)),
            header.trim_end(),
        );
        assert_eq!(status, 200, "{service}");
        assert_eq!(fx.emu.login_count(service, &fx.user), 1, "{service}");
    }
    let crux = fx
        .bare()
        .env("AUTHTOKEN_PROVIDER", "cruxconnect")
        .env("AUTHTOKEN_BASE_URL", fx.emu.base_url("cruxconnect"))
        .env("AUTHTOKEN_USERNAME", &fx.user)
        .arg("token")
        .output()
        .unwrap();
    assert!(
        is_hex(stdout_of(&crux).trim_end(), 40),
        "CruxConnect tokens are 40 hex characters, from the cache"
    );
}

#[test]
fn request_signs_the_request_and_prints_the_body_as_received() {
    let fx = Fixture::new();
    let out = fx
        .authed()
        .args([
            "request",
            "GET",
            "/api/echo/",
            "--query",
            "page=2",
            "-q",
            "search=a b&c",
            "-H",
            "X-Trace: abc",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let body = stdout_of(&out);
    assert!(
        !body.contains("\n "),
        "not a terminal: the body is not re-indented: {body}"
    );
    let echo: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["query"], "page=2&search=a+b%26c");
    assert_eq!(echo["headers"]["x-trace"], "abc");
    assert_eq!(echo["user"], fx.user.as_str());
    let header = header_of(&fx);
    assert_eq!(echo["headers"]["authorization"], header.as_str());
    assert_eq!(fx.logins(), 1);

    let pretty = fx
        .authed()
        .args(["request", "GET", "/api/echo/", "--pretty"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&pretty).starts_with("{\n  \""),
        "{}",
        stdout_of(&pretty)
    );
}

#[test]
fn request_sends_json_and_raw_bodies() {
    let fx = Fixture::new();
    let out = fx
        .authed()
        .args([
            "request",
            "POST",
            "/api/echo/",
            "--json",
            r#"{"title": "Intro"}"#,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let echo: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"], r#"{"title": "Intro"}"#);
    assert_eq!(echo["headers"]["content-type"], "application/json");

    let file = fx.home.path().join("body.txt");
    std::fs::write(&file, "name=intro&kind=video").unwrap();
    let out = fx
        .authed()
        .args([
            "request",
            "PUT",
            "/api/echo/",
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
        ])
        .arg("--data")
        .arg(format!("@{}", file.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let echo: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["body"], "name=intro&kind=video");

    let out = fx
        .authed()
        .args(["request", "PATCH", "/api/echo/", "--json", "@-"])
        .write_stdin(r#"{"from": "stdin"}"#)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let echo: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(echo["body"], r#"{"from": "stdin"}"#);

    let bad = fx
        .authed()
        .args(["request", "POST", "/api/echo/", "--json", "{oops"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr_of(&bad).contains("--json: the body is not valid JSON"),
        "{}",
        stderr_of(&bad)
    );

    let missing = fx
        .authed()
        .args([
            "request",
            "POST",
            "/api/echo/",
            "--data",
            "@/nonexistent/body.json",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr_of(&missing).contains("cannot read the file"),
        "{}",
        stderr_of(&missing)
    );
    assert_eq!(fx.logins(), 1);
}

#[test]
fn request_include_shows_the_status_and_headers() {
    let fx = Fixture::new();
    let out = fx
        .authed()
        .args(["request", "GET", "/api/echo/", "--include"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout_of(&out);
    let (head, body) = text
        .split_once("\n\n")
        .expect("a blank line after the headers");
    assert!(head.starts_with("HTTP 200\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    assert!(serde_json::from_str::<Value>(body).is_ok(), "{body}");
}

#[test]
fn request_error_answers_exit_4_and_5_with_the_body_on_stdout() {
    let fx = Fixture::new();
    let out = fx
        .authed()
        .args(["request", "GET", "/api/no-such-thing/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(stdout_of(&out), r#"{"detail":"Not found."}"#);
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("GET http://127.0.0.1:"), "{err}");
    assert!(err.contains("answered HTTP 404: Not found."), "{err}");

    fx.emu.inject(
        Fault::status(503)
            .service("tpstreams")
            .path("/api/echo/")
            .count(10),
    );
    let out = fx
        .authed()
        .args(["--set", "max_retries=0", "request", "GET", "/api/echo/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("answered HTTP 503"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn request_logs_in_again_when_the_token_was_revoked() {
    let fx = Fixture::new();
    let old = header_of(&fx);
    fx.emu.revoke_all("tpstreams", Some(&fx.user));
    let out = fx
        .authed()
        .args(["request", "GET", "/api/echo/"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(fx.logins(), 2);
    let echo: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(echo["headers"]["authorization"], old.as_str());
}

#[test]
fn login_says_who_and_until_when_and_reuses_the_cached_token() {
    let fx = Fixture::new();
    let out = fx.authed().arg("login").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(
        text.starts_with(&format!(
            "logged in as {} (organization {}) on tpstreams (",
            fx.user, fx.org
        )),
        "{text}"
    );
    assert!(text.contains("token valid until "), "{text}");
    // The emulator's TPStreams tokens live 10 hours.
    assert!(
        text.contains("(in 9h 59m)") || text.contains("(in 10h 0m)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("cached in file:{}", fx.cache_dir().display())),
        "{text}"
    );

    let again = fx.cmd().arg("login").output().unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(
        stdout_of(&again).starts_with(&format!("already logged in as {}", fx.user)),
        "{}",
        stdout_of(&again)
    );
    assert_eq!(fx.logins(), 1);
    let token = stdout_of(&fx.authed().arg("token").output().unwrap());
    assert!(
        !text.contains(token.trim()) && !stdout_of(&again).contains(token.trim()),
        "login never prints the token"
    );
}

#[test]
fn logout_revokes_the_token_so_the_old_header_is_refused() {
    let fx = Fixture::new();
    let header = header_of(&fx);
    assert_eq!(fx.status_with(&header), 200);

    // No password is needed to log out.
    let out = fx.cmd().arg("logout").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("the token was revoked and removed from the cache"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(fx.emu.logout_count("tpstreams", &fx.user), 1);
    assert_eq!(fx.status_with(&header), 401, "the old token is refused");

    let status = fx.cmd().args(["status", "--json"]).output().unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&status.stdout).unwrap(),
        serde_json::json!([])
    );

    let again = fx.cmd().arg("logout").output().unwrap();
    assert!(again.status.success());
    assert!(
        stdout_of(&again).contains("nothing to revoke"),
        "{}",
        stdout_of(&again)
    );
    assert_eq!(fx.emu.logout_count("tpstreams", &fx.user), 1);

    let fresh = header_of(&fx);
    assert_ne!(fresh, header);
    assert_eq!(fx.logins(), 2);
}

#[test]
fn logout_without_a_logout_endpoint_forgets_and_says_so() {
    let fx = Fixture::new();
    let crux = || {
        let mut c = fx.bare();
        c.env("AUTHTOKEN_PROVIDER", "cruxconnect")
            .env("AUTHTOKEN_BASE_URL", fx.emu.base_url("cruxconnect"))
            .env("AUTHTOKEN_USERNAME", &fx.user)
            .env("AUTHTOKEN_PASSWORD", &*PASSWORD);
        c
    };
    assert!(crux().arg("header").output().unwrap().status.success());
    let out = crux().arg("logout").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("cruxconnect has no logout endpoint"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(fx.emu.logout_count("cruxconnect", &fx.user), 0);
    assert!(crux().arg("header").output().unwrap().status.success());
    assert_eq!(
        fx.emu.login_count("cruxconnect", &fx.user),
        2,
        "the cache was emptied"
    );
}

#[test]
fn status_lists_identities_and_never_tokens() {
    let fx = Fixture::new();
    let empty = fx.bare().arg("status").output().unwrap();
    assert!(empty.status.success(), "{}", stderr_of(&empty));
    assert_eq!(
        stdout_of(&empty),
        format!("no cached tokens in file:{}\n", fx.cache_dir().display())
    );

    let first = header_of(&fx);
    let second_user = format!("second-{}", fx.user);
    let second = fx
        .authed()
        .args(["-u", &second_user, "header"])
        .output()
        .unwrap();
    assert!(second.status.success());
    let second = stdout_of(&second);

    // status needs no identity: only the cache settings.
    let out = fx.bare().arg("status").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(text.starts_with("2 cached tokens in file:"), "{text}");
    assert!(
        text.contains("PROVIDER") && text.contains("EXPIRES"),
        "{text}"
    );
    for user in [&fx.user, &second_user] {
        let line = text
            .lines()
            .find(|l| l.contains(user.as_str()))
            .expect("a line per identity");
        assert!(line.starts_with("tpstreams "), "{line}");
        assert!(line.contains(&fx.org), "{line}");
        assert!(
            line.contains("(in 9h 59m)") || line.contains("(in 10h 0m)"),
            "{line}"
        );
        assert!(line.ends_with(&fx.base_url()), "{line}");
    }
    for header in [&first, &second] {
        let token = header.trim().trim_start_matches("Token ");
        assert!(!text.contains(token), "status printed a token");
    }

    let json = fx.bare().args(["status", "--json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&json.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for entry in list {
        assert_eq!(entry["provider"], "tpstreams");
        assert_eq!(entry["organization"], fx.org.as_str());
        assert_eq!(entry["base_url"], fx.base_url().as_str());
        assert_eq!(entry["expired"], false);
        assert!(entry["expires_at"].as_str().unwrap().ends_with('Z'));
        assert!(entry.get("token").is_none());
    }
    assert!(!stdout_of(&json).contains(first.trim().trim_start_matches("Token ")));
}

#[test]
fn cache_clear_forgets_without_revoking() {
    let fx = Fixture::new();
    let header = header_of(&fx);
    let out = fx.cmd().args(["cache", "clear"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).starts_with(&format!("removed the cached token of {}", fx.user)),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(fx.status_with(&header), 200, "not revoked on the server");
    assert_eq!(fx.emu.logout_count("tpstreams", &fx.user), 0);

    let fresh = header_of(&fx);
    assert_ne!(fresh, header);
    assert_eq!(fx.logins(), 2, "the next command logs in again");

    let other = fx
        .authed()
        .args(["-u", "other@example.com", "header"])
        .output()
        .unwrap();
    assert!(other.status.success());
    let all = fx
        .bare()
        .args(["cache", "clear", "--all"])
        .output()
        .unwrap();
    assert!(all.status.success(), "{}", stderr_of(&all));
    assert!(
        stdout_of(&all).starts_with("removed 2 cached tokens from file:"),
        "{}",
        stdout_of(&all)
    );
    let status = fx.bare().args(["status", "--json"]).output().unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&status.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn every_command_has_help_with_examples() {
    let fx = Fixture::new();
    let commands: [&[&str]; 8] = [
        &[],
        &["header"],
        &["token"],
        &["request"],
        &["login"],
        &["logout"],
        &["status"],
        &["cache", "clear"],
    ];
    for args in commands {
        let out = fx.bare().args(args).arg("--help").output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = stdout_of(&out);
        assert!(text.contains("Examples:\n  "), "{args:?}: {text}");
        assert!(text.contains("Usage: authtoken"), "{args:?}: {text}");
    }
    let version = fx.bare().arg("--version").output().unwrap();
    assert!(
        stdout_of(&version).starts_with("authtoken "),
        "{}",
        stdout_of(&version)
    );
}

#[test]
fn a_refused_login_is_remembered_shown_by_status_and_lifted_by_cache_clear() {
    let fx = Fixture::new();
    let wrong = || {
        let mut cmd = fx.cmd();
        cmd.env("AUTHTOKEN_PASSWORD", "wrong-password-123");
        cmd.arg("header");
        cmd
    };
    for _ in 0..3 {
        let out = wrong().output().unwrap();
        assert_eq!(out.status.code(), Some(12), "{}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains("Unable to log in with provided credentials."),
            "{err}"
        );
        assert!(!err.contains("wrong-password-123"), "{err}");
    }
    assert_eq!(fx.login_attempts(), 1, "three processes, one attempt");
    let again = stderr_of(&wrong().output().unwrap());
    assert!(again.contains("remembered"), "{again}");

    let status = fx.bare().arg("status").output().unwrap();
    assert!(status.status.success(), "{}", stderr_of(&status));
    let text = stdout_of(&status);
    assert!(
        text.contains(&format!("login refused for tpstreams {}", fx.user)),
        "{text}"
    );
    assert!(text.contains("`authtoken cache clear` lifts it"), "{text}");
    let json = fx.bare().args(["status", "--json"]).output().unwrap();
    assert!(
        stdout_of(&json).contains("\"login_refused\""),
        "{}",
        stdout_of(&json)
    );

    let clear = fx.cmd().args(["cache", "clear"]).output().unwrap();
    assert!(clear.status.success(), "{}", stderr_of(&clear));
    assert!(
        stdout_of(&clear).contains("refusal"),
        "{}",
        stdout_of(&clear)
    );
    assert_eq!(wrong().output().unwrap().status.code(), Some(12));
    assert_eq!(fx.login_attempts(), 2, "cache clear lifted the cool-off");
    // The corrected password logs in at once, whatever is remembered.
    assert!(header_of(&fx).starts_with("Token "));
    assert_eq!(fx.login_attempts(), 3);
}
