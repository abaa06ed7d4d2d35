//! Precedence of settings (flags > AUTHTOKEN_* > profile) and the password rules.

mod common;

use common::{stderr_of, stdout_of, Fixture, PASSWORD};

/// The username a `login` run reports (`logged in as USER (…`).
fn logged_in_user(out: &std::process::Output) -> String {
    let text = stdout_of(out);
    assert!(
        out.status.success(),
        "login failed: {}{text}",
        stderr_of(out)
    );
    let rest = text
        .strip_prefix("logged in as ")
        .or_else(|| text.strip_prefix("already logged in as "))
        .unwrap_or_else(|| panic!("{text}"));
    rest.split(' ').next().unwrap().to_string()
}

fn profiles(fx: &Fixture) -> String {
    format!(
        r#"
default_profile = "work"

[profiles.work]
provider = "tpstreams"
base_url = "{base}"
username = "file-work-{user}"
organization_id = "{org}"

[profiles.lab]
provider = "testpress"
base_url = "{testpress}"
username = "file-lab-{user}"
"#,
        base = fx.base_url(),
        testpress = fx.emu.base_url("testpress"),
        user = fx.user,
        org = fx.org,
    )
}

#[test]
fn profile_env_and_flags_in_that_order_of_precedence() {
    let fx = Fixture::new();
    fx.write_config(&profiles(&fx));
    let with_password = |mut c: assert_cmd::Command| {
        c.env("AUTHTOKEN_PASSWORD", &*PASSWORD);
        c
    };

    // The file's default_profile, from $XDG_CONFIG_HOME/authtoken/config.toml.
    let out = with_password(fx.bare()).arg("login").output().unwrap();
    assert_eq!(logged_in_user(&out), format!("file-work-{}", fx.user));
    assert_eq!(
        fx.emu
            .login_count("tpstreams", &format!("file-work-{}", fx.user)),
        1
    );

    // --profile picks another profile (another provider).
    let out = with_password(fx.bare())
        .args(["--profile", "lab", "login"])
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), format!("file-lab-{}", fx.user));
    assert_eq!(
        fx.emu
            .login_count("testpress", &format!("file-lab-{}", fx.user)),
        1
    );

    // AUTHTOKEN_PROFILE does too, below --profile.
    let out = with_password(fx.bare())
        .env("AUTHTOKEN_PROFILE", "lab")
        .arg("login")
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), format!("file-lab-{}", fx.user));
    let out = with_password(fx.bare())
        .env("AUTHTOKEN_PROFILE", "lab")
        .args(["--profile", "work", "login"])
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), format!("file-work-{}", fx.user));

    // An AUTHTOKEN_* variable overrides the profile's key...
    let env_user = format!("env-{}", fx.user);
    let out = with_password(fx.bare())
        .env("AUTHTOKEN_USERNAME", &env_user)
        .arg("login")
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), env_user);

    // ... and a flag overrides both.
    let flag_user = format!("flag-{}", fx.user);
    let out = with_password(fx.bare())
        .env("AUTHTOKEN_USERNAME", &env_user)
        .args(["login", "--username", &flag_user])
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), flag_user);
    assert_eq!(fx.emu.login_count("tpstreams", &flag_user), 1);

    // --set reaches any key: an empty value unsets the profile's organization_id.
    let out = with_password(fx.bare())
        .args(["--set", "organization_id=", "login"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(
        stderr_of(&out).contains("`organization_id` is required"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn config_file_location_and_profile_errors() {
    let fx = Fixture::new();
    // XDG_CONFIG_HOME wins over HOME/.config; --config and AUTHTOKEN_CONFIG over both.
    let home_config = fx.home.path().join(".config/authtoken");
    std::fs::create_dir_all(&home_config).unwrap();
    std::fs::write(
        home_config.join("config.toml"),
        "[profiles.default]\nprovider = \"nonsense\"\n",
    )
    .unwrap();
    fx.write_config(&profiles(&fx));
    let out = fx
        .bare()
        .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
        .arg("login")
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), format!("file-work-{}", fx.user));

    let out = fx
        .bare()
        .env_remove("XDG_CONFIG_HOME")
        .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
        .arg("login")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(11),
        "HOME/.config/authtoken/config.toml is read without XDG_CONFIG_HOME"
    );
    assert!(stderr_of(&out).contains("provider"), "{}", stderr_of(&out));

    let other = fx.home.path().join("other.toml");
    std::fs::write(
        &other,
        format!(
            "[profiles.default]\nprovider = \"tpstreams\"\nbase_url = \"{}\"\nusername = \"other-{}\"\norganization_id = \"o\"\n",
            fx.base_url(),
            fx.user
        ),
    )
    .unwrap();
    let out = fx
        .bare()
        .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
        .arg("--config")
        .arg(&other)
        .arg("login")
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), format!("other-{}", fx.user));
    let out = fx
        .bare()
        .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
        .env("AUTHTOKEN_CONFIG", &other)
        .arg("login")
        .output()
        .unwrap();
    assert_eq!(logged_in_user(&out), format!("other-{}", fx.user));

    let out = fx
        .bare()
        .args(["--profile", "nope", "header"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("profile `nope` (from --profile) is not in")
            && err.contains("its profiles: lab, work"),
        "{err}"
    );

    let out = fx
        .bare()
        .arg("--config")
        .arg(fx.home.path().join("missing.toml"))
        .arg("header")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(
        stderr_of(&out).contains("cannot read the config file"),
        "{}",
        stderr_of(&out)
    );

    fx.write_config("[profiles.default]\nprovider = \"tpstreams\"\npasword = \"x\"\n");
    let out = fx.bare().arg("header").output().unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(
        stderr_of(&out).contains("unknown key `pasword` in profile `default`"),
        "{}",
        stderr_of(&out)
    );

    fx.write_config("[profiles.default\nprovider = 1\n");
    let out = fx.bare().arg("header").output().unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(
        stderr_of(&out).contains("is not valid"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn typed_settings_from_flags_and_variables() {
    let fx = Fixture::new();
    let out = fx
        .authed()
        .args(["--set", "timeout_ms=soon", "header"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("`timeout_ms` must be a whole number"),
        "{}",
        stderr_of(&out)
    );

    let out = fx
        .authed()
        .env("AUTHTOKEN_MAX_RETRIES", "many")
        .arg("header")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(
        stderr_of(&out).contains("environment variable AUTHTOKEN_MAX_RETRIES"),
        "{}",
        stderr_of(&out)
    );

    let out = fx
        .authed()
        .args(["--set", "no_such_key=1", "header"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("unknown config key `no_such_key`"),
        "{}",
        stderr_of(&out)
    );

    // A typed variable reaches the library: the legacy service sends no expiry, so the
    // token's expiry is the configured lifetime.
    let out = fx
        .bare()
        .env("AUTHTOKEN_PROVIDER", "tpstreams-legacy")
        .env("AUTHTOKEN_BASE_URL", fx.emu.base_url("tpstreams-legacy"))
        .env("AUTHTOKEN_USERNAME", &fx.user)
        .env("AUTHTOKEN_PASSWORD", &*PASSWORD)
        .env("AUTHTOKEN_TOKEN_LIFETIME_S", "7200")
        .arg("login")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("(in 1h 59m)") || stdout_of(&out).contains("(in 2h 0m)"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn password_on_the_command_line_is_refused() {
    let fx = Fixture::new();
    for args in [
        vec!["--password", "s3cret-on-argv", "header"],
        vec!["header", "--password=s3cret-on-argv"],
        vec!["--set", "password=s3cret-on-argv", "header"],
    ] {
        let out = fx.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("is refused"), "{err}");
        assert!(
            err.contains("AUTHTOKEN_PASSWORD") && err.contains("--password-stdin"),
            "{err}"
        );
        assert!(
            !err.contains("s3cret-on-argv"),
            "the refused password is not repeated: {err}"
        );
    }
    assert_eq!(fx.login_attempts(), 0);

    fx.write_config("[profiles.default]\npassword = \"s3cret-in-file\"\n");
    let out = fx.cmd().arg("header").output().unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(
        stderr_of(&out).contains("`password` in profile `default`"),
        "{}",
        stderr_of(&out)
    );
    assert!(!stderr_of(&out).contains("s3cret-in-file"));
}

#[test]
fn password_from_stdin() {
    let fx = Fixture::new();
    let out = fx
        .cmd()
        .args(["--password-stdin", "header"])
        .write_stdin(format!("{}\n", *PASSWORD))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stdout_of(&out).starts_with("Token "));
    assert_eq!(fx.logins(), 1);

    // --password-stdin wins over AUTHTOKEN_PASSWORD (a flag over a variable).
    let out = fx
        .cmd()
        .env("AUTHTOKEN_PASSWORD", "wrong-from-env")
        .args(["--password-stdin", "-u", "stdin-wins@example.com", "header"])
        .write_stdin(format!("{}\r\n", *PASSWORD))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    let out = fx
        .cmd()
        .args(["--password-stdin", "-u", "wrong@example.com", "login"])
        .write_stdin("not-the-password\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(12));
    let err = stderr_of(&out);
    assert!(
        err.contains("Unable to log in with provided credentials."),
        "{err}"
    );
    assert!(!err.contains("not-the-password"), "{err}");

    let out = fx
        .cmd()
        .args(["--password-stdin", "header"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("stdin held no password"),
        "{}",
        stderr_of(&out)
    );

    let out = fx
        .cmd()
        .args([
            "--password-stdin",
            "request",
            "POST",
            "/api/echo/",
            "--data",
            "@-",
        ])
        .write_stdin("x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("both read stdin"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn without_a_password_the_cache_is_used_and_nothing_is_sent() {
    let fx = Fixture::new();
    // Cold cache, no password, stdin not a terminal: a clear error and no login attempt.
    let out = fx.cmd().arg("header").output().unwrap();
    assert_eq!(out.status.code(), Some(11));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "authtoken: error[invalid_config]: a login is needed and no password was given"
        ),
        "{err}"
    );
    assert!(err.contains("try: set AUTHTOKEN_PASSWORD"), "{err}");
    assert_eq!(
        fx.login_attempts(),
        0,
        "no placeholder password ever reaches the service"
    );

    // Once logged in, header, token and request need no password.
    let login = fx.authed().arg("login").output().unwrap();
    assert!(login.status.success());
    for args in [
        vec!["header"],
        vec!["token"],
        vec!["request", "GET", "/api/echo/"],
        vec!["login"],
    ] {
        let out = fx.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    }
    assert_eq!(fx.login_attempts(), 1);

    // A revoked token needs a new login: without a password that is the same clear error.
    fx.emu.revoke_all("tpstreams", Some(&fx.user));
    let out = fx
        .cmd()
        .args(["request", "GET", "/api/echo/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("a login is needed and no password was given"));
    assert_eq!(fx.login_attempts(), 1);
}
