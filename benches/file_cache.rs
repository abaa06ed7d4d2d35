//! File cache benchmarks (not tests): prints figures, asserts nothing about speed.
//!
//! `cargo bench --bench file_cache`
//!
//! 1. A fresh process obtaining a header from a warm file cache (no login), next to the same
//!    process with the in-memory store (which has to log in): wall time of the whole process
//!    and time of `Client::from_json` + `authorization_header()` inside it.
//! 2. One store read: the file store's `load` next to the memory store's.
//! 3. A cold storm of 8 processes x 16 threads sharing the file cache, next to the same storm
//!    with the in-memory store (every process logs in for itself): logins counted by the
//!    emulator, and wall time.
//!
//! The emulator runs in this process on loopback, so a login here costs about a millisecond;
//! against a real service it costs a network round trip (typically 50-500 ms) and one of the
//! organization's 20 tokens.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use authtoken::store::{FileStore, MemoryStore, TokenStore};
use authtoken::Client;
use authtoken_emulator::{test_password, Emulator, Options};
use serde_json::{json, Value};

const CHILD: &str = "AUTHTOKEN_BENCH_CHILD";
const CONFIG: &str = "AUTHTOKEN_BENCH_CONFIG";
const THREADS: &str = "AUTHTOKEN_BENCH_THREADS";

fn main() {
    match std::env::var(CHILD).as_deref() {
        Ok("header") => return child_header(),
        Ok("storm") => return child_storm(),
        _ => {}
    }
    let emu = Emulator::start(Options {
        // The in-memory runs log in once per process, far beyond the usual 20 per organization.
        max_tokens_per_org: 100_000,
        ..Options::default()
    })
    .expect("emulator");
    let scratch = tempfile::tempdir().unwrap();
    println!(
        "authtoken file cache benchmark (emulator on loopback, {} runs each)\n",
        RUNS
    );
    fresh_process(&emu, scratch.path());
    store_reads(&emu, scratch.path());
    storm(&emu, scratch.path());
}

const RUNS: usize = 30;

fn config(emu: &Emulator, user: &str, cache_dir: Option<&std::path::Path>) -> Value {
    let mut c = json!({
        "provider": "tpstreams", "username": user, "password": test_password(),
        "organization_id": "bench", "base_url": emu.base_url("tpstreams"),
    });
    match cache_dir {
        Some(dir) => c["cache_dir"] = json!(dir),
        None => c["cache"] = json!("memory"),
    }
    c
}

/// Child: make a client, get the header, print the microseconds each took.
fn child_header() {
    let start = Instant::now();
    let client = Client::from_json(&std::env::var(CONFIG).unwrap()).unwrap();
    let made = start.elapsed();
    let header = client.authorization_header().unwrap();
    let took = start.elapsed() - made;
    assert!(header.starts_with("Token "));
    println!("{} {}", made.as_micros(), took.as_micros());
}

/// Child: N threads on one client; waits for a line on stdin, then all ask at once.
fn child_storm() {
    let threads: usize = std::env::var(THREADS).unwrap().parse().unwrap();
    let client = Client::from_json(&std::env::var(CONFIG).unwrap()).unwrap();
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (c, b) = (client.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                b.wait();
                c.authorization_header().unwrap();
            })
        })
        .collect();
    println!("ready");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    barrier.wait();
    for h in handles {
        h.join().unwrap();
    }
    println!("done");
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

struct Figures {
    process: Vec<Duration>,
    new: Vec<Duration>,
    header: Vec<Duration>,
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn run_processes(config: &Value) -> Figures {
    let mut f = Figures {
        process: Vec::new(),
        new: Vec::new(),
        header: Vec::new(),
    };
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = child("header", config).output().unwrap();
        f.process.push(start.elapsed());
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut micros = text
            .split_whitespace()
            .map(|n| Duration::from_micros(n.parse().unwrap()));
        f.new.push(micros.next().unwrap());
        f.header.push(micros.next().unwrap());
    }
    f
}

fn fresh_process(emu: &Emulator, dir: &std::path::Path) {
    let file = config(emu, "fresh-file", Some(&dir.join("fresh")));
    let memory = config(emu, "fresh-memory", None);
    // Warm the file cache once.
    child("header", &file).output().unwrap();
    let before = emu.login_count("tpstreams", "fresh-file");
    let mut f = run_processes(&file);
    let file_logins = emu.login_count("tpstreams", "fresh-file") - before;
    let mut m = run_processes(&memory);
    let memory_logins = emu.login_count("tpstreams", "fresh-memory");

    let rows = [
        ("warm file cache (no login)", &mut f, file_logins),
        ("in-memory store (logs in)", &mut m, memory_logins),
    ];
    println!("1. a fresh process gets a header (median of {RUNS} processes)");
    println!(
        "   {:<28} {:>14} {:>18} {:>24} {:>7}",
        "", "whole process", "Client::from_json", "authorization_header()", "logins"
    );
    let mut headers = Vec::new();
    for (label, fig, logins) in rows {
        let (p, n, h) = (
            median(&mut fig.process),
            median(&mut fig.new),
            median(&mut fig.header),
        );
        headers.push(h);
        println!("   {label:<28} {p:>14.2?} {n:>18.2?} {h:>24.2?} {logins:>7}");
    }
    println!(
        "   authorization_header(): the warm file cache is {:.1}x faster than a login on loopback\n",
        headers[1].as_secs_f64() / headers[0].as_secs_f64()
    );
}

fn store_reads(emu: &Emulator, dir: &std::path::Path) {
    let c = Client::from_json(&config(emu, "reads", Some(&dir.join("reads"))).to_string()).unwrap();
    c.authorization_header().unwrap();
    let key = c.cache_key().clone();
    let file = FileStore::open(dir.join("reads"), Duration::from_secs(1)).unwrap();
    let memory = MemoryStore::new();
    memory
        .save(&key, &file.load(&key).unwrap().unwrap())
        .unwrap();
    let time = |store: &dyn TokenStore| {
        let n = 20_000u32;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(store.load(&key).unwrap());
        }
        start.elapsed() / n
    };
    let (f, m) = (time(&file), time(&memory));
    println!("2. one store read (load of an entry, mean of 20000)");
    println!(
        "   file store {f:>10.2?}   memory store {m:>10.2?}   ratio {:.0}x\n",
        f.as_secs_f64() / m.as_secs_f64()
    );
}

fn storm_once(emu: &Emulator, config: &Value, processes: usize, threads: usize) -> Duration {
    let mut children: Vec<_> = (0..processes)
        .map(|_| {
            let mut cmd = child("storm", config);
            cmd.env(THREADS, threads.to_string());
            let mut child = cmd.spawn().unwrap();
            let mut out = BufReader::new(child.stdout.take().unwrap());
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "ready");
            (child, out)
        })
        .collect();
    let start = Instant::now();
    for (child, _) in &mut children {
        writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    }
    for (child, out) in &mut children {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "done");
        child.wait().unwrap();
    }
    let _ = emu;
    start.elapsed()
}

fn storm(emu: &Emulator, dir: &std::path::Path) {
    const ROUNDS: usize = 5;
    let (processes, threads) = (8, 16);
    let mut rows = Vec::new();
    for (label, file) in [
        ("shared file cache", true),
        ("in-memory store per process", false),
    ] {
        let mut times = Vec::new();
        let mut logins = Vec::new();
        for round in 0..ROUNDS {
            let user = format!("storm-{}-{round}", if file { "file" } else { "memory" });
            let cache = dir.join(format!("storm-{round}"));
            let c = config(emu, &user, file.then_some(cache.as_path()));
            times.push(storm_once(emu, &c, processes, threads));
            logins.push(emu.login_count("tpstreams", &user));
        }
        rows.push((label, median(&mut times), logins));
    }
    println!("3. cold storm: {processes} processes x {threads} threads, {ROUNDS} rounds (median wall time)");
    for (label, time, logins) in rows {
        println!("   {label:<30} {time:>10.2?}   logins per round {logins:?}");
    }
}
