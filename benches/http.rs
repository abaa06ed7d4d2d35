//! The Rust rows of `make bench-http` (scripts/bench-http.sh): signed keep-alive GETs of a
//! small JSON answered by a local nginx, on one connection, the body read. Prints figures,
//! asserts nothing about speed.
//!
//! Needs the environment the script sets up: `BENCH_HTTP_BASE` (the client's `base_url`,
//! nginx's `/tpstreams` prefix, whose logins nginx passes on to the emulator),
//! `BENCH_HTTP_PATH` (the path nginx answers itself, `/api/bench/`), `BENCH_HTTP_S` (seconds
//! per row, split into `BENCH_HTTP_ROUNDS` interleaved rounds, 3 by default),
//! `BENCH_HTTP_PASSWORD` and `BENCH_HTTP_MODE`:
//!
//! - `rate` (the default): `row<TAB>rust<TAB>native|binding<TAB>label<TAB>req/s` lines, for
//!   `reqwest::blocking::Client` with a fixed `Authorization` header and for `Client::get`;
//! - `mem`: `mem<TAB>rust<TAB>label<TAB>value` lines, the VmRSS of this process with one
//!   client after its first request, and the growth per extra client (BENCH_HTTP_CLIENTS more,
//!   100 by default, each on its own identity, each after one request).
//!
//! `cargo bench` passes `--bench`; arguments are ignored.

use std::time::{Duration, Instant};

use authtoken::Client;
use serde_json::json;

struct Env {
    base: String,
    path: String,
    seconds: f64,
    password: String,
    rounds: u32,
}

fn env() -> Env {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            eprintln!("set {name} (make bench-http runs this benchmark)");
            std::process::exit(2)
        })
    };
    Env {
        base: var("BENCH_HTTP_BASE").trim_end_matches('/').to_string(),
        path: std::env::var("BENCH_HTTP_PATH").unwrap_or_else(|_| "/api/bench/".into()),
        seconds: std::env::var("BENCH_HTTP_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3.0),
        password: var("BENCH_HTTP_PASSWORD"),
        rounds: std::env::var("BENCH_HTTP_ROUNDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3),
    }
}

/// A client on its own identity (its own token, its own connection pool), in memory only.
fn client(env: &Env, tag: &str) -> Client {
    Client::from_json(
        &json!({
            "provider": "tpstreams",
            "username": format!("bench-http-{tag}-{}@example.com", std::process::id()),
            "password": env.password,
            "organization_id": format!("bench-http-{tag}-{}", std::process::id()),
            "base_url": env.base,
            "cache": "memory",
        })
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Requests per second of `f` over about `seconds`, after a 0.2 s warm-up.
fn rate(seconds: f64, f: &mut dyn FnMut()) -> f64 {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        f();
    }
    let limit = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut count = 0u64;
    loop {
        for _ in 0..64 {
            f();
        }
        count += 64;
        let elapsed = start.elapsed();
        if elapsed >= limit {
            return count as f64 / elapsed.as_secs_f64();
        }
    }
}

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

fn signed_get(client: &Client, path: &str) {
    let response = client
        .get(path)
        .unwrap_or_else(|e| panic!("get {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    std::hint::black_box(response.body());
}

/// The rows of a language, measured in turns: `rounds` rounds of `seconds / rounds` each,
/// the rows interleaved, each row's best round kept (a burst of load from elsewhere on the
/// machine then does not favour one row). Prints one `row` line per row.
fn interleaved(env: &Env, rows: &mut [(&str, &str, &mut dyn FnMut())]) {
    let rounds = env.rounds.max(1);
    let mut best = vec![0.0f64; rows.len()];
    for _ in 0..rounds {
        for (i, (_, _, f)) in rows.iter_mut().enumerate() {
            best[i] = best[i].max(rate(env.seconds / rounds as f64, f));
        }
    }
    for ((role, label, _), r) in rows.iter().zip(best) {
        println!("row\trust\t{role}\t{label}\t{r:.1}");
    }
}

fn rates(env: &Env) {
    let client = client(env, "rate");
    let header = client
        .authorization_header()
        .unwrap_or_else(|e| panic!("login: {e}"));
    let url = format!("{}{}", env.base, env.path);

    let reqwest = reqwest::blocking::Client::new();
    let mut native = || {
        let response = reqwest
            .get(&url)
            .header("Authorization", header.as_str())
            .send()
            .expect("reqwest GET");
        assert_eq!(response.status().as_u16(), 200, "reqwest GET {url}");
        std::hint::black_box(response.bytes().expect("reqwest body"));
    };
    let mut ours = || signed_get(&client, &env.path);
    interleaved(
        env,
        &mut [
            (
                "native",
                "reqwest::blocking::Client, fixed header",
                &mut native,
            ),
            ("binding", "authtoken Client::get", &mut ours),
        ],
    );
}

fn memory(env: &Env) {
    let extra: u64 = std::env::var("BENCH_HTTP_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let first = client(env, "mem-0");
    signed_get(&first, &env.path);
    let one = rss_kib();
    let more: Vec<Client> = (1..=extra)
        .map(|i| {
            let c = client(env, &format!("mem-{i}"));
            signed_get(&c, &env.path);
            c
        })
        .collect();
    let all = rss_kib();
    println!("mem\trust\tVmRSS, one client after its first request\t{one} KiB");
    println!(
        "mem\trust\tper extra client ({extra} more, own identity and connection, one request each)\t{:.1} KiB",
        (all.saturating_sub(one)) as f64 / extra as f64
    );
    drop(more);
}

fn main() {
    let env = env();
    match std::env::var("BENCH_HTTP_MODE").as_deref() {
        Ok("mem") => memory(&env),
        Ok("rate") | Err(_) => rates(&env),
        Ok(other) => {
            eprintln!("BENCH_HTTP_MODE: rate or mem, not {other}");
            std::process::exit(2)
        }
    }
}
