//! A fleet of machines sharing tokens through Redis. Each "machine" is a child process (this
//! test executable run again, its role in `AUTHTOKEN_TEST_CHILD`) with a file cache directory
//! of its own (`AUTHTOKEN_CACHE_DIR`), so the only thing machines share is the Redis server;
//! they reach the parent's in-process emulator by URL.
//!
//! Children:
//! * `storm`: one client, N threads; prints `ready`, waits for a line on stdin, then every
//!   thread asks for the header at once and prints it (`ok <header>` or `err <kind> <message>`).
//! * `agent`: one client; prints `ready`, then answers one line per command on stdin:
//!   `header`, `get <path>`, `logout`, `cached`. With `AUTHTOKEN_TEST_LOCK_TTL_MS` its Redis
//!   store uses that lock TTL.
//!
//! Needs `AUTHTOKEN_REDIS_URL` (`make test-redis`); the outage tests start private servers.

mod children;
#[macro_use]
mod redis_support;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use authtoken::store::{Entry, RedisOptions, RedisStore};
use authtoken::{Client, Config};
use authtoken_emulator::{Emulator, Fault};
use children::{reply, Agent};
use redis_support::*;
use serde_json::{json, Value};

const CHILD: &str = "AUTHTOKEN_TEST_CHILD";
const CONFIG: &str = "AUTHTOKEN_TEST_CONFIG";
const THREADS: &str = "AUTHTOKEN_TEST_THREADS";
const LOCK_TTL_MS: &str = "AUTHTOKEN_TEST_LOCK_TTL_MS";

fn main() {
    if let Ok(role) = std::env::var(CHILD) {
        match role.as_str() {
            "storm" => child_storm(),
            "agent" => child_agent(),
            "forker" => child_forker(),
            other => panic!("unknown child role {other}"),
        }
        return;
    }
    run_tests(tests![
        cold_fleet_of_4_machines_x_16_threads_makes_one_login,
        cold_fleet_with_fallback_makes_one_login_and_writes_every_machines_file,
        a_lock_holder_killed_with_sigkill_lets_the_others_through_after_its_ttl,
        a_slow_login_keeps_its_lock_renewed_so_others_wait,
        redis_stopped_mid_run_and_restarted,
        redis_stopped_mid_run_with_fallback,
        logout_is_seen_by_every_machine,
        a_401_on_every_machine_makes_one_new_login,
        a_forked_child_never_uses_its_parents_connection,
        a_wrong_password_on_4_machines_x_16_threads_makes_one_attempt,
    ]);
}

// ---------------------------------------------------------------------------------------
// Children

fn child_client() -> Result<Client, authtoken::Error> {
    let json = std::env::var(CONFIG).expect("config");
    match std::env::var(LOCK_TTL_MS) {
        Ok(ms) => {
            let config = Config::from_json(&json)?;
            let options = RedisOptions {
                lock_ttl: Duration::from_millis(ms.parse().expect("milliseconds")),
                ..RedisOptions::for_config(&config)?
            };
            let authtoken::CacheSetting::Redis(url) = config.cache().clone() else {
                panic!("a Redis config");
            };
            let store = RedisStore::open(&url, options)?;
            Client::with_store(config, Arc::new(store))
        }
        Err(_) => Client::from_json(&json),
    }
}

fn child_storm() {
    let threads: usize = std::env::var(THREADS).unwrap().parse().unwrap();
    children::storm(&child_client().expect("client"), threads);
}

fn child_agent() {
    let client = match child_client() {
        Ok(c) => c,
        Err(e) => {
            println!("{}", reply(Err(e)));
            return;
        }
    };
    println!("ready");
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let (command, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let answer = match command {
            "header" => client.authorization_header(),
            "get" => client.get(arg).map(|r| r.status().to_string()),
            "logout" => client.logout().map(|()| "done".into()),
            "cached" => client
                .cached_token()
                .map(|t| t.map_or("none".into(), |t| t.header_value().to_string())),
            other => panic!("unknown command {other}"),
        };
        println!("{}", reply(answer));
    }
}

/// Gets the header (the store's pool keeps its connection), prints `ready`, waits for a
/// line, forks a child that forgets the token (a Redis DEL) and exits, and prints `forked`.
fn child_forker() {
    let client = child_client().expect("client");
    client.authorization_header().expect("header");
    println!("ready");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    // SAFETY: the child only runs the store's DEL (no thread, no lock another thread could
    // hold: the pool's mutex is free between calls) and leaves with _exit, running no
    // destructor or atexit handler of the parent's state.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = i32::from(client.forget().is_err());
        // SAFETY: ends the forked child at once, as fork(2) recommends.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for the child forked above; `status` is a valid out pointer.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed"
    );
    println!("forked");
}

// ---------------------------------------------------------------------------------------
// Parent side

/// One simulated machine: its own file cache directory.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        Machine {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn cache_dir(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    /// A child process of `role` on this machine.
    fn command(&self, role: &str, config: &Value) -> Command {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.env(CHILD, role)
            .env(CONFIG, config.to_string())
            .env("AUTHTOKEN_CACHE_DIR", self.cache_dir())
            .env_remove(LOCK_TTL_MS)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        cmd
    }

    fn agent(&self, config: &Value) -> Agent {
        Agent::start_ready(self.command("agent", config))
    }

    /// The token this machine's file store holds for `config`'s identity, if any.
    fn file_token(&self, config: &Value) -> Option<String> {
        let path = self
            .cache_dir()
            .join(format!("{}.json", cache_key(config).id()));
        let bytes = std::fs::read(path).ok()?;
        Some(
            Entry::from_json(&bytes)
                .expect("a valid entry")
                .token
                .to_string(),
        )
    }

    fn files(&self) -> usize {
        std::fs::read_dir(self.cache_dir())
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

/// Sends `line` to every agent at once, then collects the `ok` values.
fn ask_all(agents: &mut [Agent], line: &str) -> Vec<String> {
    for a in agents.iter_mut() {
        a.send(line);
    }
    agents
        .iter_mut()
        .map(|a| {
            let answer = a.read_line();
            answer
                .strip_prefix("ok ")
                .unwrap_or_else(|| panic!("`{line}` failed in a child: {answer}"))
                .to_string()
        })
        .collect()
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn token_of(header: &str) -> &str {
    header.split_once(' ').expect("scheme and token").1
}

// ---------------------------------------------------------------------------------------
// Tests

const MACHINES: usize = 4;
const THREADS_EACH: usize = 16;

/// 4 machines x 16 threads ask for the header at once, cold: the headers they got.
fn cold_fleet(emu: &Emulator, config: &Value, machines: &[Machine]) -> Vec<String> {
    // A slow login keeps it in flight while every machine and thread arrives.
    emu.inject(Fault::delay(300).service("tpstreams").path("login"));
    let mut storms: Vec<Agent> = machines
        .iter()
        .map(|m| {
            let mut cmd = m.command("storm", config);
            cmd.env(THREADS, THREADS_EACH.to_string());
            Agent::start_ready(cmd)
        })
        .collect();
    // Every process is up, its client made and its threads waiting: start them all.
    for s in &mut storms {
        s.send("go");
    }
    let mut headers = Vec::new();
    for s in &mut storms {
        for _ in 0..THREADS_EACH {
            let line = s.read_line();
            headers.push(
                line.strip_prefix("ok ")
                    .unwrap_or_else(|| panic!("a caller failed: {line}"))
                    .to_string(),
            );
        }
    }
    headers
}

fn cold_fleet_of_4_machines_x_16_threads_makes_one_login() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("fleet"));
    let config = redis_config(&emu, "tpstreams", "fleet", &url, &prefix);
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let headers = cold_fleet(&emu, &config, &machines);
    assert_eq!(headers.len(), 64);
    assert!(
        headers.iter().all(|h| h == &headers[0]),
        "all 64 callers share one token"
    );
    assert_eq!(
        emu.login_count("tpstreams", "fleet"),
        1,
        "one login for 64 cold callers on 4 machines"
    );
    assert_eq!(emu.login_attempts("tpstreams", "fleet"), 1);
    assert_eq!(echo_status(&emu, "tpstreams", &headers[0]), 200);
    let entry =
        Entry::from_json(&get(&url, &entry_key(&prefix, &cache_key(&config))).unwrap()).unwrap();
    assert_eq!(entry.token.as_str(), token_of(&headers[0]));
    for m in &machines {
        assert_eq!(
            m.files(),
            0,
            "without redis_fallback nothing is written on the machines"
        );
    }
}

fn cold_fleet_with_fallback_makes_one_login_and_writes_every_machines_file() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("fleetfb"));
    let mut config = redis_config(&emu, "tpstreams", "fleetfb", &url, &prefix);
    config["redis_fallback"] = json!(true);
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let headers = cold_fleet(&emu, &config, &machines);
    assert!(
        headers.iter().all(|h| h == &headers[0]),
        "all 64 callers share one token"
    );
    assert_eq!(
        emu.login_count("tpstreams", "fleetfb"),
        1,
        "one login for 64 cold callers on 4 machines"
    );
    // Every machine keeps a copy in its own file store, to carry on with should Redis go down.
    for m in &machines {
        assert_eq!(
            m.file_token(&config).as_deref(),
            Some(token_of(&headers[0]))
        );
    }
}

fn a_lock_holder_killed_with_sigkill_lets_the_others_through_after_its_ttl() {
    let emu = emulator();
    // The first login hangs for a minute: its process holds the login lock all that time.
    emu.inject(Fault::delay(60_000).service("tpstreams").path("login"));
    let (url, prefix) = (shared_url(), unique_prefix("killed"));
    let mut config = redis_config(&emu, "tpstreams", "killed", &url, &prefix);
    // Lock TTL = timeout_ms + 2 s = 5 s.
    config["timeout_ms"] = json!(3000);
    config["lock_timeout_ms"] = json!(30_000);
    let lock = lock_key(&prefix, &cache_key(&config));
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let mut holder = machines[0].agent(&config);
    holder.send("header");
    wait_until("the holder takes the lock", Duration::from_secs(10), || {
        pttl(&url, &lock) > 0
    });
    let value = String::from_utf8(get(&url, &lock).unwrap()).unwrap();
    assert!(
        value.contains(&format!(":{}:", holder.pid())),
        "held by the holder: {value}"
    );
    std::thread::sleep(Duration::from_millis(500));
    holder.kill();
    let killed_at = Instant::now();
    let left = pttl(&url, &lock);
    assert!(left > 0, "the dead holder's lock outlives it");

    let mut others: Vec<Agent> = machines[1..].iter().map(|m| m.agent(&config)).collect();
    let headers = ask_all(&mut others, "header");
    let waited = killed_at.elapsed();
    assert!(
        headers.iter().all(|h| h == &headers[0]),
        "the others share one token"
    );
    assert!(
        waited >= Duration::from_millis(left as u64).saturating_sub(Duration::from_millis(200)),
        "they waited for the TTL ({left} ms left at the kill), waited {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(10),
        "and went on once it passed: {waited:?}"
    );
    assert_eq!(
        emu.login_count("tpstreams", "killed"),
        1,
        "one login by the survivors"
    );
    assert_eq!(echo_status(&emu, "tpstreams", &headers[0]), 200);
}

fn a_slow_login_keeps_its_lock_renewed_so_others_wait() {
    let emu = emulator();
    // A login that takes 3 s, almost four times the 800 ms lock TTL.
    emu.inject(Fault::delay(3000).service("tpstreams").path("login"));
    let (url, prefix) = (shared_url(), unique_prefix("slow"));
    let config = redis_config(&emu, "tpstreams", "slow", &url, &prefix);
    let lock = lock_key(&prefix, &cache_key(&config));
    let (m1, m2) = (Machine::new(), Machine::new());
    let short_ttl = |m: &Machine| {
        let mut cmd = m.command("agent", &config);
        cmd.env(LOCK_TTL_MS, "800");
        Agent::start_ready(cmd)
    };
    let mut slow = short_ttl(&m1);
    let mut other = short_ttl(&m2);
    slow.send("header");
    wait_until(
        "the slow machine takes the lock",
        Duration::from_secs(10),
        || pttl(&url, &lock) > 0,
    );
    other.send("header");
    std::thread::sleep(Duration::from_millis(1600));
    let ttl = pttl(&url, &lock);
    assert!(
        ttl > 0 && ttl <= 800,
        "still held, renewed to its 800 ms TTL: {ttl}"
    );
    let a = slow.read_line();
    let b = other.read_line();
    assert!(a.starts_with("ok "), "{a}");
    assert_eq!(a, b, "the waiting machine used the slow machine's token");
    assert_eq!(
        emu.login_count("tpstreams", "slow"),
        1,
        "without renewal the other would have logged in too"
    );
}

fn redis_stopped_mid_run_and_restarted() {
    let mut server = RedisServer::start();
    let emu = emulator();
    let config = redis_config(&emu, "tpstreams", "outage", &server.url, "authtoken:");
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let mut a = machines[0].agent(&config);
    let mut b = machines[1].agent(&config);
    let first = a.ok("header");
    assert_eq!(b.ok("header"), first);
    assert_eq!(emu.login_count("tpstreams", "outage"), 1);

    server.stop();
    // Warm processes do not need Redis.
    assert_eq!(a.ok("header"), first);
    assert_eq!(a.ok("get /api/echo/"), "200");
    // A cold one cannot share, so it stops with a clear error rather than log in alone.
    let mut c = machines[2].agent(&config);
    let answer = c.ask("header");
    assert!(answer.starts_with("err store "), "{answer}");
    assert!(
        answer.contains(&format!("redis://127.0.0.1:{}", server.port)),
        "{answer}"
    );
    assert!(answer.contains("unreachable"), "{answer}");
    assert_eq!(emu.login_attempts("tpstreams", "outage"), 1);

    server.restart();
    // Without persistence the restarted server is empty: one new login, shared again.
    let second = c.ok("header");
    assert_ne!(second, first);
    let mut d = machines[3].agent(&config);
    assert_eq!(d.ok("header"), second);
    assert_eq!(emu.login_count("tpstreams", "outage"), 2);
    // A's connection died with the old server; its 401 goes through a new one and finds the
    // shared token instead of logging in.
    let status = raw_logout_status(&emu, token_of(&first));
    assert_eq!(status, 204);
    assert_eq!(a.ok("get /api/echo/"), "200");
    assert_eq!(a.ok("header"), second);
    assert_eq!(emu.login_count("tpstreams", "outage"), 2);
}

fn redis_stopped_mid_run_with_fallback() {
    let mut server = RedisServer::start();
    let emu = emulator();
    let mut config = redis_config(&emu, "tpstreams", "outagefb", &server.url, "authtoken:");
    config["redis_fallback"] = json!(true);
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let mut a = machines[0].agent(&config);
    let first = a.ok("header");
    assert_eq!(
        machines[0].file_token(&config).as_deref(),
        Some(token_of(&first)),
        "written through"
    );

    server.stop();
    // A cold process on the same machine finds the token in the machine's file store.
    let mut a2 = machines[0].agent(&config);
    assert_eq!(a2.ok("header"), first);
    assert_eq!(emu.login_count("tpstreams", "outagefb"), 1);
    // A cold machine logs in on its own: the documented cost of the fallback.
    let mut b = machines[1].agent(&config);
    let own = b.ok("header");
    assert_ne!(own, first);
    assert_eq!(emu.login_count("tpstreams", "outagefb"), 2);
    assert_eq!(
        machines[1].file_token(&config).as_deref(),
        Some(token_of(&own))
    );

    server.restart();
    // Back to one token for the fleet: two cold machines, one login.
    let mut c = machines[2].agent(&config);
    let mut d = machines[3].agent(&config);
    let shared = c.ok("header");
    assert_eq!(d.ok("header"), shared);
    assert_eq!(emu.login_count("tpstreams", "outagefb"), 3);
}

/// Revokes one TPStreams token as another program logging out would: the status.
fn raw_logout_status(emu: &Emulator, token: &str) -> u16 {
    reqwest::blocking::Client::new()
        .post(format!("{}/api/auth/logout/", emu.base_url("tpstreams")))
        .header("Authorization", format!("Token {token}"))
        .send()
        .expect("raw logout")
        .status()
        .as_u16()
}

fn logout_is_seen_by_every_machine() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("logout"));
    let config = redis_config(&emu, "tpstreams", "logout", &url, &prefix);
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let mut warm: Vec<Agent> = machines.iter().map(|m| m.agent(&config)).collect();
    let headers = ask_all(&mut warm, "header");
    let token = headers[0].clone();
    assert!(headers.iter().all(|h| *h == token));
    assert_eq!(emu.login_count("tpstreams", "logout"), 1);

    assert_eq!(warm[0].ok("logout"), "done");
    assert_eq!(emu.logout_count("tpstreams", "logout"), 1);
    assert_eq!(
        echo_status(&emu, "tpstreams", &token),
        401,
        "revoked on the server"
    );
    assert_eq!(
        get(&url, &entry_key(&prefix, &cache_key(&config))),
        None,
        "gone from Redis"
    );
    // A new process on any machine finds nothing to reuse.
    for m in &machines[1..] {
        assert_eq!(m.agent(&config).ok("cached"), "none");
    }
    // Processes still holding the revoked token in memory get a 401 on their next request,
    // and between them log in once.
    let statuses = ask_all(&mut warm[1..], "get /api/echo/");
    assert!(statuses.iter().all(|s| s == "200"), "{statuses:?}");
    let fresh = ask_all(&mut warm[1..], "header");
    assert!(
        fresh.iter().all(|h| *h == fresh[0] && *h != token),
        "{fresh:?}"
    );
    assert_eq!(
        emu.login_count("tpstreams", "logout"),
        2,
        "one login for the three machines"
    );
    assert_eq!(
        warm[0].ok("header"),
        fresh[0],
        "and the machine that logged out shares it"
    );
    assert_eq!(emu.login_count("tpstreams", "logout"), 2);
}

fn a_401_on_every_machine_makes_one_new_login() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("revoked"));
    let config = redis_config(&emu, "tpstreams", "revoked", &url, &prefix);
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let mut agents: Vec<Agent> = machines.iter().map(|m| m.agent(&config)).collect();
    let first = ask_all(&mut agents, "header");
    assert_eq!(emu.login_count("tpstreams", "revoked"), 1);

    // One machine after another: the first logs in again; each later one sees its own 401
    // with the old token, must not delete the new one from Redis, and uses it.
    emu.revoke_all("tpstreams", Some("revoked"));
    for a in agents.iter_mut() {
        assert_eq!(a.ok("get /api/echo/"), "200");
    }
    let second = ask_all(&mut agents, "header");
    assert!(
        second.iter().all(|h| *h == second[0] && *h != first[0]),
        "{second:?}"
    );
    assert_eq!(
        emu.login_count("tpstreams", "revoked"),
        2,
        "compare-and-delete: 4 machines seeing the same 401 make one new login"
    );

    // All at once: single-flight across machines.
    emu.revoke_all("tpstreams", Some("revoked"));
    let statuses = ask_all(&mut agents, "get /api/echo/");
    assert!(statuses.iter().all(|s| s == "200"), "{statuses:?}");
    let third = ask_all(&mut agents, "header");
    assert!(
        third.iter().all(|h| *h == third[0] && *h != second[0]),
        "{third:?}"
    );
    assert_eq!(emu.login_count("tpstreams", "revoked"), 3);
}

/// Connections the server has accepted so far (this query's own included).
fn connections_received(url: &str) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query(&mut redis_conn(url))
        .expect("INFO");
    info.lines()
        .find_map(|l| l.strip_prefix("total_connections_received:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("total_connections_received")
}

fn a_forked_child_never_uses_its_parents_connection() {
    let server = RedisServer::start();
    let emu = emulator();
    let config = redis_config(&emu, "tpstreams", "forked", &server.url, "authtoken:");
    let mut forker = Agent::start_ready(Machine::new().command("forker", &config));
    let before = connections_received(&server.url);
    assert_eq!(forker.ask("fork"), "forked");
    let after = connections_received(&server.url);
    // One for the child (its own connection, not the inherited one), one for this query.
    assert_eq!(after - before, 2, "the forked child connected on its own");
    assert_eq!(
        get(&server.url, &entry_key("authtoken:", &cache_key(&config))),
        None,
        "and its DEL reached Redis"
    );
}

/// The login cool-off through Redis: a refused login is remembered under
/// `<prefix>refusal:<id>` with an expiry at its end, so 64 callers on 4 machines make one
/// attempt, and the corrected password logs in at once on any machine.
fn a_wrong_password_on_4_machines_x_16_threads_makes_one_attempt() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("cooloff"));
    let good = redis_config(&emu, "tpstreams", "cooloff", &url, &prefix);
    let mut wrong = good.clone();
    wrong["password"] = json!("wrong-password-123");
    let machines: Vec<Machine> = (0..MACHINES).map(|_| Machine::new()).collect();
    let mut storms: Vec<Agent> = machines
        .iter()
        .map(|m| {
            let mut cmd = m.command("storm", &wrong);
            cmd.env(THREADS, THREADS_EACH.to_string());
            Agent::start_ready(cmd)
        })
        .collect();
    for s in &mut storms {
        s.send("go");
    }
    for s in &mut storms {
        for _ in 0..THREADS_EACH {
            let line = s.read_line();
            assert!(line.starts_with("err invalid_credentials "), "{line}");
            assert!(
                line.contains("Unable to log in with provided credentials."),
                "{line}"
            );
            assert!(!line.contains("wrong-password-123"), "{line}");
        }
    }
    assert_eq!(
        emu.login_attempts("tpstreams", "cooloff"),
        1,
        "one attempt for 64 callers on 4 machines"
    );
    let refusal_key = format!("{prefix}refusal:{}", cache_key(&good).id());
    let record =
        String::from_utf8(get(&url, &refusal_key).expect("the refusal is in Redis")).unwrap();
    assert!(!record.contains("wrong-password-123"), "{record}");
    let left = pttl(&url, &refusal_key);
    // The record keeps whole seconds, its end rounded up: at most 1 s over the cool-off.
    assert!(
        (1..=61_000).contains(&left),
        "the record expires with the cool-off ({left} ms)"
    );

    let mut fixed = machines[3].agent(&good);
    let header = fixed.ask("header");
    assert!(header.starts_with("ok Token "), "{header}");
    assert_eq!(emu.login_attempts("tpstreams", "cooloff"), 2);
    assert_eq!(emu.login_count("tpstreams", "cooloff"), 1);
}
