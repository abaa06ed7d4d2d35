//! The login cool-off (`login_cooloff_s`): a refused login is remembered in the identity's
//! store, so that threads and processes of that identity ask the server once, not once per
//! call. This executable re-runs itself as the child processes (`AUTHTOKEN_TEST_CHILD`):
//!
//! * `storm`: one client, N threads; prints `ready`, waits for a line, then every thread asks
//!   for the header at once and prints its reply (`ok …` / `err <kind> <message>`).
//! * `caller`: one client; answers `header` with `<kind>|<status>|<server message>|<retry_after_s>`
//!   or `ok`.

mod children;
mod file_store_support;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use authtoken::store::{CacheKey, FileStore, Refusal, TokenStore};
use authtoken::{Client, ErrorKind};
use authtoken_emulator::Fault;
use children::Agent;
use file_store_support::*;
use libtest_mimic::{Arguments, Trial};
use serde_json::{json, Value};

const CHILD: &str = "AUTHTOKEN_TEST_CHILD";
const CONFIG: &str = "AUTHTOKEN_TEST_CONFIG";
const THREADS: &str = "AUTHTOKEN_TEST_THREADS";
const REFUSED: &str = "Unable to log in with provided credentials.";

fn main() {
    if let Ok(role) = std::env::var(CHILD) {
        let client = Client::from_json(&std::env::var(CONFIG).unwrap()).expect("client");
        match role.as_str() {
            "storm" => children::storm(&client, std::env::var(THREADS).unwrap().parse().unwrap()),
            "caller" => child_caller(&client),
            other => panic!("unknown child role {other}"),
        }
        return;
    }
    let tests: Vec<(&str, fn())> = vec![
        (
            "wrong_password_32_threads_x_5_calls_make_one_attempt",
            wrong_password_32_threads_x_5_calls_make_one_attempt,
        ),
        (
            "the_corrected_password_logs_in_on_the_next_call",
            the_corrected_password_logs_in_on_the_next_call,
        ),
        (
            "wrong_password_4_processes_x_16_threads_make_one_attempt",
            wrong_password_4_processes_x_16_threads_make_one_attempt,
        ),
        (
            "a_testpress_lockout_costs_one_attempt_from_64_callers_in_4_processes",
            a_testpress_lockout_costs_one_attempt_from_64_callers_in_4_processes,
        ),
        (
            "a_429_with_retry_after_5_stops_every_process_for_5_seconds",
            a_429_with_retry_after_5_stops_every_process_for_5_seconds,
        ),
        (
            "network_errors_and_5xx_are_not_remembered",
            network_errors_and_5xx_are_not_remembered,
        ),
        (
            "login_cooloff_s_0_turns_it_off",
            login_cooloff_s_0_turns_it_off,
        ),
        ("forget_lifts_the_cooloff", forget_lifts_the_cooloff),
        (
            "the_record_holds_no_password_and_a_corrupt_one_is_ignored",
            the_record_holds_no_password_and_a_corrupt_one_is_ignored,
        ),
        (
            "a_json_error_sent_as_text_html_is_read",
            a_json_error_sent_as_text_html_is_read,
        ),
        (
            "cruxconnect_tokens_are_refreshed_ahead_of_their_two_hours",
            cruxconnect_tokens_are_refreshed_ahead_of_their_two_hours,
        ),
    ];
    let trials = tests
        .into_iter()
        .map(|(name, f)| {
            Trial::test(name, move || {
                f();
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn describe(result: authtoken::Result<String>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => format!(
            "{}|{}|{}|{}",
            e.kind().name(),
            e.status().map_or(0, u32::from),
            e.server_message().unwrap_or(""),
            e.retry_after().map_or(0, |d| d.as_secs())
        ),
    }
}

fn child_caller(client: &Client) {
    println!("ready");
    for line in std::io::stdin().lock().lines() {
        match line.unwrap().as_str() {
            "header" => println!("{}", describe(client.authorization_header())),
            other => panic!("unknown command {other}"),
        }
    }
}

fn child(role: &str, config: &Value) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env(CHILD, role)
        .env(CONFIG, config.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    cmd
}

/// `processes` storm children of `threads` threads each, released at once; every reply.
fn storm(config: &Value, processes: usize, threads: usize) -> Vec<String> {
    let mut agents: Vec<Agent> = (0..processes)
        .map(|_| {
            let mut cmd = child("storm", config);
            cmd.env(THREADS, threads.to_string());
            Agent::start_ready(cmd)
        })
        .collect();
    for a in &mut agents {
        a.send("go");
    }
    let mut replies = Vec::new();
    for a in &mut agents {
        for _ in 0..threads {
            replies.push(a.read_line());
        }
    }
    replies
}

fn wrong(config: &Value) -> Value {
    let mut c = config.clone();
    c["password"] = json!("not-the-password");
    c
}

fn key_of(config: &Value) -> CacheKey {
    client(config).cache_key().clone()
}

fn wrong_password_32_threads_x_5_calls_make_one_attempt() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = wrong(&file_config(
        &emu,
        "tpstreams",
        "threads",
        &scratch.cache_dir(),
    ));
    let c = client(&config);
    let start = Arc::new(Barrier::new(32));
    let handles: Vec<_> = (0..32)
        .map(|_| {
            let (c, start) = (c.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                (0..5)
                    .map(|_| c.authorization_header().unwrap_err())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let errors: Vec<authtoken::Error> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(errors.len(), 160);
    assert_eq!(emu.login_attempts("tpstreams", "threads"), 1);
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::InvalidCredentials, "{e}");
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.server_message(), Some(REFUSED));
        assert!(e.message().contains("remembered"), "{e}");
        assert!(!e.message().contains("not-the-password"), "{e}");
    }
    let remembered = errors
        .iter()
        .filter(|e| {
            e.message()
                .contains("[remembered: this login was refused at")
        })
        .count();
    assert_eq!(
        remembered, 159,
        "all but the first caller were answered from the record"
    );
    let wait = errors[159].retry_after().expect("the time left");
    assert!(
        wait > Duration::from_secs(50) && wait <= Duration::from_secs(61),
        "{wait:?}"
    );
}

fn the_corrected_password_logs_in_on_the_next_call() {
    let emu = emulator();
    let scratch = Scratch::new();
    let good = file_config(&emu, "testpress", "fixed", &scratch.cache_dir());
    let bad = client(&wrong(&good));
    for _ in 0..3 {
        assert_eq!(
            bad.token().unwrap_err().kind(),
            ErrorKind::InvalidCredentials
        );
    }
    assert_eq!(emu.login_attempts("testpress", "fixed"), 1);
    let fixed = client(&good);
    let header = fixed
        .authorization_header()
        .expect("the corrected password logs in");
    assert!(header.starts_with("JWT "));
    assert_eq!(emu.login_attempts("testpress", "fixed"), 2);
    assert_eq!(emu.login_count("testpress", "fixed"), 1);
    assert!(
        fixed.login_refusal().unwrap().is_none(),
        "a login removes the passed refusal"
    );
}

fn wrong_password_4_processes_x_16_threads_make_one_attempt() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = wrong(&file_config(
        &emu,
        "tpstreams",
        "procs",
        &scratch.cache_dir(),
    ));
    let replies = storm(&config, 4, 16);
    assert_eq!(replies.len(), 64);
    assert_eq!(emu.login_attempts("tpstreams", "procs"), 1);
    for r in &replies {
        assert!(r.starts_with("err invalid_credentials "), "{r}");
        assert!(r.contains(REFUSED) && r.contains("remembered"), "{r}");
    }
    // A second wave, later: still no attempt.
    let again = storm(&config, 2, 4);
    assert!(
        again.iter().all(|r| r.contains("[remembered:")),
        "{again:?}"
    );
    assert_eq!(emu.login_attempts("tpstreams", "procs"), 1);
}

fn a_testpress_lockout_costs_one_attempt_from_64_callers_in_4_processes() {
    let emu = emulator();
    let scratch = Scratch::new();
    emu.set_testpress_lockout(Some(1), Duration::from_secs(30));
    let good = file_config(&emu, "testpress", "locked", &scratch.cache_dir());
    // Someone else's wrong password locks the account (outside this cache).
    let mut elsewhere = wrong(&good);
    elsewhere["cache"] = json!("memory");
    elsewhere.as_object_mut().unwrap().remove("cache_dir");
    elsewhere["login_cooloff_s"] = json!(0);
    assert_eq!(
        client(&elsewhere).token().unwrap_err().kind(),
        ErrorKind::InvalidCredentials
    );
    assert_eq!(emu.login_attempts("testpress", "locked"), 1);
    let replies = storm(&good, 4, 16);
    assert_eq!(
        emu.login_attempts("testpress", "locked"),
        2,
        "one attempt for 64 callers"
    );
    for r in &replies {
        assert!(r.starts_with("err token_limit "), "{r}");
        assert!(r.contains("Your account is locked"), "{r}");
        assert!(r.contains("unlocks it after its own cool-off"), "{r}");
    }
    let mut caller = Agent::start_ready(child("caller", &good));
    let answer = caller.ask("header");
    let parts: Vec<&str> = answer.split('|').collect();
    assert_eq!(parts[..2], ["token_limit", "403"], "{answer}");
    let left: u64 = parts[3].parse().unwrap();
    assert!((1..=60).contains(&left), "{answer}");
    assert_eq!(emu.login_attempts("testpress", "locked"), 2);
    let record = client(&good).login_refusal().unwrap().expect("recorded");
    assert_eq!(record.error_code.as_deref(), Some("max_login_exceeded"));
}

fn a_429_with_retry_after_5_stops_every_process_for_5_seconds() {
    let emu = emulator();
    let scratch = Scratch::new();
    let mut config = file_config(&emu, "tpstreams", "slow", &scratch.cache_dir());
    config["login_cooloff_s"] = json!(1); // Retry-After is longer, so it wins
    emu.inject(
        Fault::status(429)
            .service("tpstreams")
            .path("login")
            .retry_after(5),
    );
    let started = Instant::now();
    let first = client(&config).token().unwrap_err();
    assert_eq!(first.kind(), ErrorKind::RateLimited, "{first}");
    assert_eq!(emu.login_attempts("tpstreams", "slow"), 1);
    let mut others: Vec<Agent> = (0..3)
        .map(|_| Agent::start_ready(child("caller", &config)))
        .collect();
    let mut refused_early = 0;
    loop {
        let elapsed = started.elapsed();
        let mut answers = Vec::new();
        for a in &mut others {
            answers.push(a.ask("header"));
        }
        let attempts = emu.login_attempts("tpstreams", "slow");
        if started.elapsed() < Duration::from_millis(4900) {
            assert_eq!(attempts, 1, "an attempt before 5 s, after {elapsed:?}");
            assert!(
                answers.iter().all(|a| a.starts_with("rate_limited|429|")),
                "{answers:?}"
            );
            refused_early += 1;
        }
        if answers.iter().all(|a| a == "ok") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{answers:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(refused_early >= 5, "the callers asked during the wait");
    assert!(started.elapsed() >= Duration::from_secs(5));
    assert_eq!(
        emu.login_attempts("tpstreams", "slow"),
        2,
        "one login once it passed"
    );
}

fn network_errors_and_5xx_are_not_remembered() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = file_config(&emu, "tpstreams", "flaky", &scratch.cache_dir());
    emu.inject(Fault::status(503).service("tpstreams").path("login"));
    let c = client(&config);
    assert_eq!(c.token().unwrap_err().kind(), ErrorKind::Server);
    assert!(c.login_refusal().unwrap().is_none());
    c.token().expect("the next call logs in");
    assert_eq!(emu.login_attempts("tpstreams", "flaky"), 2);

    // Nothing listens on this port: a network error, not remembered.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut gone = config.clone();
    gone["base_url"] = json!(format!("http://127.0.0.1:{port}/tpstreams"));
    gone["max_retries"] = json!(0);
    let c = client(&gone);
    for _ in 0..2 {
        assert_eq!(c.token().unwrap_err().kind(), ErrorKind::Network);
    }
    assert!(c.login_refusal().unwrap().is_none());
}

fn login_cooloff_s_0_turns_it_off() {
    let emu = emulator();
    let scratch = Scratch::new();
    let mut config = wrong(&file_config(&emu, "tpstreams", "off", &scratch.cache_dir()));
    config["login_cooloff_s"] = json!(0);
    let c = client(&config);
    for _ in 0..3 {
        let e = c.token().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCredentials);
        assert!(!e.message().contains("remembered"), "{e}");
    }
    assert_eq!(emu.login_attempts("tpstreams", "off"), 3);
    assert!(c.login_refusal().unwrap().is_none());
}

fn forget_lifts_the_cooloff() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = wrong(&file_config(
        &emu,
        "cruxconnect",
        "forget",
        &scratch.cache_dir(),
    ));
    let c = client(&config);
    c.token().unwrap_err();
    c.token().unwrap_err();
    assert_eq!(emu.login_attempts("cruxconnect", "forget"), 1);
    assert!(c.login_refusal().unwrap().is_some());
    c.forget().unwrap();
    assert!(c.login_refusal().unwrap().is_none());
    c.token().unwrap_err();
    assert_eq!(emu.login_attempts("cruxconnect", "forget"), 2);
}

fn the_record_holds_no_password_and_a_corrupt_one_is_ignored() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = wrong(&file_config(
        &emu,
        "tpstreams",
        "record",
        &scratch.cache_dir(),
    ));
    client(&config).token().unwrap_err();
    let store = FileStore::open(scratch.cache_dir(), Duration::from_secs(5)).unwrap();
    let key = key_of(&config);
    let path = store.refusal_path(&key);
    let text = std::fs::read_to_string(&path).expect("the record is a file");
    assert!(!text.contains("not-the-password"), "{text}");
    assert_eq!(mode(&path), 0o600);
    let record: Refusal = serde_json::from_str(&text).unwrap();
    assert_eq!(record.version, 1);
    assert_eq!(record.kind, "invalid_credentials");
    assert_eq!(record.status, Some(400));
    assert!(record.password_hash.starts_with("scrypt$ln=14,r=8,p=1$"));
    assert!(record.until > record.refused_at);
    assert!(
        store.list().unwrap().is_empty(),
        "a record is not a token entry"
    );
    assert_eq!(store.list_refusals().unwrap(), vec![record]);

    // A torn or foreign record costs one login attempt, never a lock-out.
    std::fs::write(&path, b"{\"version\": 1, \"provi").unwrap();
    client(&config).token().unwrap_err();
    assert_eq!(emu.login_attempts("tpstreams", "record"), 2);
    // ... and the refused login wrote a good record over it.
    assert!(store.load_refusal(&key).unwrap().is_some());
    let mut future: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    future["version"] = json!(2);
    std::fs::write(&path, future.to_string()).unwrap();
    assert!(store.load_refusal(&key).unwrap().is_none());
    let mut endless: Value = future.clone();
    endless["version"] = json!(1);
    endless["until"] = json!(u64::MAX);
    std::fs::write(&path, endless.to_string()).unwrap();
    assert!(
        store.load_refusal(&key).unwrap().is_none(),
        "no record locks out for ever"
    );
    assert!(client(&config).login_refusal().unwrap().is_none());
}

fn a_json_error_sent_as_text_html_is_read() {
    let emu = emulator();
    emu.set_html_errors(true);
    emu.set_max_parallel_logins(Some(0));
    let mut config = file_config(
        &emu,
        "testpress",
        "html",
        Scratch::new().cache_dir().as_path(),
    );
    config["cache"] = json!("memory");
    config.as_object_mut().unwrap().remove("cache_dir");
    let e = client(&config).token().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TokenLimit, "{e}");
    assert_eq!(e.error_code(), Some("parallel_login_restriction"));
    assert_eq!(
        e.server_message(),
        Some("You have exceeded the maximum number of parallel logins.")
    );
}

fn cruxconnect_tokens_are_refreshed_ahead_of_their_two_hours() {
    let emu = emulator();
    let mut config = file_config(
        &emu,
        "cruxconnect",
        "crux",
        Scratch::new().cache_dir().as_path(),
    );
    config["cache"] = json!("memory");
    config.as_object_mut().unwrap().remove("cache_dir");
    let token = client(&config).token().unwrap();
    let life = token
        .expires_at()
        .expect("a documented two-hour lifetime")
        .duration_since(token.obtained_at())
        .unwrap();
    assert_eq!(life, Duration::from_secs(7200));
    // A short lifetime on the server (and in the config) shows the refresh ahead of it:
    // the client logs in again before the token expires, never waiting for a 401.
    emu.set_token_lifetime("cruxconnect", Some(Duration::from_secs(3)));
    config["username"] = json!("crux-short");
    config["token_lifetime_s"] = json!(3);
    config["refresh_margin_s"] = json!(1);
    let c = client(&config);
    let first = c.authorization_header().unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    let second = c.authorization_header().unwrap();
    assert_ne!(first, second, "refreshed ahead of expiry");
    assert_eq!(emu.login_count("cruxconnect", "crux-short"), 2);
    assert_eq!(emu.unauthorized_count("cruxconnect"), 0);
}
