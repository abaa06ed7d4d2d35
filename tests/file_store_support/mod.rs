//! Helpers shared by the file store tests: configs with a private cache directory, and
//! direct access to the files a client wrote.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use authtoken::store::{CacheKey, Entry, ENTRY_VERSION};
use authtoken_emulator::{Emulator, Options};
use serde_json::{json, Value};
use zeroize::Zeroizing;

/// The emulator's password: `$AUTHTOKEN_TEST_PASSWORD` (the secrets audit's sentinel), else
/// `demo-password`; what `Options::default()` gives the emulator.
pub static PASSWORD: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(authtoken_emulator::test_password);

#[path = "../common/mod.rs"]
mod common;
#[allow(unused_imports)] // not every test binary sends raw requests
pub use common::raw_get;

pub fn emulator() -> Emulator {
    Emulator::start(Options::default()).expect("start emulator")
}

/// A private directory for one test; the cache directory the store creates is `<root>/cache`.
pub struct Scratch {
    pub root: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            root: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.root.path().join("cache")
    }
}

/// A config for `user` on `service` of `emu` that keeps tokens in `cache_dir`. TPStreams
/// users get an organization of their own, so tests never share the 20-token limit.
pub fn file_config(emu: &Emulator, service: &str, user: &str, cache_dir: &Path) -> Value {
    let mut c = json!({
        "provider": service,
        "username": user,
        "password": *PASSWORD,
        "base_url": emu.base_url(service),
        "cache_dir": cache_dir,
    });
    if service == "tpstreams" {
        c["organization_id"] = json!(format!("org-{user}"));
    }
    c
}

pub fn client(config: &Value) -> authtoken::Client {
    authtoken::Client::from_json(&config.to_string()).expect("client")
}

pub fn entry_path(cache_dir: &Path, key: &CacheKey) -> PathBuf {
    cache_dir.join(format!("{}.json", key.id()))
}

pub fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

pub fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// An entry for `key` holding `token`, valid for an hour.
pub fn entry(key: &CacheKey, token: &str) -> Entry {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Entry {
        version: ENTRY_VERSION,
        provider: key.provider.clone(),
        base_url: key.base_url.clone(),
        username: key.username.clone(),
        organization: key.organization.clone(),
        token: Zeroizing::new(token.to_string()),
        obtained_at: now,
        expires_at: Some(now + 3600),
    }
}

/// Logs in to the emulator's TPStreams without authtoken (as another program would): the token.
pub fn raw_tpstreams_login(emu: &Emulator, user: &str) -> String {
    let body =
        json!({"username": user, "password": *PASSWORD, "organization_id": format!("org-{user}")});
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/api/auth/login/", emu.base_url("tpstreams")))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .timeout(Duration::from_secs(10))
        .send()
        .expect("raw login");
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = serde_json::from_slice(&resp.bytes().unwrap()).unwrap();
    v["token"].as_str().expect("token").to_string()
}

pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}
