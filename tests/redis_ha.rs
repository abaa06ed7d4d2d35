//! Highly available Redis on loopback, failed over under load: 1 primary + 1 replica + 3
//! sentinels (`redis+sentinel://`), and a 3-primary, 3-replica Redis Cluster
//! (`redis+cluster://`, made with `redis-cli --cluster create`).
//!
//! While 4 "machines" (child processes: this executable run again, each with its own
//! memory) x 16 threads make signed requests against the emulator, the primary that holds
//! the identity is killed with SIGKILL and the token is revoked at once, so that every
//! machine needs the store (compare-and-delete, the lock, a save) while the failover is under
//! way. What a user would see is checked: no request fails outside the failover window,
//! every machine succeeds after it, at most one login more than the floor (the first login
//! and the one after the revocation), the entry on the new primary is whole and holds the
//! token a fresh process gets without logging in, and no login lock is left without expiry.
//!
//! Needs `AUTHTOKEN_REDIS_URL` (`make test-redis`, which installs redis-server,
//! redis-sentinel and redis-tools) like the other Redis tests; the topologies are private.

mod children;
#[macro_use]
mod redis_support;

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use authtoken::store::{Entry, RedisStore, TokenStore};
use authtoken::Client;
use authtoken_emulator::Emulator;
use children::{reply, Agent};
use redis_support::*;
use serde_json::Value;

const CHILD: &str = "AUTHTOKEN_TEST_CHILD";
const CONFIG: &str = "AUTHTOKEN_TEST_CONFIG";
const THREADS: &str = "AUTHTOKEN_TEST_THREADS";

const MACHINES: usize = 4;
const THREADS_EACH: usize = 16;
/// After the new primary is known, how long requests may still fail (clients notice the
/// new topology on their next try, which waits at most 250 ms).
const GRACE_MS: u64 = 1000;
/// How long the machines keep going once the new primary is known.
const AFTER_FAILOVER: Duration = Duration::from_millis(1500);
const SERVICE: &str = "authtoken-ha";

fn main() {
    if let Ok(role) = std::env::var(CHILD) {
        match role.as_str() {
            "hammer" => child_hammer(),
            "agent" => child_agent(),
            other => panic!("unknown child role {other}"),
        }
        return;
    }
    run_tests(tests![
        sentinel_failover_under_load_of_4_machines_x_16_threads,
        cluster_failover_under_load_of_4_machines_x_16_threads,
        sentinel_urls_reach_the_primary_and_bad_ones_are_named,
        tls_sentinel_finds_the_primary_and_follows_a_failover,
    ]);
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

// ---------------------------------------------------------------------------------------
// Children

/// Gets the header, prints `ready`, then makes signed requests from `THREADS` threads until
/// a line arrives on stdin; prints `done <ok> <failed> <last ok, unix ms> <slowest ms>` and
/// one `fail <unix ms> <what>` line per failed request.
fn child_hammer() {
    let client = Client::from_json(&std::env::var(CONFIG).unwrap()).expect("client");
    let threads: usize = std::env::var(THREADS).unwrap().parse().unwrap();
    client.authorization_header().expect("first header");
    println!("ready");
    let stop = Arc::new(AtomicBool::new(false));
    let fails = Arc::new(Mutex::new(Vec::<(u64, String)>::new()));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (client, stop, fails) = (client.clone(), Arc::clone(&stop), Arc::clone(&fails));
            std::thread::spawn(move || {
                let (mut ok, mut last_ok, mut slowest) = (0u64, 0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    let started = now_ms();
                    let failure = match client.get("/api/echo/") {
                        Ok(r) if r.status() == 200 => None,
                        Ok(r) => Some(format!("status {}", r.status())),
                        Err(e) => Some(reply(Err(e))),
                    };
                    let ended = now_ms();
                    slowest = slowest.max(ended - started);
                    match failure {
                        None => {
                            ok += 1;
                            last_ok = ended;
                        }
                        Some(f) => fails.lock().unwrap().push((started, f)),
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                (ok, last_ok, slowest)
            })
        })
        .collect();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut last_ok, mut slowest) = (0, 0, 0);
    for h in handles {
        let (o, l, s) = h.join().unwrap();
        ok += o;
        last_ok = last_ok.max(l);
        slowest = slowest.max(s);
    }
    let fails = fails.lock().unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "done {ok} {} {last_ok} {slowest}", fails.len()).unwrap();
    for (at, what) in fails.iter() {
        writeln!(out, "fail {at} {what}").unwrap();
    }
}

/// Prints `ready`, then answers `header` lines.
fn child_agent() {
    let client = Client::from_json(&std::env::var(CONFIG).unwrap()).expect("client");
    println!("ready");
    for line in std::io::stdin().lock().lines() {
        match line.unwrap().as_str() {
            "header" => println!("{}", reply(client.authorization_header())),
            other => panic!("unknown command {other}"),
        }
    }
}

fn child(role: &str, config: &Value) -> Agent {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env(CHILD, role)
        .env(CONFIG, config.to_string())
        .env(THREADS, THREADS_EACH.to_string())
        .env("AUTHTOKEN_CACHE_DIR", dir.path().join("cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let agent = Agent::start_ready(cmd);
    // The directory only has to outlive the start: without redis_fallback nothing is written.
    drop(dir);
    agent
}

// ---------------------------------------------------------------------------------------
// The load, the failover and what is checked

/// What a failover cost, as the machines saw it.
struct Outcome {
    promoted_after_ms: u64,
    ok: u64,
    failed: usize,
    slowest_ms: u64,
    logins: u64,
}

/// Runs the fleet on `config`, calls `kill` (SIGKILL the primary that holds the identity),
/// revokes the token, calls `promoted` until it says the replica took over, keeps the load
/// on a little longer and checks what the machines saw. `pttl` reads the PTTL of a key on
/// the new primary.
fn failover_under_load(
    emu: &Emulator,
    config: &Value,
    user: &str,
    kill: impl FnOnce(),
    mut promoted: impl FnMut() -> bool,
    pttl: impl Fn(&str) -> i64,
) -> Outcome {
    let mut machines: Vec<Agent> = (0..MACHINES).map(|_| child("hammer", config)).collect();
    assert_eq!(
        emu.login_count("tpstreams", user),
        1,
        "one login for 4 cold machines"
    );
    // Load on a healthy deployment first (and time for the entry to reach the replica).
    std::thread::sleep(Duration::from_millis(300));
    let killed_at = now_ms();
    kill();
    assert!(
        emu.revoke_all("tpstreams", Some(user)) > 0,
        "a token to revoke"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !promoted() {
        assert!(
            Instant::now() < deadline,
            "the replica was not promoted within 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let promoted_at = now_ms();
    std::thread::sleep(AFTER_FAILOVER);
    let stopped_at = now_ms();
    for m in &mut machines {
        m.send("stop");
    }
    let (mut ok, mut failed, mut slowest) = (0, 0, 0);
    let (mut outside, mut inside) = (Vec::new(), Vec::new());
    for (i, m) in machines.iter_mut().enumerate() {
        let done = m.read_line();
        let fields: Vec<&str> = done.split(' ').collect();
        assert_eq!(fields[0], "done", "{done}");
        let n: u64 = fields[1].parse().unwrap();
        let nfail: usize = fields[2].parse().unwrap();
        let last_ok: u64 = fields[3].parse().unwrap();
        slowest = slowest.max(fields[4].parse().unwrap());
        assert!(
            last_ok > promoted_at,
            "machine {i} made no successful request after the failover"
        );
        ok += n;
        failed += nfail;
        for _ in 0..nfail {
            let line = m.read_line();
            let (at, what) = line
                .strip_prefix("fail ")
                .and_then(|l| l.split_once(' '))
                .unwrap();
            let at: u64 = at.parse().unwrap();
            let shown = format!(
                "machine {i} at {:+} ms: {what}",
                at as i64 - killed_at as i64
            );
            if at < killed_at || at > promoted_at + GRACE_MS {
                outside.push(shown);
            } else if inside.len() < 5 {
                inside.push(shown);
            }
        }
    }
    assert!(
        outside.is_empty(),
        "requests failed outside the failover window (killed at 0, promoted at +{} ms, \
         stopped at +{} ms): {outside:#?}",
        promoted_at - killed_at,
        stopped_at - killed_at
    );
    for f in &inside {
        eprintln!("failed inside the failover window: {f}");
    }
    let logins = emu.login_count("tpstreams", user);
    // The floor: the first login and the one after the revocation; a save lost with the
    // primary costs at most one more.
    assert!(
        (2..=3).contains(&logins),
        "{logins} logins; the floor is 2 and a failover may add at most 1"
    );
    // The entry on the new primary is whole, and a fresh process uses it without a login.
    let store = RedisStore::for_config(&authtoken::Config::from_json(&config.to_string()).unwrap())
        .unwrap();
    let key = cache_key(config);
    let mut fresh = child("agent", config);
    let header = fresh.ok("header");
    assert_eq!(
        emu.login_count("tpstreams", user),
        logins,
        "a fresh process after the failover reads the shared token"
    );
    assert_eq!(echo_status(emu, "tpstreams", &header), 200);
    let entry = store
        .load(&key)
        .unwrap()
        .expect("an entry on the new primary");
    assert_eq!(format!("Token {}", entry.token.as_str()), header);
    // No lock without an expiry; any left by a holder cut off by the failover expires.
    let lock = store.lock_key(&key);
    let ttl = pttl(&lock);
    assert_ne!(ttl, -1, "the login lock {lock} has no expiry");
    let lock_deadline = Instant::now() + store.options().lock_ttl + Duration::from_secs(1);
    while pttl(&lock) != -2 {
        assert!(
            Instant::now() < lock_deadline,
            "the login lock {lock} outlived its TTL"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Outcome {
        promoted_after_ms: promoted_at - killed_at,
        ok,
        failed,
        slowest_ms: slowest,
        logins,
    }
}

fn report(what: &str, o: &Outcome) {
    eprintln!(
        "{what}: replica promoted {} ms after SIGKILL; {} requests ok, {} failed (all inside the \
         window); slowest request {} ms; {} logins (floor 2)",
        o.promoted_after_ms, o.ok, o.failed, o.slowest_ms, o.logins
    );
}

// ---------------------------------------------------------------------------------------
// Sentinel

/// A process killed when dropped, with its private directory.
struct Proc {
    child: Option<Child>,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Proc {
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

fn query<T: redis::FromRedisValue>(port: u16, cmd: &redis::Cmd) -> redis::RedisResult<T> {
    query_on(port, None, cmd)
}

/// `cmd` on the node or sentinel at `port`: over TLS, trusting `ca`, when it is given.
fn query_on<T: redis::FromRedisValue>(
    port: u16,
    ca: Option<&Path>,
    cmd: &redis::Cmd,
) -> redis::RedisResult<T> {
    let client = match ca {
        None => redis::Client::open(format!("redis://127.0.0.1:{port}"))?,
        Some(ca) => redis::Client::build_with_tls(
            format!("rediss://127.0.0.1:{port}"),
            redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(std::fs::read(ca).expect("the test CA")),
            },
        )?,
    };
    let mut c = client.get_connection_with_timeout(Duration::from_secs(2))?;
    c.set_read_timeout(Some(Duration::from_secs(2)))?;
    cmd.query(&mut c)
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A sentinel watching `primary_port` as SERVICE, with a short down-after (400 ms); over TLS
/// only (to clients and to the nodes) with the certificates in `tls`, when it is given.
fn start_sentinel(primary_port: u16, tls: Option<&Path>) -> Proc {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let port = free_port();
        let conf = dir.path().join("sentinel.conf");
        let listen = match tls {
            None => format!("port {port}\n"),
            Some(certs) => format!(
                "port 0\ntls-port {port}\n{}",
                tls_settings(certs)
                    .chunks(2)
                    .map(|kv| format!("{} {}\n", &kv[0][2..], kv[1]))
                    .collect::<String>()
            ),
        };
        std::fs::write(
            &conf,
            format!(
                "{listen}bind 127.0.0.1\ndaemonize no\ndir {d}\nlogfile {d}/sentinel.log\n\
                 sentinel monitor {SERVICE} 127.0.0.1 {primary_port} 2\n\
                 sentinel down-after-milliseconds {SERVICE} 400\n\
                 sentinel failover-timeout {SERVICE} 3000\n\
                 sentinel parallel-syncs {SERVICE} 1\n",
                d = dir.path().display()
            ),
        )
        .unwrap();
        let mut child = Command::new(server_binary())
            .arg(&conf)
            .arg("--sentinel")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server --sentinel (install redis-sentinel: make deps-redis)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break; // the port was taken: try another
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Proc {
                    child: Some(child),
                    port,
                    _dir: dir,
                };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!(
        "a sentinel could not start; its log: {}",
        std::fs::read_to_string(dir.path().join("sentinel.log")).unwrap_or_default()
    );
}

/// The redis.conf settings (as `--name value` pairs) of a TLS-only node or sentinel with the
/// certificates in `certs` (`make_certificates`): TLS to clients and for replication.
fn tls_settings(certs: &Path) -> Vec<String> {
    let path = |f: &str| certs.join(f).display().to_string();
    [
        ("--tls-cert-file", path("server.pem")),
        ("--tls-key-file", path("server.key")),
        ("--tls-ca-cert-file", path("ca.pem")),
        ("--tls-auth-clients", "no".into()),
        ("--tls-replication", "yes".into()),
    ]
    .into_iter()
    .flat_map(|(k, v)| [k.to_string(), v])
    .collect()
}

/// 1 primary, 1 replica in sync, 3 sentinels that know both and each other; with `tls`
/// (a directory of `make_certificates`), every one of them speaks TLS only.
struct SentinelSet {
    primary: RedisServer,
    replica: RedisServer,
    sentinels: Vec<Proc>,
    tls: Option<tempfile::TempDir>,
}

impl SentinelSet {
    fn start() -> SentinelSet {
        SentinelSet::start_with(None)
    }

    /// Every node and sentinel over TLS, with a CA of its own (`ca()`).
    fn start_tls() -> SentinelSet {
        let certs = tempfile::tempdir().unwrap();
        make_certificates(certs.path());
        SentinelSet::start_with(Some(certs))
    }

    fn start_with(tls: Option<tempfile::TempDir>) -> SentinelSet {
        let certs = tls.as_ref().map(|d| d.path().to_path_buf());
        let node = |port: u16, replica_of: Option<u16>| {
            let mut args = match &certs {
                None => vec!["--port".into(), port.to_string()],
                Some(certs) => {
                    let mut a = vec![
                        "--port".into(),
                        "0".into(),
                        "--tls-port".into(),
                        port.to_string(),
                    ];
                    a.extend(tls_settings(certs));
                    a
                }
            };
            if let Some(primary) = replica_of {
                args.extend([
                    "--replicaof".into(),
                    "127.0.0.1".into(),
                    primary.to_string(),
                ]);
            }
            let scheme = if certs.is_some() { "rediss" } else { "redis" };
            (args, format!("{scheme}://127.0.0.1:{port}"))
        };
        let primary = RedisServer::start_with(|port, _| node(port, None));
        let primary_port = primary.port;
        let replica = RedisServer::start_with(|port, _| node(port, Some(primary_port)));
        let ca = certs.as_ref().map(|c| c.join("ca.pem"));
        let ca = ca.as_deref();
        wait_for("the replica is in sync", Duration::from_secs(10), || {
            query_on::<String>(replica.port, ca, redis::cmd("INFO").arg("replication"))
                .is_ok_and(|i| i.contains("master_link_status:up"))
        });
        let sentinels: Vec<Proc> = (0..3)
            .map(|_| start_sentinel(primary_port, certs.as_deref()))
            .collect();
        for s in &sentinels {
            wait_for(
                "every sentinel knows the replica and the other sentinels",
                Duration::from_secs(20),
                || {
                    let replicas: redis::RedisResult<Vec<redis::Value>> = query_on(
                        s.port,
                        ca,
                        redis::cmd("SENTINEL").arg("replicas").arg(SERVICE),
                    );
                    let others: redis::RedisResult<Vec<redis::Value>> = query_on(
                        s.port,
                        ca,
                        redis::cmd("SENTINEL").arg("sentinels").arg(SERVICE),
                    );
                    replicas.is_ok_and(|r| r.len() == 1) && others.is_ok_and(|o| o.len() == 2)
                },
            );
        }
        SentinelSet {
            primary,
            replica,
            sentinels,
            tls,
        }
    }

    /// The CA the TLS set's certificates are signed by.
    fn ca(&self) -> Option<std::path::PathBuf> {
        self.tls.as_ref().map(|d| d.path().join("ca.pem"))
    }

    fn url(&self, db: Option<u32>) -> String {
        let hosts: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        let db = db.map(|d| format!("/{d}")).unwrap_or_default();
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}+sentinel://{}/{SERVICE}{db}", hosts.join(","))
    }
}

/// The primary's port as the first sentinel that answers names it now.
fn sentinel_primary_port(sentinels: &[Proc]) -> Option<u16> {
    sentinel_primary_port_on(sentinels, None)
}

fn sentinel_primary_port_on(sentinels: &[Proc], ca: Option<&Path>) -> Option<u16> {
    sentinels.iter().find_map(|s| {
        let addr: Option<(String, u16)> = query_on(
            s.port,
            ca,
            redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(SERVICE),
        )
        .ok()?;
        addr.map(|(_, port)| port)
    })
}

fn sentinel_failover_under_load_of_4_machines_x_16_threads() {
    let mut set = SentinelSet::start();
    let emu = emulator();
    let prefix = unique_prefix("sentinel");
    let config = redis_config(&emu, "tpstreams", "sentinel", &set.url(None), &prefix);
    let SentinelSet {
        primary,
        replica,
        sentinels,
        ..
    } = &mut set;
    let outcome = failover_under_load(
        &emu,
        &config,
        "sentinel",
        || primary.stop(),
        || sentinel_primary_port(sentinels) == Some(replica.port),
        |key| pttl(&replica.url, key),
    );
    report("sentinel", &outcome);
}

/// The store finds the primary (not the replica) and uses the URL's database; bad URLs get
/// an `invalid_config` error that names what is wrong, before anything is sent.
fn sentinel_urls_reach_the_primary_and_bad_ones_are_named() {
    let set = SentinelSet::start();
    let emu = emulator();
    let prefix = unique_prefix("sentinel-db");
    let config = redis_config(&emu, "tpstreams", "sentineldb", &set.url(Some(3)), &prefix);
    let c = client(&config);
    let header = c.authorization_header().unwrap();
    let key = entry_key(&prefix, c.cache_key());
    let in_db3: Option<Vec<u8>> = get(&format!("{}/3", set.primary.url), &key);
    let entry = Entry::from_json(&in_db3.expect("the entry in database 3 of the primary")).unwrap();
    assert_eq!(format!("Token {}", entry.token.as_str()), header);
    assert_eq!(get(&set.primary.url, &key), None, "nothing in database 0");
    assert_eq!(emu.login_count("tpstreams", "sentineldb"), 1);
    let sentinel = format!("127.0.0.1:{}", set.sentinels[0].port);
    for (url, says) in [
        (
            format!("redis+sentinel://{sentinel}"),
            "service name is missing",
        ),
        (
            format!("redis+sentinel://{sentinel}/{SERVICE}/x"),
            "database `x`",
        ),
        (
            format!("redis+sentinel://{sentinel},/{SERVICE}"),
            "empty entry",
        ),
        (
            format!("redis+sentinel://127.0.0.1:70000/{SERVICE}"),
            "port `70000`",
        ),
        (
            format!("redis+cluster://{sentinel}/{SERVICE}"),
            "a cluster URL has no path",
        ),
    ] {
        let mut bad = config.clone();
        bad["cache"] = url.clone().into();
        let err = authtoken::Client::from_json(&bad.to_string()).unwrap_err();
        assert_eq!(
            err.kind(),
            authtoken::ErrorKind::InvalidConfig,
            "{url}: {err}"
        );
        assert!(err.message().contains(says), "{url}: {err}");
    }
    // A service the sentinels do not watch: a store error that says so, and no login.
    let mut unknown = redis_config(&emu, "tpstreams", "nosvc", &set.url(None), &prefix);
    unknown["cache"] = format!("redis+sentinel://{sentinel}/not-watched").into();
    unknown["connect_timeout_ms"] = 300.into();
    let err = client(&unknown).authorization_header().unwrap_err();
    assert_eq!(err.kind(), authtoken::ErrorKind::Store, "{err}");
    assert!(err.message().contains("redis+sentinel://"), "{err}");
    assert!(err.message().to_lowercase().contains("master"), "{err}");
    assert_eq!(emu.login_attempts("tpstreams", "nosvc"), 0);
}

/// `rediss+sentinel://`: TLS to the sentinels and to the nodes, trusting `ca_file`. Without
/// the CA: a store error about the certificate, and no login. With it: the entry on the
/// primary; after the primary is SIGKILLed and the replica promoted, a fresh process finds
/// the new primary over TLS and reads the token without logging in.
fn tls_sentinel_finds_the_primary_and_follows_a_failover() {
    let mut set = SentinelSet::start_tls();
    let ca = set.ca().unwrap();
    let emu = emulator();
    let prefix = unique_prefix("sentinel-tls");
    let mut config = redis_config(&emu, "tpstreams", "sentineltls", &set.url(None), &prefix);
    assert!(set.url(None).starts_with("rediss+sentinel://"));
    config["connect_timeout_ms"] = 500.into();
    let err = client(&config).authorization_header().unwrap_err();
    assert_eq!(err.kind(), authtoken::ErrorKind::Store, "{err}");
    assert!(
        err.message().to_ascii_lowercase().contains("certificate"),
        "{err}"
    );
    assert_eq!(emu.login_attempts("tpstreams", "sentineltls"), 0);

    config["ca_file"] = ca.display().to_string().into();
    let c = client(&config);
    let header = c.authorization_header().unwrap();
    let key = entry_key(&prefix, c.cache_key());
    let on_primary: Option<String> =
        query_on(set.primary.port, Some(&ca), redis::cmd("GET").arg(&key)).unwrap();
    let entry = Entry::from_json(on_primary.expect("the entry on the primary").as_bytes()).unwrap();
    assert_eq!(format!("Token {}", entry.token.as_str()), header);
    wait_for(
        "the entry reaches the replica",
        Duration::from_secs(5),
        || {
            query_on::<Option<String>>(set.replica.port, Some(&ca), redis::cmd("GET").arg(&key))
                .is_ok_and(|v| v.is_some())
        },
    );

    set.primary.stop();
    let replica_port = set.replica.port;
    wait_for(
        "a sentinel promotes the replica",
        Duration::from_secs(30),
        || sentinel_primary_port_on(&set.sentinels, Some(&ca)) == Some(replica_port),
    );
    let mut fresh = child("agent", &config);
    assert_eq!(fresh.ok("header"), header, "the token from the new primary");
    assert_eq!(emu.login_count("tpstreams", "sentineltls"), 1);
}

// ---------------------------------------------------------------------------------------
// Cluster

/// 3 primaries and 3 replicas, `cluster-node-timeout` 500 ms.
struct ClusterSet {
    nodes: Vec<RedisServer>,
}

impl ClusterSet {
    fn start() -> ClusterSet {
        let nodes: Vec<RedisServer> = (0..6)
            .map(|_| {
                RedisServer::start_with(|port, _| {
                    (
                        [
                            "--port",
                            &port.to_string(),
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            "nodes.conf",
                            "--cluster-node-timeout",
                            "500",
                        ]
                        .map(String::from)
                        .to_vec(),
                        format!("redis://127.0.0.1:{port}"),
                    )
                })
            })
            .collect();
        let mut create = Command::new("redis-cli");
        create.args(["--cluster", "create"]);
        for n in &nodes {
            create.arg(format!("127.0.0.1:{}", n.port));
        }
        let out = create
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create (install redis-tools: make deps-redis)");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let set = ClusterSet { nodes };
        for n in &set.nodes {
            wait_for(
                "every node sees 3 slot ranges, each with a replica",
                Duration::from_secs(20),
                || {
                    query::<Vec<Vec<redis::Value>>>(n.port, redis::cmd("CLUSTER").arg("SLOTS"))
                        .is_ok_and(|r| r.len() == 3 && r.iter().all(|r| r.len() >= 4))
                },
            );
            wait_for(
                "every node says cluster_state:ok",
                Duration::from_secs(20),
                || {
                    query::<String>(n.port, redis::cmd("CLUSTER").arg("INFO"))
                        .is_ok_and(|i| i.contains("cluster_state:ok"))
                },
            );
            wait_for("every replica is in sync", Duration::from_secs(20), || {
                query::<String>(n.port, redis::cmd("INFO").arg("replication"))
                    .is_ok_and(|i| i.contains("role:master") || i.contains("master_link_status:up"))
            });
        }
        set
    }

    fn url(&self) -> String {
        let seeds: Vec<String> = self.nodes[..3]
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis+cluster://{}", seeds.join(","))
    }
}

/// The ports of the primary and the replicas serving `key`'s slot, as node `ask` sees it.
fn cluster_owners(ask: u16, key: &str) -> Option<Vec<u16>> {
    {
        let slot: i64 = query(ask, redis::cmd("CLUSTER").arg("KEYSLOT").arg(key)).ok()?;
        let ranges: Vec<Vec<redis::Value>> = query(ask, redis::cmd("CLUSTER").arg("SLOTS")).ok()?;
        ranges.into_iter().find_map(|r| {
            let start: i64 = redis::from_redis_value(r[0].clone()).ok()?;
            let end: i64 = redis::from_redis_value(r[1].clone()).ok()?;
            (start..=end).contains(&slot).then(|| {
                r[2..]
                    .iter()
                    .filter_map(|n| {
                        let n: Vec<redis::Value> = redis::from_redis_value(n.clone()).ok()?;
                        redis::from_redis_value(n.get(1)?.clone()).ok()
                    })
                    .collect()
            })
        })
    }
}

fn cluster_failover_under_load_of_4_machines_x_16_threads() {
    let mut set = ClusterSet::start();
    let emu = emulator();
    let prefix = unique_prefix("cluster");
    let config = redis_config(&emu, "tpstreams", "cluster", &set.url(), &prefix);
    let store = RedisStore::for_config(&authtoken::Config::from_json(&config.to_string()).unwrap())
        .unwrap();
    let key = cache_key(&config);
    let (entry, lock) = (store.entry_key(&key), store.lock_key(&key));
    assert!(
        entry.ends_with(&format!("token:{{{}}}", key.id()))
            && lock.ends_with(&format!("lock:{{{}}}", key.id())),
        "cluster keys carry the identity as a hash tag: {entry} {lock}"
    );
    let first = set.nodes[0].port;
    let owners = cluster_owners(first, &entry).expect("the slot's owners");
    assert_eq!(
        cluster_owners(first, &lock),
        Some(owners.clone()),
        "the entry and its lock share a slot"
    );
    let refusal = store.refusal_key(&key);
    assert!(
        refusal.ends_with(&format!("refusal:{{{}}}", key.id())),
        "{refusal}"
    );
    assert_eq!(
        cluster_owners(first, &refusal),
        Some(owners.clone()),
        "the refusal record shares the slot too"
    );
    // A wrong password on the cluster: remembered there for every client of the identity.
    let mut wrong = redis_config(&emu, "tpstreams", "clusterwrong", &set.url(), &prefix);
    wrong["password"] = "wrong-password-123".into();
    let first_err = client(&wrong).authorization_header().unwrap_err();
    assert_eq!(
        first_err.kind(),
        authtoken::ErrorKind::InvalidCredentials,
        "{first_err}"
    );
    let other = client(&wrong);
    let again = other.authorization_header().unwrap_err();
    assert!(again.message().contains("remembered"), "{again}");
    assert!(
        other.login_refusal().unwrap().is_some(),
        "the record is in the cluster"
    );
    assert_eq!(emu.login_attempts("tpstreams", "clusterwrong"), 1);
    let (primary, replica) = (owners[0], owners[1]);
    let witness = set
        .nodes
        .iter()
        .map(|n| n.port)
        .find(|p| *p != primary && *p != replica)
        .unwrap();
    let node_urls: Vec<String> = set.nodes.iter().map(|n| n.url.clone()).collect();
    let cluster_pttl = |k: &str| -> i64 {
        let client = redis::cluster::ClusterClient::new(
            node_urls
                .iter()
                .filter(|u| !u.ends_with(&format!(":{primary}")))
                .cloned()
                .collect::<Vec<_>>(),
        )
        .unwrap();
        redis::cmd("PTTL")
            .arg(k)
            .query(&mut client.get_connection().unwrap())
            .unwrap()
    };
    let victim = set.nodes.iter_mut().find(|n| n.port == primary).unwrap();
    let outcome = failover_under_load(
        &emu,
        &config,
        "cluster",
        || victim.stop(),
        || {
            cluster_owners(witness, &entry).is_some_and(|o| o.first() == Some(&replica))
                && query::<String>(witness, redis::cmd("CLUSTER").arg("INFO"))
                    .is_ok_and(|i| i.contains("cluster_state:ok"))
        },
        cluster_pttl,
    );
    report("cluster", &outcome);
}
