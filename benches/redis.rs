//! Redis store benchmark (not a test): prints figures, asserts nothing about speed.
//!
//! `make bench-redis`, i.e. `scripts/with-redis.sh cargo bench --bench redis` (or with
//! `AUTHTOKEN_REDIS_URL` set to a server of your own; without it, a private `redis-server`
//! from the PATH is started).
//!
//! 1. A warm `authorization_header()` with the Redis store (served from this process's
//!    memory) next to the same with the file store.
//! 2. A cold process's first header: a new process (this benchmark run again) times its
//!    first `authorization_header()`, which reads the shared store once: connect + one Redis
//!    GET, next to one file read.
//! 3. A new client in a process that has used the store before (dropping every client of an
//!    identity drops its in-memory token): one GET on a pooled connection, next to one file
//!    read.
//! 4. For scale: a first header that has to log in (the local emulator, no store).

#[path = "../tests/redis_support/mod.rs"]
mod redis_support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use authtoken::Client;
use authtoken_emulator::{test_password, Emulator, Options};
use redis_support::{unique_prefix, RedisServer, ENV_URL};
use serde_json::{json, Value};

fn config(emu: &Emulator, user: &str, cache: Value) -> Value {
    json!({
        "provider": "tpstreams", "username": user, "password": test_password(),
        "organization_id": "bench", "base_url": emu.base_url("tpstreams"), "cache": cache,
    })
}

fn per_call(iterations: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed() / iterations
}

/// The time of a first `authorization_header()` of a new client of `config`'s identity
/// (the client is made outside the timing, and dropped afterwards).
fn new_client_first_header(config: &str) -> Duration {
    let client = Client::from_json(config).unwrap();
    let start = Instant::now();
    black_box(client.authorization_header().unwrap());
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Set in the child processes of the cold-process rounds: the config to time.
const CHILD_CONFIG: &str = "AUTHTOKEN_BENCH_COLD_CONFIG";

/// A child: makes the client, times its first header, prints the nanoseconds.
fn cold_child(config: &str) {
    let client = Client::from_json(config).unwrap();
    let start = Instant::now();
    black_box(client.authorization_header().unwrap());
    println!("{}", start.elapsed().as_nanos());
}

/// The first-header time of a new process (this benchmark run again) using `config`.
fn new_process_first_header(config: &str) -> Duration {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_CONFIG, config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Duration::from_nanos(String::from_utf8_lossy(&out.stdout).trim().parse().unwrap())
}

fn main() {
    if let Ok(config) = std::env::var(CHILD_CONFIG) {
        cold_child(&config);
        return;
    }
    let emu = Emulator::start(Options {
        max_tokens_per_org: 100_000,
        ..Options::default()
    })
    .unwrap();
    let _private;
    let url = match std::env::var(ENV_URL) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            let server = RedisServer::start();
            let url = server.url.clone();
            _private = server;
            url
        }
    };
    let prefix = unique_prefix("bench");
    let dir = tempfile::tempdir().unwrap();

    let mut redis_cfg = config(&emu, "bench-redis", json!(url));
    redis_cfg["redis_key_prefix"] = json!(prefix);
    let mut file_cfg = config(&emu, "bench-file", json!("file"));
    file_cfg["cache_dir"] = json!(dir.path().join("cache"));

    println!("Redis server: {url}");
    // The two stores are measured in alternation, so that the load of a shared machine
    // weighs on both alike.
    let n = 200_000;
    let warm_redis = Client::from_json(&redis_cfg.to_string()).unwrap();
    warm_redis.authorization_header().unwrap();
    let warm_file = Client::from_json(&file_cfg.to_string()).unwrap();
    warm_file.authorization_header().unwrap();
    let (mut t_warm_redis, mut t_warm_file) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        t_warm_redis = t_warm_redis.min(per_call(n, || {
            black_box(warm_redis.authorization_header().unwrap());
        }));
        t_warm_file = t_warm_file.min(per_call(n, || {
            black_box(warm_file.authorization_header().unwrap());
        }));
    }
    // Both identities now have a token in their store; drop the warm clients so that every
    // round below starts without one in memory.
    drop((warm_redis, warm_file));
    let (redis_json, file_json) = (redis_cfg.to_string(), file_cfg.to_string());

    let processes = 200;
    let (mut redis_times, mut file_times) = (Vec::new(), Vec::new());
    for _ in 0..processes {
        redis_times.push(new_process_first_header(&redis_json));
        file_times.push(new_process_first_header(&file_json));
    }
    let (t_process_redis, t_process_file) = (median(redis_times), median(file_times));

    let rounds = 2000;
    let (mut redis_times, mut file_times) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        redis_times.push(new_client_first_header(&redis_json));
        file_times.push(new_client_first_header(&file_json));
    }
    let (t_cold_redis, t_cold_file) = (median(redis_times), median(file_times));

    let login_cfg = config(&emu, "bench-login", json!("memory"));
    let t_cold_login = {
        // With the memory store, forgetting the token makes every round log in.
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let client = Client::from_json(&login_cfg.to_string()).unwrap();
                let start = Instant::now();
                black_box(client.authorization_header().unwrap());
                let took = start.elapsed();
                client.forget().unwrap();
                took
            })
            .collect();
        times.sort();
        times[times.len() / 2]
    };
    assert_eq!(
        emu.login_count("tpstreams", "bench-redis"),
        1,
        "the cold rounds read the store"
    );
    assert_eq!(
        emu.login_count("tpstreams", "bench-file"),
        1,
        "the cold rounds read the store"
    );

    let ns = |d: Duration| d.as_nanos() as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!();
    println!("warm authorization_header(), best of 5 means of {n} calls:");
    println!(
        "  redis store (served from memory): {:>8.1} ns/call",
        ns(t_warm_redis)
    );
    println!(
        "  file store  (served from memory): {:>8.1} ns/call",
        ns(t_warm_file)
    );
    println!(
        "  ratio redis/file: {:.2}x",
        t_warm_redis.as_secs_f64() / t_warm_file.as_secs_f64()
    );
    println!();
    println!("a cold process's first header, median of {processes} processes:");
    println!(
        "  redis store (connect + one GET): {:>8.1} us",
        us(t_process_redis)
    );
    println!(
        "  file store  (one file read):     {:>8.1} us",
        us(t_process_file)
    );
    println!(
        "  ratio redis/file: {:.2}x",
        t_process_redis.as_secs_f64() / t_process_file.as_secs_f64()
    );
    println!();
    println!(
        "a new client's first header in a process that used the store before, median of {rounds}:"
    );
    println!(
        "  redis store (one GET, pooled connection): {:>8.1} us",
        us(t_cold_redis)
    );
    println!(
        "  file store  (one file read):              {:>8.1} us",
        us(t_cold_file)
    );
    println!(
        "  ratio redis/file: {:.2}x",
        t_cold_redis.as_secs_f64() / t_cold_file.as_secs_f64()
    );
    println!();
    println!(
        "  for scale, a first header that logs in (local emulator, median of 200): {:>8.1} us",
        us(t_cold_login)
    );
}
