//! Helpers shared by the Redis store tests: the shared Redis server (`AUTHTOKEN_REDIS_URL`,
//! started by `scripts/with-redis.sh`), private servers a test may stop and restart, unique
//! key prefixes, configs, and direct access to the keys a client wrote.
//!
//! The tests run only when `AUTHTOKEN_REDIS_URL` is set (`make test-redis` sets it); without
//! it every test is reported as ignored, with one line that says how to run them.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use authtoken::store::CacheKey;
use authtoken_emulator::{Emulator, Options};
use libtest_mimic::{Arguments, Trial};
use serde_json::{json, Value};

/// The emulator's password: `$AUTHTOKEN_TEST_PASSWORD` (the secrets audit's sentinel), else
/// `demo-password`; what `Options::default()` gives the emulator.
pub static PASSWORD: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(authtoken_emulator::test_password);

#[path = "../common/mod.rs"]
mod common;
pub use common::raw_get;

/// The shared server every test may use (with its own key prefix).
pub const ENV_URL: &str = "AUTHTOKEN_REDIS_URL";
/// The `redis-server` binary for private servers (default: `redis-server` on the PATH).
pub const ENV_SERVER: &str = "AUTHTOKEN_REDIS_SERVER";

/// `(name, function)` pairs for [`run_tests`], named after the functions.
#[allow(unused_macros)] // The benchmark shares this module and runs no tests.
macro_rules! tests {
    ($($test:ident),* $(,)?) => {
        vec![$((stringify!($test), $test as fn())),*]
    };
}

/// Runs `tests` with libtest-mimic; all of them ignored, with a note, when there is no Redis.
pub fn run_tests(tests: Vec<(&'static str, fn())>) {
    let have_redis = std::env::var_os(ENV_URL).is_some_and(|v| !v.is_empty());
    if !have_redis {
        eprintln!(
            "note: the Redis store tests need a Redis server: run `make test-redis`, or \
             `scripts/with-redis.sh cargo test --test <name>`; {ENV_URL} is not set, so they are ignored"
        );
    }
    let trials = tests
        .into_iter()
        .map(|(name, f)| {
            Trial::test(name, move || {
                f();
                Ok(())
            })
            .with_ignored_flag(!have_redis)
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

pub fn shared_url() -> String {
    std::env::var(ENV_URL).expect("AUTHTOKEN_REDIS_URL")
}

/// A key prefix no other test (or earlier run) uses.
pub fn unique_prefix(test: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "authtoken-test:{test}:{}:{}:{}:",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        fastrand::u32(..)
    )
}

pub fn emulator() -> Emulator {
    Emulator::start(Options::default()).expect("start emulator")
}

/// A config for `user` on `service` of `emu`, keeping tokens in Redis at `url` under `prefix`.
/// TPStreams users get an organization of their own, so tests never share the 20-token limit.
pub fn redis_config(emu: &Emulator, service: &str, user: &str, url: &str, prefix: &str) -> Value {
    let mut c = json!({
        "provider": service,
        "username": user,
        "password": *PASSWORD,
        "base_url": emu.base_url(service),
        "cache": url,
        "redis_key_prefix": prefix,
    });
    if service == "tpstreams" {
        c["organization_id"] = json!(format!("org-{user}"));
    }
    c
}

pub fn client(config: &Value) -> authtoken::Client {
    authtoken::Client::from_json(&config.to_string()).expect("client")
}

/// A direct connection to `url`, for looking at what the store wrote.
pub fn redis_conn(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .expect("redis url")
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("connect to redis")
}

pub fn entry_key(prefix: &str, key: &CacheKey) -> String {
    format!("{prefix}token:{}", key.id())
}

pub fn lock_key(prefix: &str, key: &CacheKey) -> String {
    format!("{prefix}lock:{}", key.id())
}

pub fn get(url: &str, key: &str) -> Option<Vec<u8>> {
    redis::cmd("GET")
        .arg(key)
        .query(&mut redis_conn(url))
        .expect("GET")
}

/// PTTL: milliseconds left, -1 without expiry, -2 when absent.
pub fn pttl(url: &str, key: &str) -> i64 {
    redis::cmd("PTTL")
        .arg(key)
        .query(&mut redis_conn(url))
        .expect("PTTL")
}

/// The identity a config's client shares its token under.
pub fn cache_key(config: &Value) -> CacheKey {
    client_without_store(config).cache_key().clone()
}

fn client_without_store(config: &Value) -> authtoken::Client {
    let mut c = config.clone();
    c["cache"] = json!("memory");
    c.as_object_mut().unwrap().remove("redis_key_prefix");
    c.as_object_mut().unwrap().remove("redis_fallback");
    c.as_object_mut().unwrap().remove("cache_dir");
    client(&c)
}

pub fn echo_status(emu: &Emulator, service: &str, header: &str) -> u16 {
    raw_get(&format!("{}/api/echo/", emu.base_url(service)), header)
}

/// A port on the loopback interface that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn server_binary() -> PathBuf {
    std::env::var_os(ENV_SERVER)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("redis-server"))
}

/// A private `redis-server` (no persistence) that a test may stop and start again on the
/// same port. Killed when dropped.
pub struct RedisServer {
    pub port: u16,
    args: Vec<String>,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// The URL clients use (`redis://127.0.0.1:PORT`, or as the TLS setup says).
    pub url: String,
}

impl RedisServer {
    /// A plain server on a free port.
    pub fn start() -> RedisServer {
        RedisServer::start_with(|port, _dir| {
            (
                vec!["--port".into(), port.to_string()],
                format!("redis://127.0.0.1:{port}"),
            )
        })
    }

    /// A server with the arguments (and URL) `setup` gives for a port and a private directory.
    pub fn start_with(setup: impl Fn(u16, &Path) -> (Vec<String>, String)) -> RedisServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        for _ in 0..5 {
            let port = free_port();
            let (args, url) = setup(port, dir.path());
            // None: another process took the port between the probe and the start.
            if let Some(child) = run_server(port, &args, dir.path()) {
                return RedisServer {
                    port,
                    args,
                    dir,
                    child: Some(child),
                    url,
                };
            }
        }
        panic!("redis-server could not start on a free port in 5 attempts");
    }

    /// Stops the server (SIGKILL: nothing is saved, every connection drops).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(child) = run_server(self.port, &self.args, self.dir.path()) {
                self.child = Some(child);
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server could not listen on port {} again",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `redis-server` on `port` with `args`: the child once it accepts connections, `None`
/// when it exited (the port was taken).
fn run_server(port: u16, args: &[String], dir: &Path) -> Option<Child> {
    let log = dir.join("redis.log");
    let mut child = Command::new(server_binary())
        .args([
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ])
        .arg("--dir")
        .arg(dir)
        .arg("--logfile")
        .arg(&log)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (install redis-server: make deps-redis, or set {ENV_SERVER})",
                server_binary().display()
            )
        });
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(child);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "redis-server did not listen on port {port} within 10 s; its log: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

/// Calls per command since the server started (`INFO commandstats`), `info` itself excluded.
pub fn command_calls(url: &str) -> std::collections::BTreeMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut redis_conn(url))
        .expect("INFO");
    info.lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest
                .split(',')
                .find_map(|kv| kv.strip_prefix("calls="))?
                .parse()
                .ok()?;
            (name != "info").then(|| (name.to_string(), calls))
        })
        .collect()
}

/// A CA and a certificate for 127.0.0.1 signed by it, made with the openssl command.
pub fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl (install it: make deps-redis)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=authtoken test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}
