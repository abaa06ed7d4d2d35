//! The login cool-off's costs (not a test: prints figures, asserts only login counts).
//!
//! `cargo bench -p authtoken --bench cooloff` (`make bench-cooloff`)
//!
//! 1. One client, wrong password, 2,000 calls: with the cool-off (`login_cooloff_s` 60) the
//!    server sees 1 attempt and each later call is answered from memory; without it
//!    (`login_cooloff_s` 0) every call is a login attempt. Time per call and attempts, side
//!    by side.
//! 2. A new client per call on the file store (a PHP request): the first refused login pays
//!    the scrypt hash of the password, once per process; later clients that meet the
//!    remembered refusal reuse it, next to a new client reading a cached token.

use std::hint::black_box;
use std::time::{Duration, Instant};

use authtoken::Client;
use authtoken_emulator::{test_password, Emulator, Options};
use serde_json::{json, Value};

fn config(emu: &Emulator, user: &str, password: &str, cache: Value) -> String {
    let mut c = json!({
        "provider": "tpstreams", "username": user, "password": password,
        "organization_id": "bench", "base_url": emu.base_url("tpstreams"), "max_retries": 0,
    });
    c.as_object_mut()
        .unwrap()
        .extend(cache.as_object().unwrap().clone());
    c.to_string()
}

fn per_call(calls: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed() / calls
}

fn main() {
    let emu = Emulator::start(Options::default()).unwrap();
    let calls = 2_000;

    let mut rows = Vec::new();
    for cooloff in [60, 0] {
        let user = format!("wrong-{cooloff}");
        let client = Client::from_json(&config(
            &emu,
            &user,
            "wrong-password",
            json!({"cache": "memory", "login_cooloff_s": cooloff}),
        ))
        .unwrap();
        let t = per_call(calls, || {
            black_box(client.authorization_header().unwrap_err());
        });
        rows.push((cooloff, t, emu.login_attempts("tpstreams", &user)));
    }
    println!("{calls} calls with a wrong password, one client (memory store):");
    for (cooloff, t, attempts) in &rows {
        println!(
            "  login_cooloff_s {cooloff:>2}: {:>9.1} us/call, {attempts:>4} login attempts",
            t.as_secs_f64() * 1e6
        );
    }
    assert_eq!(rows[0].2, 1);
    assert_eq!(rows[1].2, u64::from(calls));
    println!(
        "  ratio without/with the cool-off: {:.0}x the time per call, {}x the attempts",
        rows[1].1.as_secs_f64() / rows[0].1.as_secs_f64(),
        rows[1].2 / rows[0].2
    );

    let dir = tempfile::tempdir().unwrap();
    let file = json!({"cache": "file", "cache_dir": dir.path().join("cache")});
    let new_clients = 50;
    let refused = config(&emu, "refused", "wrong-password", file.clone());
    let first = Instant::now();
    Client::from_json(&refused)
        .unwrap()
        .authorization_header()
        .unwrap_err();
    let t_first = first.elapsed();
    let t_refused = per_call(new_clients, || {
        let c = Client::from_json(&refused).unwrap();
        black_box(c.authorization_header().unwrap_err());
    });
    let cached = config(&emu, "cached", &test_password(), file);
    Client::from_json(&cached)
        .unwrap()
        .authorization_header()
        .unwrap();
    let t_cached = per_call(new_clients, || {
        let c = Client::from_json(&cached).unwrap();
        black_box(c.authorization_header().unwrap());
    });
    assert_eq!(emu.login_attempts("tpstreams", "refused"), 1);
    assert_eq!(emu.login_count("tpstreams", "cached"), 1);
    println!("a new client per call on the file store ({new_clients} clients each):");
    println!(
        "  first refused login (the attempt, the record and the scrypt hash): {:>8.2} ms",
        t_first.as_secs_f64() * 1e3
    );
    println!(
        "  remembered refusal (the hash memoized for the process): {:>8.2} ms/client",
        t_refused.as_secs_f64() * 1e3
    );
    println!(
        "  cached token:                                           {:>8.2} ms/client",
        t_cached.as_secs_f64() * 1e3
    );
    println!(
        "  ratio refusal/cached: {:.1}x",
        t_refused.as_secs_f64() / t_cached.as_secs_f64()
    );
}
