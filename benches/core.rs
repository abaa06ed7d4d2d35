//! Core benchmarks (not tests): prints figures, asserts nothing about speed.
//!
//! `cargo bench --bench core`
//!
//! 1. A warm `authorization_header()` per call, next to the floor of copying the same
//!    string out of an `Arc` (what the call fundamentally has to do).
//! 2. A cold start of 64 threads sharing one client (one login), next to 64 threads each
//!    logging in on its own (what the services' sample code does).

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use authtoken::Client;
use authtoken_emulator::{test_password, Emulator, Options};
use serde_json::json;

fn client(emu: &Emulator, user: &str) -> Client {
    Client::from_json(
        &json!({
            "provider": "tpstreams", "username": user, "password": test_password(),
            "organization_id": "bench", "base_url": emu.base_url("tpstreams"), "cache": "memory",
        })
        .to_string(),
    )
    .unwrap()
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

fn threads(n: usize, f: impl Fn(usize) + Send + Sync + 'static) -> Duration {
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n + 1));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (f, b) = (Arc::clone(&f), Arc::clone(&barrier));
            std::thread::spawn(move || {
                b.wait();
                f(i);
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    start.elapsed()
}

fn main() {
    let emu = Emulator::start(Options {
        max_tokens_per_org: 10_000,
        ..Options::default()
    })
    .unwrap();

    let warm = client(&emu, "warm");
    warm.authorization_header().unwrap();
    let header = warm.authorization_header().unwrap();
    let floor_src: Arc<String> = Arc::new(header.clone());
    let n = 2_000_000;
    let t_header = per_call(n, || {
        black_box(warm.authorization_header().unwrap());
    });
    let t_floor = per_call(n, || {
        black_box(String::clone(black_box(&floor_src)));
    });
    println!(
        "warm authorization_header(): {:>8.1} ns/call",
        t_header.as_nanos() as f64
    );
    println!(
        "floor (copy the header out of an Arc<String>): {:>8.1} ns/call",
        t_floor.as_nanos() as f64
    );
    println!(
        "ratio header/floor: {:.1}x",
        t_header.as_secs_f64() / t_floor.as_secs_f64()
    );

    let rounds = 5;
    let mut shared_total = Duration::ZERO;
    let mut naive_total = Duration::ZERO;
    for round in 0..rounds {
        let shared = client(&emu, &format!("cold-{round}"));
        let before = emu.login_count("tpstreams", &format!("cold-{round}"));
        shared_total += threads(64, move |_| {
            black_box(shared.authorization_header().unwrap());
        });
        assert_eq!(
            emu.login_count("tpstreams", &format!("cold-{round}")) - before,
            1
        );
        let base = emu.base_url("tpstreams");
        naive_total += threads(64, move |i| {
            let c = Client::from_json(
                &json!({
                    "provider": "tpstreams", "username": format!("naive-{round}-{i}"),
                    "password": test_password(), "organization_id": "bench",
                    "base_url": base, "cache": "memory",
                })
                .to_string(),
            )
            .unwrap();
            black_box(c.authorization_header().unwrap());
        });
    }
    let shared = shared_total / rounds;
    let naive = naive_total / rounds;
    println!(
        "cold start, 64 threads sharing one client: {:>8.2} ms, 1 login",
        shared.as_secs_f64() * 1e3
    );
    println!(
        "cold start, 64 threads logging in each:    {:>8.2} ms, 64 logins",
        naive.as_secs_f64() * 1e3
    );
    println!(
        "ratio naive/shared: {:.1}x (and 64x the tokens)",
        naive.as_secs_f64() / shared.as_secs_f64()
    );
}
