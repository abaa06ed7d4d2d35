//! The `authtoken-emulator` binary: first line, --addr-file, loopback rule, clean exit.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_authtoken-emulator");

#[cfg(unix)]
#[test]
fn prints_its_url_writes_addr_file_and_exits_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("authtoken-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let addr_file = dir.join("addr");
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--token-lifetime", "testpress=5"])
        .arg("--addr-file")
        .arg(&addr_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("authtoken-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(std::fs::read_to_string(&addr_file).unwrap(), url);

    let c = reqwest::blocking::Client::new();
    let health: serde_json::Value = c
        .get(format!("{url}/_emulator/health"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["ok"], true);
    let cfg: serde_json::Value = c
        .get(format!("{url}/_emulator/config"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(cfg["token_lifetime_s"]["testpress"], 5.0);
    // A login, to check that the log line shows no secret.
    let secret_password = &authtoken_emulator::test_password();
    c.post(format!("{url}/tpstreams-legacy/api/auth/login/"))
        .json(&serde_json::json!({"username": "u", "password": secret_password}))
        .send()
        .unwrap();

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("POST /tpstreams-legacy/api/auth/login/ 200"),
        "{stderr}"
    );
    assert!(!stderr.contains(secret_password), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refuses_non_loopback_and_bad_flags() {
    let out = Command::new(BIN)
        .args(["--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));

    let out = Command::new(BIN)
        .args(["--token-lifetime", "nosuch=5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
