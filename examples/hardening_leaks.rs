//! The leak check's Rust program, run by `scripts/leak-check.sh`: resident memory (VmRSS)
//! after a warm-up, after 100,000 warm `authorization_header()` calls, and after 10,000 signed
//! GETs against the emulator at `$AUTHTOKEN_EMULATOR`. Prints one `RESULT` line for the driver,
//! which holds the growth to its bounds.

use std::time::Instant;

use authtoken::{Client, Config};
use serde_json::json;

const HEADERS: usize = 100_000;
const REQUESTS: usize = 10_000;

/// Resident memory of this process, in KiB (VmRSS of /proc/self/status).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn main() {
    let root = std::env::var("AUTHTOKEN_EMULATOR").expect("AUTHTOKEN_EMULATOR must be set");
    let doc = json!({
        "provider": "tpstreams", "username": "leak-rust", "password": "demo-password",
        "organization_id": "leak-rust", "base_url": format!("{root}/tpstreams"),
    });
    let client = Client::new(Config::from_value(&doc).expect("valid config")).expect("client");
    let header = |n: usize| {
        for _ in 0..n {
            assert!(client
                .authorization_header()
                .expect("header")
                .starts_with("Token "));
        }
    };
    let request = |n: usize| {
        for _ in 0..n {
            let r = client.get("/api/echo/").expect("signed GET");
            assert_eq!(r.status(), 200);
            assert!(!r.body().is_empty());
        }
    };
    header(10_000);
    request(1_000);
    let warm = rss_kib();
    let t = Instant::now();
    header(HEADERS);
    let after_headers = rss_kib();
    let header_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    request(REQUESTS);
    let after_requests = rss_kib();
    let request_s = t.elapsed().as_secs_f64();
    println!("RESULT rust {warm} {after_headers} {after_requests} {header_s:.2} {request_s:.2}");
}
