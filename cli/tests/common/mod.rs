//! Shared fixture: a private emulator, a private HOME / config / cache directory, and a
//! unique identity, so that tests run in parallel without seeing each other.

#![allow(dead_code)] // each test file uses a different part of the fixture

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use authtoken_emulator::{Emulator, Options};
use tempfile::TempDir;

/// The emulator's password: `$AUTHTOKEN_TEST_PASSWORD` (the secrets audit's sentinel), else
/// `demo-password`; what `Options::default()` gives the emulator.
pub static PASSWORD: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(authtoken_emulator::test_password);

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Fixture {
    pub emu: Emulator,
    pub home: TempDir,
    pub user: String,
    pub org: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_options(Options::default())
    }

    pub fn with_options(options: Options) -> Fixture {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let id = format!("{}-{n}", std::process::id());
        Fixture {
            emu: Emulator::start(options).expect("emulator starts"),
            home: tempfile::tempdir().expect("temp dir"),
            user: format!("cli-{id}@example.com"),
            org: format!("org-{id}"),
        }
    }

    pub fn base_url(&self) -> String {
        self.emu.base_url("tpstreams")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.home.path().join("cache")
    }

    pub fn config_home(&self) -> PathBuf {
        self.home.path().join("config")
    }

    /// Writes `$XDG_CONFIG_HOME/authtoken/config.toml`.
    pub fn write_config(&self, text: &str) -> PathBuf {
        let dir = self.config_home().join("authtoken");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary with a clean environment: no AUTHTOKEN_* from the caller, private
    /// HOME / XDG directories, no settings and no password.
    pub fn bare(&self) -> Command {
        Command::from_std(self.std_bare())
    }

    /// The binary set up for this fixture's TPStreams identity, without a password.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// The binary set up for this fixture's identity, with the password in the environment.
    pub fn authed(&self) -> Command {
        let mut cmd = self.std_cmd();
        cmd.env("AUTHTOKEN_PASSWORD", &*PASSWORD);
        Command::from_std(cmd)
    }

    /// As [`Fixture::bare`], as a std command (to spawn without waiting, or in a pty).
    pub fn std_bare(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(binary());
        for (name, _) in std::env::vars() {
            if name.starts_with("AUTHTOKEN_") {
                cmd.env_remove(name);
            }
        }
        cmd.env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_CACHE_HOME", self.home.path().join("xdg-cache"))
            .env("AUTHTOKEN_CACHE_DIR", self.cache_dir())
            .env_remove("RUST_LOG");
        cmd
    }

    /// As [`Fixture::cmd`], as a std command.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = self.std_bare();
        cmd.env("AUTHTOKEN_PROVIDER", "tpstreams")
            .env("AUTHTOKEN_BASE_URL", self.base_url())
            .env("AUTHTOKEN_USERNAME", &self.user)
            .env("AUTHTOKEN_ORGANIZATION_ID", &self.org);
        cmd
    }

    pub fn logins(&self) -> u64 {
        self.emu.login_count("tpstreams", &self.user)
    }

    pub fn login_attempts(&self) -> u64 {
        self.emu.login_attempts("tpstreams", &self.user)
    }

    /// The status code the service gives a request signed with `header`.
    pub fn status_with(&self, header: &str) -> u16 {
        http_status(&format!("{}/api/echo/", self.base_url()), header)
    }
}

pub fn http_status(url: &str, header: &str) -> u16 {
    reqwest::blocking::Client::new()
        .get(url)
        .header("Authorization", header)
        .send()
        .expect("emulator answers")
        .status()
        .as_u16()
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// The path of the binary under test.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_authtoken"))
}
