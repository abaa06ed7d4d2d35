//! What `WAIT 1` after a save would cost (not a test: prints figures, asserts nothing about
//! speed). `make bench-redis-wait`.
//!
//! A private primary and replica on loopback (redis-server from the PATH). Measured in
//! alternation, so that the load of a shared machine weighs on both alike:
//!
//! 1. the store's save as it is: one `SET key <entry> PX <ttl>`;
//! 2. the same `SET` followed by `WAIT 1 <timeout>` on the same connection (the save would
//!    return once the replica has the entry);
//! 3. `WAIT 1` with the replica stopped: every save waits the whole timeout;
//! 4. for scale, a login against the local emulator (no network latency, no password hash).

#[path = "../tests/redis_support/mod.rs"]
mod redis_support;

use std::time::{Duration, Instant};

use authtoken::Client;
use authtoken_emulator::{test_password, Emulator, Options};
use redis_support::{redis_conn, RedisServer};
use serde_json::json;

/// The `WAIT` timeout the figures are for.
const WAIT_TIMEOUT_MS: u64 = 100;
/// A value of about the size of a TPStreams entry (the bytes do not matter to SET or WAIT).
const ENTRY: &str = r#"{"version":1,"provider":"tpstreams","token":"b6a00658afdbf321115220ddba0edc8e7fbc58661a1b9da253458f0a1a3c6c65","obtained_at":1764720000,"expires_at":1764756000,"server_skew_s":0}"#;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn set(c: &mut redis::Connection, key: &str) {
    redis::cmd("SET")
        .arg(key)
        .arg(ENTRY)
        .arg("PX")
        .arg(36_000_000)
        .query::<()>(c)
        .unwrap();
}

/// SET then WAIT 1: the replicas that acknowledged.
fn set_and_wait(c: &mut redis::Connection, key: &str) -> i64 {
    set(c, key);
    redis::cmd("WAIT")
        .arg(1)
        .arg(WAIT_TIMEOUT_MS)
        .query::<i64>(c)
        .unwrap()
}

fn main() {
    let primary = RedisServer::start();
    let primary_port = primary.port;
    let mut replica = RedisServer::start_with(|port, _| {
        (
            vec![
                "--port".into(),
                port.to_string(),
                "--replicaof".into(),
                "127.0.0.1".into(),
                primary_port.to_string(),
            ],
            format!("redis://127.0.0.1:{port}"),
        )
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info: String = redis::cmd("INFO")
            .arg("replication")
            .query(&mut redis_conn(&replica.url))
            .unwrap();
        if info.contains("master_link_status:up") {
            break;
        }
        assert!(Instant::now() < deadline, "the replica did not sync");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut c = redis_conn(&primary.url);
    let n = 2000;
    let (mut plain, mut waited) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut acked = 0;
    for i in 0..n {
        let key = format!("bench-wait:{i}");
        let t = Instant::now();
        set(&mut c, &key);
        plain.push(t.elapsed());
        let t = Instant::now();
        acked += set_and_wait(&mut c, &key);
        waited.push(t.elapsed());
    }
    let (plain, waited) = (median(plain), median(waited));
    println!("save (SET ... PX), median of {n}:                       {plain:>10.1?}");
    println!(
        "save + WAIT 1 {WAIT_TIMEOUT_MS}, replica up, median of {n}:          {waited:>10.1?}  ({:.1}x; {acked}/{n} acknowledged)",
        waited.as_secs_f64() / plain.as_secs_f64()
    );
    replica.stop();
    let m = 20;
    let down = median(
        (0..m)
            .map(|i| {
                let t = Instant::now();
                set_and_wait(&mut c, &format!("bench-wait-down:{i}"));
                t.elapsed()
            })
            .collect(),
    );
    println!("save + WAIT 1 {WAIT_TIMEOUT_MS}, replica down, median of {m}:         {down:>10.1?}");

    let emu = Emulator::start(Options {
        max_tokens_per_org: 100_000,
        ..Options::default()
    })
    .unwrap();
    let logins: Vec<Duration> = (0..200)
        .map(|i| {
            let client = Client::from_json(
                &json!({
                    "provider": "tpstreams", "username": format!("wait{i}"),
                    "password": test_password(), "organization_id": "bench-wait",
                    "base_url": emu.base_url("tpstreams"), "cache": "memory",
                })
                .to_string(),
            )
            .unwrap();
            let t = Instant::now();
            client.authorization_header().unwrap();
            t.elapsed()
        })
        .collect();
    println!(
        "for scale: a login against the local emulator, median of 200: {:>10.1?}",
        median(logins)
    );
}
