//! Cache entries written by anyone: the entry format shared by every language and both stores
//! (JSON, version 1), read from a real file of the file store, from a (fake) Redis server,
//! and by a client. A bad entry is a miss, never an error or a panic; a good one round-trips;
//! a client uses an entry only when it belongs to its identity; Redis errors never show the
//! Redis password.
//!
//! Input: byte 0 picks what the fake Redis answers (entry, nil, error text, wrong type); the
//! rest is the entry (or the error text).
#![no_main]

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use authtoken::store::{CacheKey, Entry, FileStore, RedisOptions, RedisStore, TokenStore};
use authtoken::{Client, Config, ErrorKind};
use authtoken_fuzz::{config_doc, FakeRedis, RedisReply, SENTINEL_PASSWORD};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

/// The file store's and the Redis store's bound on an entry's size.
const MAX_ENTRY_BYTES: usize = 64 * 1024;

struct Fixture {
    file_store: FileStore,
    client: Client,
    redis: RedisStore,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        authtoken_fuzz::no_network();
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod 700");
        let file_store = FileStore::open(dir.path(), Duration::from_secs(1)).expect("file store");
        // A fixed identity (no request is ever sent), so that seeds can match it.
        let mut doc = config_doc("tpstreams");
        doc["base_url"] = json!("http://127.0.0.1:9/tpstreams");
        doc["cache"] = json!("file");
        doc["cache_dir"] = json!(dir.path());
        let config = Config::from_value(&doc).expect("valid config");
        let client = Client::with_store(config, Arc::new(file_store.clone())).expect("client");
        let url = format!(
            "redis://:{SENTINEL_PASSWORD}@127.0.0.1:{}/0",
            FakeRedis::get().port()
        );
        let options = RedisOptions {
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(5),
            ..RedisOptions::default()
        };
        let redis = RedisStore::open(&url, options).expect("redis store");
        Fixture {
            file_store,
            client,
            redis,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [mode, bytes @ ..] = data else {
        return;
    };
    let f = fixture();
    let key: &CacheKey = f.client.cache_key();
    let parsed = Entry::from_json(bytes);
    if let Some(e) = &parsed {
        assert_eq!(e.version, 1);
        assert!(!e.token.is_empty() && e.token.len() <= 16 * 1024);
        assert!(e.token.bytes().all(|b| b.is_ascii_graphic()));
        assert_eq!(
            Entry::from_json(&e.to_json()).as_ref(),
            Some(e),
            "the entry does not round-trip"
        );
        let others = [&e.provider, &e.base_url, &e.username];
        let plain = e.token.bytes().all(|b| b.is_ascii_alphanumeric());
        let elsewhere = others.iter().any(|o| o.contains(e.token.as_str()))
            || e.organization
                .as_deref()
                .is_some_and(|o| o.contains(e.token.as_str()));
        if plain && e.token.len() >= 16 && !elsewhere {
            assert!(
                !format!("{e:?}").contains(e.token.as_str()),
                "token in Debug"
            );
        }
    }
    let expected = parsed.filter(|_| bytes.len() <= MAX_ENTRY_BYTES);

    // The file store reads a real file, as another process would have left it.
    let path = f.file_store.entry_path(key);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .expect("write the entry file");
    file.write_all(bytes).expect("write the entry file");
    drop(file);
    let loaded = f
        .file_store
        .load(key)
        .expect("a bad entry is a miss, not an error");
    assert_eq!(loaded, expected);
    let listed = f.file_store.list().expect("list");
    assert_eq!(listed.len(), usize::from(expected.is_some()));

    // A client uses the entry only when it is for its own identity.
    let cached = f.client.cached_token().expect("cached_token");
    match (&cached, &expected) {
        (Some(t), Some(e)) => {
            assert!(e.matches(key), "a client took another identity's entry");
            assert_eq!(t.secret(), e.token.as_str());
        }
        (None, Some(e)) => assert!(!e.matches(key), "a matching entry was not used"),
        (Some(_), None) => panic!("a token from an unreadable entry"),
        (None, None) => {}
    }

    // The same bytes from Redis.
    let reply = match mode % 4 {
        0 => RedisReply::Bulk(bytes.to_vec()),
        1 => RedisReply::Nil,
        2 => RedisReply::Error(String::from_utf8_lossy(bytes).into_owned()),
        _ => RedisReply::Integer(bytes.len() as i64),
    };
    FakeRedis::get().set_reply(reply.clone());
    match (reply, f.redis.load(key)) {
        (RedisReply::Bulk(_), Ok(entry)) => assert_eq!(entry, expected),
        (RedisReply::Nil, Ok(entry)) => assert_eq!(entry, None),
        (RedisReply::Error(_) | RedisReply::Integer(_), Err(e)) => {
            assert_eq!(e.kind(), ErrorKind::Store, "{e}");
            authtoken_fuzz::check_error(&e, &[SENTINEL_PASSWORD]);
            let shown = format!("{e} {e:?} {:?}", f.redis);
            assert!(
                !shown.contains(SENTINEL_PASSWORD),
                "the Redis password in: {shown}"
            );
        }
        (reply, outcome) => panic!("Redis answered {reply:?}; the store made {outcome:?} of it"),
    }
});
