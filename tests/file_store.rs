//! The file token store inside one process: the files it writes, entries it must ignore or
//! refuse, the bounded lock wait, and refreshes that never reach the user as errors.
//! (Several processes: tests/file_store_processes.rs.)

mod file_store_support;

use std::fs;
use std::os::unix::fs::symlink;
use std::time::Duration;

use authtoken::store::{FileStore, TokenStore};
use authtoken::ErrorKind;
use authtoken_emulator::Fault;
use file_store_support::*;
use serde_json::{json, Value};

#[test]
fn a_login_is_saved_as_the_documented_entry_0600_in_a_0700_directory() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.root.path().join("nested/deeper/authtoken");
    let c = client(&file_config(&emu, "tpstreams", "layout", &dir));
    assert_eq!(c.store_description(), format!("file:{}", dir.display()));
    let header = c.authorization_header().unwrap();

    let id = c.cache_key().id();
    assert_eq!(id.len(), 64);
    let path = dir.join(format!("{id}.json"));
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&path), 0o600);
    let lock = dir.join(format!("{id}.lock"));
    assert_eq!(
        fs::metadata(&lock).unwrap().len(),
        0,
        "the lock file stays empty"
    );

    let text = fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(PASSWORD.as_str()),
        "the password is never stored"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "base_url",
            "expires_at",
            "obtained_at",
            "organization",
            "provider",
            "token",
            "username",
            "version"
        ]
    );
    assert_eq!(v["version"], json!(1));
    assert_eq!(v["provider"], json!("tpstreams"));
    assert_eq!(v["base_url"], json!(emu.base_url("tpstreams")));
    assert_eq!(v["username"], json!("layout"));
    assert_eq!(v["organization"], json!("org-layout"));
    assert_eq!(format!("Token {}", v["token"].as_str().unwrap()), header);
    let (obtained, expires) = (
        v["obtained_at"].as_u64().unwrap(),
        v["expires_at"].as_u64().unwrap(),
    );
    // The emulator's TPStreams tokens live 10 hours.
    assert!(
        (10 * 3600 - 5..=10 * 3600 + 5).contains(&(expires - obtained)),
        "{obtained} {expires}"
    );

    // No temporary file is left behind; only the entry and its lock.
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, [format!("{id}.json"), format!("{id}.lock")]);
}

#[test]
fn an_entry_written_by_another_program_is_used_without_logging_in() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let token = raw_tpstreams_login(&emu, "handwritten");
    let c = client(&file_config(&emu, "tpstreams", "handwritten", &dir));
    // Written by hand, from the documented format only.
    let doc = json!({
        "version": 1,
        "provider": "tpstreams",
        "base_url": emu.base_url("tpstreams"),
        "username": "handwritten",
        "organization": "org-handwritten",
        "token": token,
        "obtained_at": 1_700_000_000u64,
        "expires_at": null,
    });
    let path = entry_path(&dir, c.cache_key());
    fs::write(&path, doc.to_string()).unwrap();
    set_mode(&path, 0o600);

    let resp = c.get("/api/echo/").unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(c.authorization_header().unwrap(), format!("Token {token}"));
    assert_eq!(
        emu.login_count("tpstreams", "handwritten"),
        1,
        "only the hand-made login"
    );
}

#[test]
fn corrupt_truncated_foreign_or_future_entries_are_misses_and_are_replaced() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let valid = |user: &str| {
        json!({"version": 1, "provider": "tpstreams", "base_url": emu.base_url("tpstreams"),
               "username": user, "organization": format!("org-{user}"),
               "token": "0123456789abcdef", "obtained_at": 1_700_000_000u64, "expires_at": null})
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\xff not json at all".to_vec()),
        ("empty", Vec::new()),
        ("truncated", {
            let full = valid("truncated").to_string();
            full.as_bytes()[..full.len() / 2].to_vec()
        }),
        ("future", {
            let mut v = valid("future");
            v["version"] = json!(2);
            v.to_string().into_bytes()
        }),
        ("badtoken", {
            let mut v = valid("badtoken");
            v["token"] = json!("two words\n");
            v.to_string().into_bytes()
        }),
        ("foreign", valid("someone-else").to_string().into_bytes()),
        ("oversized", {
            let mut v = valid("oversized");
            v["padding"] = json!("x".repeat(200 * 1024));
            v.to_string().into_bytes()
        }),
    ];
    for (user, bytes) in cases {
        let c = client(&file_config(&emu, "tpstreams", user, &dir));
        let path = entry_path(&dir, c.cache_key());
        fs::write(&path, &bytes).unwrap();
        set_mode(&path, 0o600);

        let header = c
            .authorization_header()
            .unwrap_or_else(|e| panic!("{user}: a bad entry must be a miss, got {e}"));
        assert_eq!(
            emu.login_count("tpstreams", user),
            1,
            "{user}: logged in once"
        );
        assert_ne!(header, "Token 0123456789abcdef", "{user}");
        let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            v["version"],
            json!(1),
            "{user}: replaced by a current entry"
        );
        assert_eq!(v["username"], json!(user));
        assert_eq!(
            format!("Token {}", v["token"].as_str().unwrap()),
            header,
            "{user}"
        );
    }
}

#[test]
fn an_entry_open_to_other_users_is_refused_with_the_fix() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "wide-entry", &dir));
    let store = FileStore::open(&dir, Duration::from_secs(1)).unwrap();
    store
        .save(c.cache_key(), &entry(c.cache_key(), "planted0token"))
        .unwrap();
    let path = store.entry_path(c.cache_key());
    assert_eq!(mode(&path), 0o600);

    for wide in [0o644, 0o640, 0o604, 0o660] {
        set_mode(&path, wide);
        let err = c.authorization_header().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Store, "{wide:o}");
        let msg = err.message();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains(&format!("mode {wide:04o}")), "{msg}");
        assert!(
            msg.contains(&format!("chmod 600 {}", path.display())),
            "{msg}"
        );
        assert!(
            !msg.contains("planted0token"),
            "the token is never in a message: {msg}"
        );
    }
    assert_eq!(
        emu.login_count("tpstreams", "wide-entry"),
        0,
        "no login around a refused entry"
    );

    // Once fixed as the message says, the entry is used as it is.
    set_mode(&path, 0o600);
    assert_eq!(c.authorization_header().unwrap(), "Token planted0token");
    assert_eq!(emu.login_count("tpstreams", "wide-entry"), 0);
}

#[test]
fn a_symlinked_entry_is_refused() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "symlinked", &dir));
    let elsewhere = scratch.root.path().join("elsewhere.json");
    fs::write(&elsewhere, "{}").unwrap();
    symlink(&elsewhere, entry_path(&dir, c.cache_key())).unwrap();
    let err = c.authorization_header().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Store);
    assert!(
        err.message().contains("is a symbolic link"),
        "{}",
        err.message()
    );
    assert_eq!(emu.login_count("tpstreams", "symlinked"), 0);
}

#[test]
fn a_cache_directory_open_to_other_users_is_refused_with_the_fix() {
    let emu = emulator();
    let scratch = Scratch::new();
    for (i, wide) in [0o755, 0o750, 0o701, 0o770].into_iter().enumerate() {
        let dir = scratch.root.path().join(format!("dir{i}"));
        fs::create_dir(&dir).unwrap();
        set_mode(&dir, wide);
        let err = authtoken::Client::from_json(
            &file_config(&emu, "tpstreams", "wide-dir", &dir).to_string(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Store);
        let msg = err.message();
        assert!(msg.contains(&format!("mode {wide:04o}")), "{msg}");
        assert!(
            msg.contains(&format!("chmod 700 {}", dir.display())),
            "{msg}"
        );
        assert_eq!(
            mode(&dir),
            wide,
            "the library does not change a directory it did not create"
        );
    }
}

#[test]
fn a_cache_directory_of_another_user_is_refused() {
    let emu = emulator();
    let scratch = Scratch::new();
    // As root, a directory given to `nobody`; as anyone else, `/` (root's own).
    let dir = if is_root() {
        let dir = scratch.root.path().join("theirs");
        fs::create_dir(&dir).unwrap();
        set_mode(&dir, 0o700);
        std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
        dir
    } else {
        std::path::PathBuf::from("/")
    };
    let err =
        authtoken::Client::from_json(&file_config(&emu, "tpstreams", "not-mine", &dir).to_string())
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Store);
    let msg = err.message();
    assert!(msg.contains(&dir.display().to_string()), "{msg}");
    assert!(msg.contains("not to you"), "{msg}");
}

#[test]
fn a_lock_wait_is_bounded_and_its_timeout_is_a_clear_error() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let mut config = file_config(&emu, "tpstreams", "lock-wait", &dir);
    config["lock_timeout_ms"] = json!(300);
    let c = client(&config);
    // Another holder of the login lock (a separate open file: flock excludes it like another
    // process).
    let store = FileStore::open(&dir, Duration::from_secs(1)).unwrap();
    let held = store.lock(c.cache_key(), Duration::from_secs(1)).unwrap();

    let err = c.authorization_header().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LockTimeout);
    assert_eq!(err.code(), 13);
    let msg = err.message();
    assert!(
        msg.contains(&store.lock_path(c.cache_key()).display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains("300 ms") && msg.contains("lock_timeout_ms"),
        "{msg}"
    );
    assert_eq!(
        emu.login_count("tpstreams", "lock-wait"),
        0,
        "no login without the lock"
    );

    drop(held);
    c.authorization_header().unwrap();
    assert_eq!(emu.login_count("tpstreams", "lock-wait"), 1);
}

#[test]
fn compare_and_delete_keeps_a_newer_token() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "cad", &dir));
    let key = c.cache_key();
    let store = FileStore::open(&dir, Duration::from_secs(5)).unwrap();
    store.save(key, &entry(key, "newer-token")).unwrap();
    assert!(
        !store.remove(key, Some("older-token")).unwrap(),
        "another token is kept"
    );
    assert_eq!(
        store.load(key).unwrap().unwrap().token.as_str(),
        "newer-token"
    );
    assert!(store.remove(key, Some("newer-token")).unwrap());
    assert!(store.load(key).unwrap().is_none());
    assert!(!store.remove(key, None).unwrap(), "nothing left to remove");
}

#[test]
fn a_cached_token_the_server_rejects_is_replaced_transparently() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "rejected", &dir));
    let first = c.authorization_header().unwrap();
    let path = entry_path(&dir, c.cache_key());
    let stored = || {
        let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        format!("Token {}", v["token"].as_str().unwrap())
    };
    assert_eq!(stored(), first);

    // Revoked on the server while this client still thinks it valid.
    emu.revoke_all("tpstreams", Some("rejected"));
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    let second = c.authorization_header().unwrap();
    assert_ne!(second, first);
    assert_eq!(
        stored(),
        second,
        "the replacement is shared through the file"
    );
    assert_eq!(emu.login_count("tpstreams", "rejected"), 2);

    // Expired by the server's clock, not yet by ours (clock skew).
    emu.expire_all("tpstreams", Some("rejected"));
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    assert_ne!(c.authorization_header().unwrap(), second);
    assert_eq!(emu.login_count("tpstreams", "rejected"), 3);
}

#[test]
fn tokens_issued_close_to_their_expiry_are_refreshed_not_errors() {
    let emu = emulator();
    // Tokens that live 2 s: far less than the default 60 s refresh margin.
    emu.set_token_lifetime("tpstreams", Some(Duration::from_secs(2)));
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "short-lived", &dir));
    let mut requests = 0;
    let deadline = std::time::Instant::now() + Duration::from_millis(3500);
    while std::time::Instant::now() < deadline {
        let resp = c.get("/api/echo/").unwrap();
        assert_eq!(resp.status(), 200);
        requests += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    let logins = emu.login_count("tpstreams", "short-lived");
    assert!(logins >= 2, "the token was refreshed ({logins} logins)");
    assert!(
        logins * 3 < requests,
        "{logins} logins for {requests} requests: tokens are reused"
    );
    assert_eq!(
        emu.unauthorized_count("tpstreams"),
        0,
        "refreshed before the server refused one"
    );
}

#[test]
fn logout_removes_the_entry_and_revokes_the_token() {
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "leaving", &dir));
    let header = c.authorization_header().unwrap();
    let path = entry_path(&dir, c.cache_key());
    assert!(path.exists());
    c.logout().unwrap();
    assert!(!path.exists());
    assert_eq!(emu.logout_count("tpstreams", "leaving"), 1);
    assert_eq!(
        raw_get(&format!("{}/api/echo/", emu.base_url("tpstreams")), &header),
        401
    );
    assert!(c.cached_token().unwrap().is_none());
    assert_ne!(c.authorization_header().unwrap(), header);
    assert_eq!(emu.login_count("tpstreams", "leaving"), 2);
}

#[test]
fn a_slow_login_holds_other_clients_of_the_directory_on_the_lock() {
    // Two stores on one directory (as two processes would have) and a slow login: the second
    // finds the first one's token after waiting, without logging in.
    let emu = emulator();
    emu.inject(Fault::delay(300).service("tpstreams").path("login"));
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "slow", &dir));
    let key = c.cache_key().clone();
    let header = std::thread::scope(|s| {
        let login = s.spawn(|| c.authorization_header().unwrap());
        let other = FileStore::open(&dir, Duration::from_secs(5)).unwrap();
        // Wait until the login holds the lock, then queue behind it.
        while other.lock(&key, Duration::ZERO).is_ok() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let _guard = other.lock(&key, Duration::from_secs(10)).unwrap();
        let seen = other
            .load(&key)
            .unwrap()
            .expect("saved before the lock was released");
        let header = login.join().unwrap();
        assert_eq!(format!("Token {}", seen.token.as_str()), header);
        header
    });
    assert!(header.starts_with("Token "));
    assert_eq!(emu.login_count("tpstreams", "slow"), 1);
}

#[test]
fn a_revoked_stored_token_behind_a_revoked_one_in_memory_costs_one_login_not_an_error() {
    // Two live tokens: this process holds one in memory, another process saved the other in
    // the store since. Both are revoked: the 401 retry finds the stored one, which is refused
    // too; the client forgets it and logs in instead of reporting `unauthorized`.
    let emu = emulator();
    let scratch = Scratch::new();
    let dir = scratch.cache_dir();
    let c = client(&file_config(&emu, "tpstreams", "twolive", &dir));
    let in_memory = c.authorization_header().unwrap();
    let other = raw_tpstreams_login(&emu, "twolive");
    let store = FileStore::open(&dir, Duration::from_secs(5)).unwrap();
    store
        .save(c.cache_key(), &entry(c.cache_key(), &other))
        .unwrap();
    assert_eq!(emu.revoke_all("tpstreams", Some("twolive")), 2);

    let resp = c.get("/api/echo/").unwrap();
    assert_eq!(resp.status(), 200);
    let echoed: Value = resp.json().unwrap();
    let sent = echoed["headers"]["authorization"].clone();
    assert_ne!(sent, json!(in_memory));
    assert_ne!(sent, json!(format!("Token {other}")));
    assert_eq!(
        emu.login_count("tpstreams", "twolive"),
        3,
        "the first login, the other process's, and one more"
    );
    assert_eq!(emu.unauthorized_count("tpstreams"), 2);
}
