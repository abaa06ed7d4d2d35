//! The Redis token store inside one process: the entries it writes, compare-and-delete, the
//! login lock (exclusive, renewed, expiring), what a cold and a warm header cost in Redis
//! commands, and what happens when Redis is unreachable, silent, refusing, or behind TLS.
//!
//! Needs `AUTHTOKEN_REDIS_URL` (`make test-redis` or `scripts/with-redis.sh`); tests that stop
//! a server or count its commands start a private `redis-server` of their own.

#[macro_use]
mod redis_support;

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use authtoken::store::{CacheKey, Entry, RedisOptions, RedisStore, TokenStore, ENTRY_VERSION};
use authtoken::{Config, ErrorKind};
use redis_support::*;
use serde_json::json;
use zeroize::Zeroizing;

fn main() {
    run_tests(tests![
        entries_carry_the_shared_format_and_expire_with_the_token,
        a_token_of_unknown_expiry_has_no_redis_expiry,
        a_cold_client_reads_redis_once_and_a_warm_header_never,
        compare_and_delete_keeps_a_token_saved_since,
        a_401_removes_the_entry_only_while_it_holds_the_failing_token,
        logout_revokes_and_removes_the_entry,
        the_login_lock_is_exclusive_and_released_on_drop,
        a_slow_holder_keeps_its_lock_renewed,
        a_dead_holders_lock_lets_others_in_after_its_ttl,
        a_lock_held_too_long_is_a_lock_timeout_without_a_login,
        an_unreachable_redis_is_a_clear_store_error_without_a_login,
        a_silent_redis_is_bounded_by_the_connect_timeout,
        with_fallback_an_unreachable_redis_uses_the_machines_file_store,
        a_refusing_redis_is_an_error_even_with_fallback,
        a_password_in_the_url_is_used_and_never_shown,
        rediss_with_the_servers_ca,
        key_prefixes_keep_sites_apart_and_list_shows_only_its_own,
        a_corrupt_entry_is_a_miss_and_is_replaced,
        the_documented_least_privilege_acl_is_enough,
    ]);
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn test_key(user: &str) -> CacheKey {
    CacheKey {
        provider: "tpstreams".into(),
        base_url: "http://127.0.0.1:9/tpstreams".into(),
        username: user.into(),
        organization: Some(format!("org-{user}")),
    }
}

fn test_entry(key: &CacheKey, token: &str) -> Entry {
    Entry {
        version: ENTRY_VERSION,
        provider: key.provider.clone(),
        base_url: key.base_url.clone(),
        username: key.username.clone(),
        organization: key.organization.clone(),
        token: Zeroizing::new(token.into()),
        obtained_at: now_secs(),
        expires_at: Some(now_secs() + 3600),
    }
}

fn store(url: &str, prefix: &str) -> RedisStore {
    RedisStore::open(
        url,
        RedisOptions {
            key_prefix: prefix.into(),
            ..RedisOptions::default()
        },
    )
    .expect("redis store")
}

fn token_of(header: &str) -> &str {
    header.split_once(' ').expect("scheme and token").1
}

fn entries_carry_the_shared_format_and_expire_with_the_token() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("format"));
    let config = redis_config(&emu, "tpstreams", "format", &url, &prefix);
    let c = client(&config);
    assert_eq!(
        c.store_description(),
        format!("redis:{}", url.trim_end_matches('/'))
    );
    let header = c.authorization_header().unwrap();
    let key = c.cache_key().clone();
    let raw = get(&url, &entry_key(&prefix, &key)).expect("the entry is in Redis");
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["version"], json!(1));
    assert_eq!(v["provider"], json!("tpstreams"));
    assert_eq!(v["username"], json!("format"));
    assert_eq!(v["organization"], json!("org-format"));
    assert_eq!(v["base_url"], json!(emu.base_url("tpstreams")));
    assert_eq!(v["token"], json!(token_of(&header)));
    let entry = Entry::from_json(&raw).expect("the file store's format");
    assert!(entry.matches(&key));
    let expires_at = entry.expires_at.expect("TPStreams tokens expire");
    let expected_ms = (expires_at - now_secs()) as i64 * 1000;
    let ttl = pttl(&url, &entry_key(&prefix, &key));
    assert!(
        (expected_ms - 3000..=expected_ms + 1000).contains(&ttl),
        "the Redis key expires with the token: PTTL {ttl} ms, token expires in {expected_ms} ms"
    );
    assert!(ttl > 9 * 3600 * 1000, "the emulator's 10 h lifetime: {ttl}");
    assert_eq!(
        pttl(&url, &lock_key(&prefix, &key)),
        -2,
        "no lock is left behind"
    );
}

fn a_token_of_unknown_expiry_has_no_redis_expiry() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("noexpiry"));
    let config = redis_config(&emu, "tpstreams-legacy", "noexpiry", &url, &prefix);
    let c = client(&config);
    c.authorization_header().unwrap();
    let key = entry_key(&prefix, c.cache_key());
    let entry = Entry::from_json(&get(&url, &key).unwrap()).unwrap();
    assert_eq!(entry.expires_at, None);
    assert_eq!(
        pttl(&url, &key),
        -1,
        "kept until a 401 or a logout removes it"
    );
}

fn a_cold_client_reads_redis_once_and_a_warm_header_never() {
    let server = RedisServer::start();
    let emu = emulator();
    let prefix = unique_prefix("reads");
    let config = redis_config(&emu, "tpstreams", "reads", &server.url, &prefix);
    let first = client(&config);
    let header = first.authorization_header().unwrap();
    assert_eq!(emu.login_count("tpstreams", "reads"), 1);
    // Dropping every client of the identity drops this process's in-memory token: the next
    // client is as cold as a new process.
    drop(first);
    let before = command_calls(&server.url);
    let cold = client(&config);
    assert_eq!(cold.authorization_header().unwrap(), header);
    let after_cold = command_calls(&server.url);
    let delta =
        |a: &std::collections::BTreeMap<String, u64>,
         b: &std::collections::BTreeMap<String, u64>,
         cmd: &str| { b.get(cmd).copied().unwrap_or(0) - a.get(cmd).copied().unwrap_or(0) };
    assert_eq!(
        delta(&before, &after_cold, "get"),
        1,
        "one GET: {after_cold:?}"
    );
    for cmd in ["set", "evalsha", "eval", "del"] {
        assert_eq!(
            delta(&before, &after_cold, cmd),
            0,
            "no {cmd} for a cold read"
        );
    }
    for _ in 0..1000 {
        assert_eq!(cold.authorization_header().unwrap(), header);
    }
    assert_eq!(
        command_calls(&server.url),
        after_cold,
        "1000 warm headers send no command to Redis"
    );
    assert_eq!(emu.login_count("tpstreams", "reads"), 1);
}

fn compare_and_delete_keeps_a_token_saved_since() {
    let (url, prefix) = (shared_url(), unique_prefix("cad"));
    let s = store(&url, &prefix);
    let key = test_key("cad");
    s.save(&key, &test_entry(&key, "token-2")).unwrap();
    assert!(
        !s.remove(&key, Some("token-1")).unwrap(),
        "token-1 is no longer the entry"
    );
    assert_eq!(s.load(&key).unwrap().unwrap().token.as_str(), "token-2");
    assert!(s.remove(&key, Some("token-2")).unwrap());
    assert_eq!(s.load(&key).unwrap(), None);
    assert!(
        !s.remove(&key, Some("token-2")).unwrap(),
        "nothing left to remove"
    );
    s.save(&key, &test_entry(&key, "token-3")).unwrap();
    assert!(
        s.remove(&key, None).unwrap(),
        "without a token to compare, whatever is there goes"
    );
    assert_eq!(get(&url, &entry_key(&prefix, &key)), None);
}

fn a_401_removes_the_entry_only_while_it_holds_the_failing_token() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("relogin"));
    let config = redis_config(&emu, "tpstreams", "relogin", &url, &prefix);
    let c = client(&config);
    let first = c.authorization_header().unwrap();
    let key = c.cache_key().clone();
    // Another machine has replaced the token in Redis since (it saw a 401 of its own).
    let second = raw_login(&emu, "relogin");
    store(&url, &prefix)
        .save(&key, &test_entry(&key, &second))
        .unwrap();
    raw_logout(&emu, token_of(&first));
    // This client's 401 must leave the other machine's token alone, and use it.
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    assert_eq!(token_of(&c.authorization_header().unwrap()), second);
    assert_eq!(
        emu.login_count("tpstreams", "relogin"),
        2,
        "no login of its own"
    );
    let stored = Entry::from_json(&get(&url, &entry_key(&prefix, &key)).unwrap()).unwrap();
    assert_eq!(stored.token.as_str(), second);
    // When the entry is the failing token, it goes, and the new login replaces it.
    raw_logout(&emu, &second);
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    let third = c.authorization_header().unwrap();
    assert_ne!(token_of(&third), second);
    assert_eq!(emu.login_count("tpstreams", "relogin"), 3);
    let stored = Entry::from_json(&get(&url, &entry_key(&prefix, &key)).unwrap()).unwrap();
    assert_eq!(
        stored.token.as_str(),
        token_of(&third),
        "the re-login is shared"
    );
}

/// Revokes one TPStreams token, as another program logging out would.
fn raw_logout(emu: &authtoken_emulator::Emulator, token: &str) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/api/auth/logout/", emu.base_url("tpstreams")))
        .header("Authorization", format!("Token {token}"))
        .send()
        .expect("raw logout");
    assert_eq!(resp.status().as_u16(), 204);
}

/// Logs in as another machine would, without authtoken: the token.
fn raw_login(emu: &authtoken_emulator::Emulator, user: &str) -> String {
    let body =
        json!({"username": user, "password": *PASSWORD, "organization_id": format!("org-{user}")});
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/api/auth/login/", emu.base_url("tpstreams")))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .expect("raw login");
    let v: serde_json::Value = serde_json::from_slice(&resp.bytes().unwrap()).unwrap();
    v["token"].as_str().expect("token").to_string()
}

fn logout_revokes_and_removes_the_entry() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("logout"));
    let config = redis_config(&emu, "tpstreams", "logout", &url, &prefix);
    let c = client(&config);
    let header = c.authorization_header().unwrap();
    let key = entry_key(&prefix, c.cache_key());
    assert!(get(&url, &key).is_some());
    c.logout().unwrap();
    assert_eq!(emu.logout_count("tpstreams", "logout"), 1);
    assert_eq!(
        echo_status(&emu, "tpstreams", &header),
        401,
        "revoked on the server"
    );
    assert_eq!(get(&url, &key), None, "and gone from Redis");
    assert!(c.cached_token().unwrap().is_none());
}

fn the_login_lock_is_exclusive_and_released_on_drop() {
    let (url, prefix) = (shared_url(), unique_prefix("lock"));
    let machine_a = store(&url, &prefix);
    let machine_b = store(&url, &prefix);
    let key = test_key("lock");
    let guard = machine_a.lock(&key, Duration::from_secs(1)).unwrap();
    let holder: String = get(&url, &lock_key(&prefix, &key))
        .map(|v| String::from_utf8(v).unwrap())
        .expect("the lock key exists while held");
    assert!(
        holder.contains(&format!(":{}:", std::process::id())),
        "{holder}"
    );
    let ttl = pttl(&url, &lock_key(&prefix, &key));
    assert!(
        ttl > 0 && ttl <= 32_000,
        "the default TTL is timeout_ms + 2 s: {ttl}"
    );
    let started = Instant::now();
    let err = machine_b
        .lock(&key, Duration::from_millis(300))
        .err()
        .expect("the lock is taken");
    assert_eq!(err.kind(), ErrorKind::LockTimeout);
    assert!(err.message().contains(&lock_key(&prefix, &key)), "{err}");
    assert!(err.message().contains("lock_timeout_ms"), "{err}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the wait is bounded"
    );
    drop(guard);
    assert_eq!(pttl(&url, &lock_key(&prefix, &key)), -2, "released on drop");
    let _b = machine_b.lock(&key, Duration::from_secs(1)).unwrap();
    assert!(
        pttl(&url, &lock_key(&prefix, &key)) > 0,
        "and taken by the other"
    );
}

fn a_slow_holder_keeps_its_lock_renewed() {
    let (url, prefix) = (shared_url(), unique_prefix("renew"));
    let short = RedisOptions {
        key_prefix: prefix.clone(),
        lock_ttl: Duration::from_millis(600),
        ..RedisOptions::default()
    };
    let machine_a = RedisStore::open(&url, short.clone()).unwrap();
    let machine_b = RedisStore::open(&url, short).unwrap();
    let key = test_key("renew");
    let guard = machine_a.lock(&key, Duration::from_secs(1)).unwrap();
    // Four TTLs later the holder, still busy, still holds it.
    let err = machine_b
        .lock(&key, Duration::from_millis(2400))
        .err()
        .expect("renewed, not expired");
    assert_eq!(err.kind(), ErrorKind::LockTimeout);
    let ttl = pttl(&url, &lock_key(&prefix, &key));
    assert!(ttl > 0 && ttl <= 600, "renewed to its TTL: {ttl}");
    drop(guard);
    assert_eq!(
        pttl(&url, &lock_key(&prefix, &key)),
        -2,
        "released at once, not left to expire"
    );
    let _b = machine_b.lock(&key, Duration::from_secs(1)).unwrap();
}

fn a_dead_holders_lock_lets_others_in_after_its_ttl() {
    let (url, prefix) = (shared_url(), unique_prefix("dead"));
    let key = test_key("dead");
    // What a holder that died leaves behind: a lock nobody renews.
    let _: () = redis::cmd("SET")
        .arg(lock_key(&prefix, &key))
        .arg("dead-host:1:0")
        .arg("PX")
        .arg(800)
        .query(&mut redis_conn(&url))
        .unwrap();
    let started = Instant::now();
    let _guard = store(&url, &prefix)
        .lock(&key, Duration::from_secs(5))
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(700),
        "waited for the TTL: {waited:?}"
    );
    assert!(
        waited < Duration::from_millis(3000),
        "and went on once it passed: {waited:?}"
    );
}

fn a_lock_held_too_long_is_a_lock_timeout_without_a_login() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("locktimeout"));
    let mut config = redis_config(&emu, "tpstreams", "locktimeout", &url, &prefix);
    config["lock_timeout_ms"] = json!(400);
    let c = client(&config);
    let _: () = redis::cmd("SET")
        .arg(lock_key(&prefix, c.cache_key()))
        .arg("busy-host:1:0")
        .arg("PX")
        .arg(60_000)
        .query(&mut redis_conn(&url))
        .unwrap();
    let err = c.authorization_header().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LockTimeout);
    assert_eq!(err.code(), 13);
    assert!(
        err.message().contains("redis-cli GET"),
        "says how to see the holder: {err}"
    );
    assert_eq!(emu.login_attempts("tpstreams", "locktimeout"), 0);
}

fn an_unreachable_redis_is_a_clear_store_error_without_a_login() {
    let emu = emulator();
    let port = free_port();
    let url = format!("redis://app:s3cret-pw@127.0.0.1:{port}/0");
    let config = redis_config(&emu, "tpstreams", "unreachable", &url, "authtoken:");
    let c = client(&config);
    let started = Instant::now();
    let err = c.authorization_header().unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a refused connection fails at once"
    );
    assert_eq!(err.kind(), ErrorKind::Store);
    assert_eq!(err.code(), 12);
    let m = err.message();
    assert!(
        m.contains(&format!("redis://127.0.0.1:{port}/0")),
        "names the server: {m}"
    );
    assert!(m.contains("unreachable"), "{m}");
    assert!(m.contains("redis_fallback"), "says what the option is: {m}");
    assert!(
        !m.contains("s3cret-pw") && !format!("{err:?}").contains("s3cret-pw"),
        "{m}"
    );
    assert!(!c.store_description().contains("s3cret-pw"));
    assert!(!format!("{c:?}").contains("s3cret-pw"));
    assert_eq!(
        emu.login_attempts("tpstreams", "unreachable"),
        0,
        "no login that nobody could share"
    );
}

fn a_silent_redis_is_bounded_by_the_connect_timeout() {
    // Accepts connections and never answers a byte.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = [0u8; 256];
            let _ = s.set_read_timeout(Some(Duration::from_millis(10)));
            let _ = s.read(&mut buf);
            held.push(s);
        }
    });
    let emu = emulator();
    let mut config = redis_config(
        &emu,
        "tpstreams",
        "silent",
        &format!("redis://127.0.0.1:{port}"),
        "authtoken:",
    );
    config["connect_timeout_ms"] = json!(300);
    let c = client(&config);
    let started = Instant::now();
    let err = c.authorization_header().unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Store);
    assert!(err.message().contains("connect_timeout_ms"), "{err}");
    assert!(took >= Duration::from_millis(250), "{took:?}");
    assert!(
        took < Duration::from_secs(3),
        "bounded by the connect timeout: {took:?}"
    );
    assert_eq!(emu.login_attempts("tpstreams", "silent"), 0);
}

fn with_fallback_an_unreachable_redis_uses_the_machines_file_store() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");
    let port = free_port();
    let mut config = redis_config(
        &emu,
        "tpstreams",
        "fallback",
        &format!("redis://127.0.0.1:{port}"),
        "authtoken:",
    );
    config["redis_fallback"] = json!(true);
    config["cache_dir"] = json!(cache_dir);
    let c = client(&config);
    assert!(
        c.store_description().contains("(fallback file:"),
        "{}",
        c.store_description()
    );
    let header = c
        .authorization_header()
        .expect("works on this machine's own store");
    assert_eq!(emu.login_count("tpstreams", "fallback"), 1);
    let file = cache_dir.join(format!("{}.json", c.cache_key().id()));
    let entry =
        Entry::from_json(&std::fs::read(&file).expect("the token is in the file store")).unwrap();
    assert_eq!(entry.token.as_str(), token_of(&header));
    drop(c);
    // A cold client on the same machine shares it through the file store.
    let cold = client(&config);
    assert_eq!(cold.authorization_header().unwrap(), header);
    assert_eq!(emu.login_count("tpstreams", "fallback"), 1);
    // `cache_dir` without the fallback does not apply to Redis.
    config["redis_fallback"] = json!(false);
    let err = Config::from_json(&config.to_string()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.message().contains("`cache_dir` only applies"), "{err}");
}

fn a_refusing_redis_is_an_error_even_with_fallback() {
    let server = RedisServer::start_with(|port, _| {
        (
            vec![
                "--port".into(),
                port.to_string(),
                "--requirepass".into(),
                "right-pw".into(),
            ],
            format!("redis://127.0.0.1:{port}"),
        )
    });
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let wrong = format!("redis://:wrong-pw@127.0.0.1:{}", server.port);
    let mut config = redis_config(&emu, "tpstreams", "refused", &wrong, "authtoken:");
    config["redis_fallback"] = json!(true);
    config["cache_dir"] = json!(dir.path().join("cache"));
    let err = client(&config).authorization_header().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Store);
    assert!(err.message().contains("refused"), "{err}");
    assert!(!err.message().contains("wrong-pw"), "{err}");
    assert_eq!(
        emu.login_attempts("tpstreams", "refused"),
        0,
        "a misconfigured Redis is not an outage: no silent fallback"
    );
}

fn a_password_in_the_url_is_used_and_never_shown() {
    let server = RedisServer::start_with(|port, _| {
        (
            vec![
                "--port".into(),
                port.to_string(),
                "--requirepass".into(),
                "p@ss:w/rd".into(),
            ],
            format!("redis://:p%40ss%3Aw%2Frd@127.0.0.1:{port}/2"),
        )
    });
    let emu = emulator();
    let prefix = unique_prefix("auth");
    let config = redis_config(&emu, "tpstreams", "auth", &server.url, &prefix);
    let c = client(&config);
    c.authorization_header().unwrap();
    let key = entry_key(&prefix, c.cache_key());
    let mut conn = redis_conn(&server.url);
    let stored: Option<Vec<u8>> = redis::cmd("GET").arg(&key).query(&mut conn).unwrap();
    assert!(stored.is_some(), "saved in database 2 with the password");
    let description = c.store_description();
    assert_eq!(
        description,
        format!("redis:redis://127.0.0.1:{}/2", server.port)
    );
    for shown in [description, format!("{c:?}"), format!("{:?}", c.config())] {
        assert!(
            !shown.contains("p@ss") && !shown.contains("p%40ss"),
            "{shown}"
        );
    }
}

fn rediss_with_the_servers_ca() {
    let server = RedisServer::start_with(|port, dir| {
        make_certificates(dir);
        let path = |f: &str| dir.join(f).display().to_string();
        (
            vec![
                "--port".into(),
                "0".into(),
                "--tls-port".into(),
                port.to_string(),
                "--tls-cert-file".into(),
                path("server.pem"),
                "--tls-key-file".into(),
                path("server.key"),
                "--tls-ca-cert-file".into(),
                path("ca.pem"),
                "--tls-auth-clients".into(),
                "no".into(),
            ],
            format!("rediss://127.0.0.1:{port}"),
        )
    });
    let emu = emulator();
    let prefix = unique_prefix("tls");
    let mut config = redis_config(&emu, "tpstreams", "tls", &server.url, &prefix);
    // Without the CA, the server's certificate is not trusted.
    let err = client(&config).authorization_header().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Store);
    assert!(
        err.message().to_ascii_lowercase().contains("certificate"),
        "{err}"
    );
    assert_eq!(emu.login_attempts("tpstreams", "tls"), 0);
    config["ca_file"] = json!(server.dir().join("ca.pem"));
    let c = client(&config);
    let header = c.authorization_header().unwrap();
    let store = RedisStore::for_config(c.config()).unwrap();
    store.ping().unwrap();
    let entry = store.load(c.cache_key()).unwrap().expect("saved over TLS");
    assert_eq!(entry.token.as_str(), token_of(&header));
}

fn key_prefixes_keep_sites_apart_and_list_shows_only_its_own() {
    let emu = emulator();
    let url = shared_url();
    let (site_a, site_b) = (unique_prefix("site-a*"), unique_prefix("site-b"));
    let a = client(&redis_config(&emu, "tpstreams", "sites", &url, &site_a));
    let header_a = a.authorization_header().unwrap();
    drop(a);
    let b = client(&redis_config(&emu, "tpstreams", "sites", &url, &site_b));
    let header_b = b.authorization_header().unwrap();
    assert_ne!(
        header_a, header_b,
        "another prefix is another pool of tokens"
    );
    assert_eq!(emu.login_count("tpstreams", "sites"), 2);
    let listed = store(&url, &site_a).list().unwrap();
    assert_eq!(
        listed.len(),
        1,
        "only site A's entry ({site_a}), glob characters and all"
    );
    assert_eq!(listed[0].token.as_str(), token_of(&header_a));
}

fn a_corrupt_entry_is_a_miss_and_is_replaced() {
    let emu = emulator();
    let (url, prefix) = (shared_url(), unique_prefix("corrupt"));
    let config = redis_config(&emu, "tpstreams", "corrupt", &url, &prefix);
    let key = cache_key(&config);
    let _: () = redis::cmd("SET")
        .arg(entry_key(&prefix, &key))
        .arg("{\"version\": 1, \"tok")
        .query(&mut redis_conn(&url))
        .unwrap();
    let c = client(&config);
    let header = c.authorization_header().unwrap();
    assert_eq!(emu.login_count("tpstreams", "corrupt"), 1);
    let entry = Entry::from_json(&get(&url, &entry_key(&prefix, &key)).unwrap()).expect("replaced");
    assert_eq!(entry.token.as_str(), token_of(&header));
}

/// The ACL of docs/redis.md: keys under the prefix, and the commands the store sends.
const DOCUMENTED_ACL: &[&str] = &[
    "on",
    ">app-pw",
    "resetkeys",
    "~authtoken:*",
    "resetchannels",
    "-@all",
    "+get",
    "+set",
    "+del",
    "+evalsha",
    "+eval",
    "+script|load",
    "+pexpire",
    "+scan",
    "+mget",
    "+ping",
];

fn the_documented_least_privilege_acl_is_enough() {
    let server = RedisServer::start();
    let mut admin = redis_conn(&server.url);
    let _: () = redis::cmd("ACL")
        .arg("SETUSER")
        .arg("app")
        .arg(DOCUMENTED_ACL)
        .query(&mut admin)
        .unwrap();
    let emu = emulator();
    let url = format!("redis://app:app-pw@127.0.0.1:{}", server.port);
    let config = redis_config(&emu, "tpstreams", "acl", &url, "authtoken:");
    let c = client(&config);
    let header = c.authorization_header().unwrap();
    let store = RedisStore::for_config(c.config()).unwrap();
    store.ping().unwrap();
    assert_eq!(store.list().unwrap().len(), 1);
    assert!(!store.remove(c.cache_key(), Some("not-the-token")).unwrap());
    let _guard = store
        .lock(&test_key("acl-lock"), Duration::from_secs(1))
        .unwrap();
    drop(_guard);
    c.logout().unwrap();
    assert_eq!(echo_status(&emu, "tpstreams", &header), 401);
    let denied: Vec<redis::Value> = redis::cmd("ACL").arg("LOG").query(&mut admin).unwrap();
    assert!(denied.is_empty(), "no command was refused: {denied:?}");
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut admin).unwrap();
    assert!(keys.is_empty(), "no entry or lock left behind: {keys:?}");
}
