//! The binary on a terminal (a pseudo-terminal from rexpect): the password prompt without
//! echo, no prompt when the cache has a token, pretty JSON.

mod common;

use std::process::Command;

use common::{binary, Fixture, PASSWORD};
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

const TIMEOUT_MS: Option<u64> = Some(20_000);

/// `sh -c SCRIPT authtoken ARGS...` with the environment of `base`. rexpect turns echo off
/// on its terminal; the scripts turn it back on, as a user's terminal has it.
fn in_shell(base: &Command, script: &str, args: &[&str]) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(script).arg(binary()).args(args);
    sh.env_clear();
    for (name, value) in base.get_envs() {
        if let Some(value) = value {
            sh.env(name, value);
        }
    }
    for name in ["PATH", "TERM"] {
        if let Some(v) = std::env::var_os(name) {
            sh.env(name, v);
        }
    }
    sh
}

fn spawn(cmd: Command) -> PtySession {
    rexpect::session::spawn_command(cmd, TIMEOUT_MS).expect("spawn in a pty")
}

fn exit_code(session: &PtySession) -> i32 {
    match session.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

#[test]
fn prompts_for_the_password_without_echo_only_when_a_login_is_needed() {
    let fx = Fixture::new();
    let base = fx.std_cmd();
    // First prove that the terminal echoes what is typed, then run `authtoken login`.
    let mut p = spawn(in_shell(
        &base,
        r#"stty echo; echo echo-on; read probe; exec "$0" "$@""#,
        &["login"],
    ));
    p.exp_string("echo-on").unwrap();
    p.send_line("typed-and-echoed").unwrap();
    p.exp_string("typed-and-echoed")
        .expect("the terminal echoes typed text");
    p.exp_string(&format!("Password for {} (tpstreams): ", fx.user))
        .expect("the prompt");
    p.send_line(&PASSWORD).unwrap();
    let shown = p.exp_string("logged in as ").expect("logged in");
    let rest = p.exp_eof().unwrap();
    assert!(
        !shown.contains(PASSWORD.as_str()) && !rest.contains(PASSWORD.as_str()),
        "the password was echoed: {shown}{rest}"
    );
    assert!(rest.contains(&fx.user), "{rest}");
    assert_eq!(exit_code(&p), 0);
    assert_eq!(fx.logins(), 1);

    // With a cached token, no prompt: the header is printed at once.
    let mut p = spawn(in_shell(&base, r#"stty echo; exec "$0" "$@""#, &["header"]));
    let out = p.exp_eof().unwrap();
    assert!(out.starts_with("Token "), "{out}");
    assert!(!out.contains("Password"), "{out}");
    assert_eq!(exit_code(&p), 0);
    assert_eq!(fx.login_attempts(), 1);
}

#[test]
fn a_wrong_password_at_the_prompt_exits_12() {
    let fx = Fixture::new();
    let mut p = spawn(in_shell(
        &fx.std_cmd(),
        r#"stty echo; exec "$0" "$@""#,
        &["header"],
    ));
    p.exp_string("Password for ").unwrap();
    p.send_line("not-the-password").unwrap();
    let out = p.exp_eof().unwrap();
    assert!(out.contains("error[invalid_credentials]"), "{out}");
    assert!(!out.contains("not-the-password"), "{out}");
    assert_eq!(exit_code(&p), 12);
}

#[test]
fn json_is_pretty_on_a_terminal() {
    let fx = Fixture::new();
    let mut base = fx.std_cmd();
    base.env("AUTHTOKEN_PASSWORD", &*PASSWORD);
    let mut p = spawn(in_shell(
        &base,
        r#"exec "$0" "$@""#,
        &["request", "GET", "/api/echo/"],
    ));
    let out = p.exp_eof().unwrap().replace("\r\n", "\n");
    assert!(out.starts_with("{\n  \""), "{out}");
    assert!(out.contains("\n  \"method\": \"GET\",\n"), "{out}");
    assert_eq!(exit_code(&p), 0);

    let mut p = spawn(in_shell(
        &base,
        r#"exec "$0" "$@""#,
        &["request", "GET", "/api/echo/", "--raw"],
    ));
    let out = p.exp_eof().unwrap();
    assert!(out.starts_with("{\"") && !out.contains("\n "), "{out}");
}
