//! The file token store across real processes: this test executable re-runs itself as the
//! child processes (the role is in `AUTHTOKEN_TEST_CHILD`), which reach the in-process
//! emulator of the parent test by URL.
//!
//! Children:
//! * `storm`: one client, N threads; prints `ready`, waits for a line on stdin, then every
//!   thread asks for the header at once and prints it.
//! * `agent`: one client; prints `ready` (or `err <kind> <message>` when the client cannot be
//!   made), then answers commands on stdin, one line each: `header`, `get <path>`, `logout`,
//!   `cached`, `store`.
//! * `saver`: saves entries of a recognisable shape in a loop until killed.

mod children;
mod file_store_support;

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use authtoken::store::{CacheKey, Entry, FileStore, TokenStore};
use authtoken::Client;
use authtoken_emulator::{Emulator, Fault};
use children::{reply, Agent};
use file_store_support::*;
use libtest_mimic::{Arguments, Trial};
use serde_json::{json, Value};

const CHILD: &str = "AUTHTOKEN_TEST_CHILD";
const CONFIG: &str = "AUTHTOKEN_TEST_CONFIG";
const THREADS: &str = "AUTHTOKEN_TEST_THREADS";
const DIR: &str = "AUTHTOKEN_TEST_DIR";
const START: &str = "AUTHTOKEN_TEST_START";

fn main() {
    if let Ok(role) = std::env::var(CHILD) {
        match role.as_str() {
            "storm" => child_storm(),
            "agent" => child_agent(),
            "saver" => child_saver(),
            other => panic!("unknown child role {other}"),
        }
        return;
    }
    let tests: Vec<(&str, fn())> = vec![
        (
            "storm_of_8_processes_x_16_threads_cold_makes_one_login",
            storm_of_8_processes_x_16_threads_cold_makes_one_login,
        ),
        (
            "a_lock_holder_killed_with_sigkill_does_not_wedge_the_others",
            a_lock_holder_killed_with_sigkill_does_not_wedge_the_others,
        ),
        (
            "a_writer_killed_mid_write_never_leaves_a_torn_entry",
            a_writer_killed_mid_write_never_leaves_a_torn_entry,
        ),
        (
            "logout_in_one_process_is_seen_by_the_others",
            logout_in_one_process_is_seen_by_the_others,
        ),
        (
            "an_expiry_refresh_by_one_process_is_used_by_another",
            an_expiry_refresh_by_one_process_is_used_by_another,
        ),
        (
            "a_relogin_after_401_in_one_process_is_reused_by_another",
            a_relogin_after_401_in_one_process_is_reused_by_another,
        ),
        (
            "a_read_only_cache_directory_is_a_clear_error",
            a_read_only_cache_directory_is_a_clear_error,
        ),
        (
            "the_cache_directory_follows_the_key_then_the_environment",
            the_cache_directory_follows_the_key_then_the_environment,
        ),
    ];
    let trials = tests
        .into_iter()
        .map(|(name, f)| {
            Trial::test(name, move || {
                f();
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

// ---------------------------------------------------------------------------------------
// Children

fn child_client() -> Result<Client, authtoken::Error> {
    Client::from_json(&std::env::var(CONFIG).expect("config"))
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
            "store" => Ok(client.store_description()),
            "cached" => client
                .cached_token()
                .map(|t| t.map_or("none".into(), |t| t.header_value().to_string())),
            other => panic!("unknown command {other}"),
        };
        println!("{}", reply(answer));
    }
}

/// A token whose every byte can be checked: `<i, 10 digits>-` then 12000 times one letter.
fn saver_token(i: u64) -> String {
    let letter = (b'a' + (i % 26) as u8) as char;
    format!("{i:010}-{}", letter.to_string().repeat(12_000))
}

fn saver_token_is_whole(token: &str) -> bool {
    let Some((n, rest)) = token.split_once('-') else {
        return false;
    };
    let Ok(i) = n.parse::<u64>() else {
        return false;
    };
    token == saver_token(i) && rest.len() == 12_000
}

fn saver_key() -> CacheKey {
    CacheKey {
        provider: "tpstreams".into(),
        base_url: "http://127.0.0.1:9/tpstreams".into(),
        username: "saver".into(),
        organization: Some("org-saver".into()),
    }
}

fn child_saver() {
    let store = FileStore::open(std::env::var(DIR).unwrap(), Duration::from_secs(5)).unwrap();
    let key = saver_key();
    let start: u64 = std::env::var(START).unwrap().parse().unwrap();
    for i in start.. {
        store.save(&key, &entry(&key, &saver_token(i))).unwrap();
        if i == start {
            println!("saved");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parent side

fn child_command(role: &str) -> Command {
    child_command_at(&std::env::current_exe().unwrap(), role)
}

fn child_command_at(exe: &Path, role: &str) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env(CHILD, role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    cmd
}

/// A child agent for `config`, checked to be ready.
fn spawn_agent(config: &Value) -> Agent {
    let mut cmd = child_command("agent");
    cmd.env(CONFIG, config.to_string());
    Agent::start_ready(cmd)
}

fn echo_status(emu: &Emulator, service: &str, header: &str) -> u16 {
    raw_get(&format!("{}/api/echo/", emu.base_url(service)), header)
}

// ---------------------------------------------------------------------------------------
// Tests

fn storm_of_8_processes_x_16_threads_cold_makes_one_login() {
    const PROCESSES: usize = 8;
    const THREADS_EACH: usize = 16;
    let emu = emulator();
    // A slow login keeps it in flight while every process and thread arrives.
    emu.inject(Fault::delay(300).service("tpstreams").path("login"));
    let scratch = Scratch::new();
    let config = file_config(&emu, "tpstreams", "storm", &scratch.cache_dir());
    let mut children: Vec<Agent> = (0..PROCESSES)
        .map(|_| {
            let mut cmd = child_command("storm");
            cmd.env(CONFIG, config.to_string())
                .env(THREADS, THREADS_EACH.to_string());
            let (agent, first) = Agent::start(cmd);
            assert_eq!(first, "ready");
            agent
        })
        .collect();
    // Every process is up, its client made and its threads waiting: start them all.
    for child in &mut children {
        child.send("go");
    }
    let mut headers = Vec::new();
    for child in &mut children {
        for _ in 0..THREADS_EACH {
            let line = child.read_line();
            headers.push(
                line.strip_prefix("ok ")
                    .unwrap_or_else(|| panic!("a caller failed: {line}"))
                    .to_string(),
            );
        }
    }
    assert_eq!(headers.len(), PROCESSES * THREADS_EACH);
    assert!(
        headers.iter().all(|h| h == &headers[0]),
        "all 128 callers share one token"
    );
    assert_eq!(
        emu.login_count("tpstreams", "storm"),
        1,
        "one login for 128 cold callers in 8 processes"
    );
    assert_eq!(emu.login_attempts("tpstreams", "storm"), 1);
    assert_eq!(echo_status(&emu, "tpstreams", &headers[0]), 200);
}

fn a_lock_holder_killed_with_sigkill_does_not_wedge_the_others() {
    let emu = emulator();
    // The first login hangs for a minute: its process holds the login lock all that time.
    emu.inject(Fault::delay(60_000).service("tpstreams").path("login"));
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let config = file_config(&emu, "tpstreams", "killed", &dir);
    let mut holder = spawn_agent(&config);
    holder.send("header");

    let probe = FileStore::open(&dir, Duration::from_secs(1)).unwrap();
    let key = Client::from_json(&config.to_string())
        .unwrap()
        .cache_key()
        .clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    while probe.lock(&key, Duration::ZERO).is_ok() {
        assert!(Instant::now() < deadline, "the child never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }

    // While it lives, others wait at most lock_timeout_ms and then get a clear error.
    let mut impatient = config.clone();
    impatient["lock_timeout_ms"] = json!(200);
    let mut waiter = spawn_agent(&impatient);
    let answer = waiter.ask("header");
    assert!(answer.starts_with("err lock_timeout "), "{answer}");
    assert!(
        answer.contains(&probe.lock_path(&key).display().to_string()),
        "{answer}"
    );

    // SIGKILL: no chance to clean up; the kernel releases the lock.
    holder.kill();
    let mut patient = config.clone();
    patient["lock_timeout_ms"] = json!(20_000);
    let mut next = spawn_agent(&patient);
    let header = next.ok("header");
    assert_eq!(echo_status(&emu, "tpstreams", &header), 200);
    assert!(
        probe.lock_path(&key).exists(),
        "the lock file stays; it needs no cleanup"
    );
    assert!(
        probe.lock(&key, Duration::ZERO).is_ok(),
        "and nobody holds it"
    );
}

fn a_writer_killed_mid_write_never_leaves_a_torn_entry() {
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let store = Arc::new(FileStore::open(&dir, Duration::from_secs(5)).unwrap());
    let key = saver_key();
    let stop = Arc::new(AtomicBool::new(false));
    let loads = Arc::new(AtomicU64::new(0));
    let seen_first = Arc::new(AtomicBool::new(false));
    // Readers check every load while writers are killed: never an error, never a torn entry,
    // and never a miss once the first entry exists.
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (store, key, stop, loads, seen_first) = (
                Arc::clone(&store),
                key.clone(),
                Arc::clone(&stop),
                Arc::clone(&loads),
                Arc::clone(&seen_first),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let must_exist = seen_first.load(Ordering::Acquire);
                    match store.load(&key) {
                        Ok(Some(entry)) => {
                            assert!(
                                saver_token_is_whole(&entry.token),
                                "a torn or mixed entry was read"
                            )
                        }
                        Ok(None) => assert!(!must_exist, "the entry vanished during a rewrite"),
                        Err(e) => panic!("a load failed while a writer was killed: {e}"),
                    }
                    loads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let mut next = 0u64;
    for round in 0..20u64 {
        let mut cmd = child_command("saver");
        cmd.env(DIR, &dir).env(START, next.to_string());
        let (mut saver, first) = Agent::start(cmd);
        assert_eq!(first, "saved");
        seen_first.store(true, Ordering::Release);
        std::thread::sleep(Duration::from_millis(5 + fastrand::u64(0..40)));
        saver.kill();
        let after = store
            .load(&key)
            .unwrap()
            .expect("an entry survives the kill");
        assert!(saver_token_is_whole(&after.token), "round {round}");
        next = after.token[..10].parse::<u64>().unwrap() + 1;
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().expect("a reader saw a bad state");
    }
    assert!(loads.load(Ordering::Relaxed) > 0);
    // Whatever temporaries the kills left, the store lists exactly one entry.
    let listed: Vec<Entry> = store.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(saver_token_is_whole(&listed[0].token));
}

fn logout_in_one_process_is_seen_by_the_others() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = file_config(&emu, "tpstreams", "logout", &scratch.cache_dir());
    let mut a = spawn_agent(&config);
    let mut b = spawn_agent(&config);
    let token = a.ok("header");
    assert_eq!(b.ok("header"), token, "B uses A's token from the file");
    assert_eq!(emu.login_count("tpstreams", "logout"), 1);

    assert_eq!(a.ok("logout"), "done");
    assert_eq!(emu.logout_count("tpstreams", "logout"), 1);
    assert_eq!(
        echo_status(&emu, "tpstreams", &token),
        401,
        "revoked on the server"
    );
    // A process that had not used the token finds nothing to reuse.
    let mut c = spawn_agent(&config);
    assert_eq!(c.ok("cached"), "none");

    // B still holds the revoked token in memory: its next request logs in again, unseen.
    assert_eq!(b.ok("get /api/echo/"), "200");
    let fresh = b.ok("header");
    assert_ne!(fresh, token);
    assert_eq!(emu.login_count("tpstreams", "logout"), 2);
    // ... and shares the new token with everyone else.
    assert_eq!(c.ok("header"), fresh);
    assert_eq!(a.ok("header"), fresh);
    assert_eq!(emu.login_count("tpstreams", "logout"), 2);
}

fn an_expiry_refresh_by_one_process_is_used_by_another() {
    let emu = emulator();
    // 4 s tokens: the 60 s refresh margin is capped at half the lifetime, so a token is
    // replaced 2 s after it was issued.
    emu.set_token_lifetime("tpstreams", Some(Duration::from_secs(4)));
    let scratch = Scratch::new();
    let config = file_config(&emu, "tpstreams", "refresh", &scratch.cache_dir());
    let mut a = spawn_agent(&config);
    let mut b = spawn_agent(&config);
    let first = a.ok("header");
    assert_eq!(b.ok("header"), first);
    assert_eq!(emu.login_count("tpstreams", "refresh"), 1);

    std::thread::sleep(Duration::from_millis(3000));
    let second = a.ok("header");
    assert_ne!(second, first, "A refreshed the token ahead of its expiry");
    assert_eq!(emu.login_count("tpstreams", "refresh"), 2);
    assert_eq!(b.ok("header"), second, "B picks A's refresh from the file");
    assert_eq!(b.ok("get /api/echo/"), "200");
    assert_eq!(
        emu.login_count("tpstreams", "refresh"),
        2,
        "without a login of its own"
    );
}

fn a_relogin_after_401_in_one_process_is_reused_by_another() {
    let emu = emulator();
    let scratch = Scratch::new();
    let config = file_config(&emu, "tpstreams", "revoked", &scratch.cache_dir());
    let mut a = spawn_agent(&config);
    let mut b = spawn_agent(&config);
    let first = a.ok("header");
    assert_eq!(b.ok("header"), first);

    // The server rejects a token neither process considers expired.
    emu.revoke_all("tpstreams", Some("revoked"));
    assert_eq!(b.ok("get /api/echo/"), "200");
    let second = b.ok("header");
    assert_ne!(second, first);
    assert_eq!(emu.login_count("tpstreams", "revoked"), 2);
    // A also gets a 401 with the old token; compare-and-delete leaves B's new token in the
    // file, and A takes it instead of logging in.
    assert_eq!(a.ok("get /api/echo/"), "200");
    assert_eq!(a.ok("header"), second);
    assert_eq!(emu.login_count("tpstreams", "revoked"), 2);
}

fn a_read_only_cache_directory_is_a_clear_error() {
    let emu = emulator();
    let scratch = Scratch::new();
    // Root writes anywhere, so as root the child runs as `nobody` in a directory it owns.
    let (root, uid) = if is_root() {
        (Some(65534u32), 65534)
    } else {
        (None, rustix::process::geteuid().as_raw())
    };
    set_mode(scratch.root.path(), 0o755);
    let dir = scratch.root.path().join("readonly");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(uid), None).unwrap();
    set_mode(&dir, 0o500);
    let exe = scratch.root.path().join("child-exe");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    set_mode(&exe, 0o755);

    let config = file_config(&emu, "tpstreams", "readonly", &dir);
    let mut cmd = child_command_at(&exe, "agent");
    cmd.env(CONFIG, config.to_string());
    if let Some(uid) = root {
        use std::os::unix::process::CommandExt;
        cmd.uid(uid).gid(uid).current_dir("/");
    }
    let (_agent, first) = Agent::start(cmd);
    let expected = format!(
        "err store the token cache directory {} is not writable",
        dir.display()
    );
    assert!(first.starts_with(&expected), "{first}");
    assert!(
        first.contains("\"cache\": \"memory\""),
        "the message names the alternatives: {first}"
    );
    assert!(first.contains("AUTHTOKEN_CACHE_DIR"), "{first}");
    assert_eq!(
        emu.login_attempts("tpstreams", "readonly"),
        0,
        "no token is spent"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing was written"
    );
}

fn the_cache_directory_follows_the_key_then_the_environment() {
    let emu = emulator();
    let scratch = Scratch::new();
    let p = |name: &str| scratch.root.path().join(name);
    let describe = |config: &Value, env: &[(&str, Option<&Path>)]| -> String {
        let mut cmd = child_command("agent");
        cmd.env(CONFIG, config.to_string())
            .current_dir(scratch.root.path());
        for (k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let (mut agent, first) = Agent::start(cmd);
        assert_eq!(first, "ready");
        let described = agent.ok("store");
        agent.ok("header");
        // The entry landed where the description says.
        let files: Vec<_> = [
            p("key"),
            p("env"),
            p("xdg/authtoken"),
            p("home/.cache/authtoken"),
        ]
        .into_iter()
        .filter(|d| d.exists() && std::fs::read_dir(d).unwrap().count() > 0)
        .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let dir = files[0].clone();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(described, format!("file:{}", dir.display()));
        std::fs::remove_dir_all(&dir).unwrap();
        dir.display().to_string()
    };
    let mut with_key = file_config(&emu, "tpstreams", "dirs", &p("key"));
    let all = [
        ("AUTHTOKEN_CACHE_DIR", Some(p("env"))),
        ("XDG_CACHE_HOME", Some(p("xdg"))),
        ("HOME", Some(p("home"))),
    ];
    let env = |skip: usize| -> Vec<(&str, Option<&Path>)> {
        all.iter()
            .enumerate()
            .map(|(i, (k, v))| (*k, if i < skip { None } else { v.as_deref() }))
            .collect()
    };
    assert_eq!(describe(&with_key, &env(0)), p("key").display().to_string());
    with_key.as_object_mut().unwrap().remove("cache_dir");
    assert_eq!(describe(&with_key, &env(0)), p("env").display().to_string());
    assert_eq!(
        describe(&with_key, &env(1)),
        p("xdg/authtoken").display().to_string()
    );
    assert_eq!(
        describe(&with_key, &env(2)),
        p("home/.cache/authtoken").display().to_string()
    );
    // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
    let relative = Path::new("relative/cache");
    let home = p("home");
    assert_eq!(
        describe(
            &with_key,
            &[
                ("AUTHTOKEN_CACHE_DIR", None),
                ("XDG_CACHE_HOME", Some(relative)),
                ("HOME", Some(&home)),
            ]
        ),
        p("home/.cache/authtoken").display().to_string()
    );
    // Five caches (the last two in one directory, emptied in between): one login each.
    assert_eq!(emu.login_count("tpstreams", "dirs"), 5);
}
