//! Every invalid configuration is an InvalidConfig error that names the key.

use authtoken::{Config, ErrorKind};
use serde_json::{json, Value};

fn base(provider: &str) -> Value {
    let mut v = json!({"provider": provider, "username": "u", "password": "p", "cache": "memory"});
    match provider {
        "tpstreams" => v["organization_id"] = json!("org"),
        "testpress" => v["subdomain"] = json!("demo"),
        "custom" => {
            v["base_url"] = json!("https://api.example.com");
            v["login_path"] = json!("/login/");
        }
        _ => {}
    }
    v
}

fn with(provider: &str, key: &str, value: Value) -> Value {
    let mut v = base(provider);
    if value.is_null() {
        v.as_object_mut().unwrap().remove(key);
    } else {
        v[key] = value;
    }
    v
}

#[test]
fn every_provider_accepts_its_minimal_config() {
    for p in [
        "tpstreams",
        "tpstreams-legacy",
        "testpress",
        "cruxconnect",
        "custom",
    ] {
        Config::from_value(&base(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    }
}

#[test]
fn invalid_configs_name_the_key() {
    let cases: Vec<(Value, &str)> = vec![
        (json!([]), "config must be a JSON object"),
        (
            json!({"username": "u", "password": "p"}),
            "`provider` is required",
        ),
        (
            with("tpstreams", "provider", json!("tpstream")),
            "`provider` must be one of",
        ),
        (
            with("tpstreams", "provider", json!(5)),
            "`provider` must be a string, got a number",
        ),
        (
            with("tpstreams", "organization_id", Value::Null),
            "`organization_id` is required for provider `tpstreams`",
        ),
        (
            with("cruxconnect", "organization_id", json!("o")),
            "`organization_id` does not apply to provider `cruxconnect`",
        ),
        (
            with("tpstreams", "subdomain", json!("demo")),
            "`subdomain` does not apply to provider `tpstreams` (it is for testpress)",
        ),
        (
            with("testpress", "subdomain", Value::Null),
            "`subdomain` is required for provider `testpress`",
        ),
        (
            with("testpress", "subdomain", json!("not a label")),
            "`subdomain` must be a DNS label",
        ),
        (
            with("testpress", "api_version", json!("2.5")),
            "`api_version` must look like `v2.5`",
        ),
        (
            with("testpress", "sandbox", json!(true)),
            "`sandbox` does not apply",
        ),
        (
            with("cruxconnect", "sandbox", json!("yes")),
            "`sandbox` must be true or false, got a string",
        ),
        (
            with("cruxconnect", "timeout_ms", json!("30")),
            "`timeout_ms` must be a whole number",
        ),
        (
            with("cruxconnect", "timeout_ms", json!(0)),
            "`timeout_ms` must be between 1 and",
        ),
        (
            with("cruxconnect", "timeout_ms", json!(1.5)),
            "`timeout_ms` must be a whole number between 1 and 86400000, got 1.5",
        ),
        (
            with("cruxconnect", "connect_timeout_ms", json!(-1)),
            "`connect_timeout_ms` must be a whole number",
        ),
        (
            with("cruxconnect", "refresh_margin_s", json!(true)),
            "`refresh_margin_s` must be a whole number",
        ),
        (
            with("cruxconnect", "token_lifetime_s", json!(0)),
            "`token_lifetime_s` must be between 1",
        ),
        (
            with("cruxconnect", "username", json!("")),
            "`username` must not be empty",
        ),
        (
            with("cruxconnect", "password", json!(123)),
            "`password` must be a string, got a number",
        ),
        (
            with("cruxconnect", "base_url", json!("not a url")),
            "`base_url` is not a valid URL",
        ),
        (
            with("cruxconnect", "base_url", json!("ftp://x.example.com")),
            "`base_url` must be an http:// or https:// URL",
        ),
        (
            with(
                "cruxconnect",
                "base_url",
                json!("https://u:p@x.example.com"),
            ),
            "`base_url` must not contain credentials",
        ),
        (
            with(
                "cruxconnect",
                "base_url",
                json!("https://x.example.com/?a=1"),
            ),
            "`base_url` must not contain a query",
        ),
        (
            with("cruxconnect", "allow_insecure_http", json!(1)),
            "`allow_insecure_http` must be true or false",
        ),
        (
            with("cruxconnect", "user_agent", json!("a\nb")),
            "`user_agent` must not contain control characters",
        ),
        (
            with("cruxconnect", "login_path", json!("/x")),
            "`login_path` does not apply to provider `cruxconnect`",
        ),
        (
            with("custom", "base_url", Value::Null),
            "`base_url` is required for provider `custom`",
        ),
        (
            with("custom", "login_path", Value::Null),
            "`login_path` is required for provider `custom`",
        ),
        (
            with("custom", "login_path", json!("login")),
            "`login_path` must be a path starting with '/'",
        ),
        (
            with("custom", "logout_path", json!("https://x/")),
            "`logout_path` must be a path",
        ),
        (
            with("custom", "credential_fields", json!(["a"])),
            "`credential_fields` must be an object",
        ),
        (
            with("custom", "credential_fields", json!({"user": "email"})),
            "`credential_fields` may only map `username` and `password`",
        ),
        (
            with("custom", "credential_fields", json!({"username": 1})),
            "`credential_fields.username` must be a non-empty string",
        ),
        (
            with(
                "custom",
                "credential_fields",
                json!({"username": "x", "password": "x"}),
            ),
            "maps username and password to the same field",
        ),
        (
            with("custom", "extra_fields", json!("x")),
            "`extra_fields` must be an object",
        ),
        (
            with("custom", "extra_fields", json!({"password": "x"})),
            "`extra_fields` must not set the credential field `password`",
        ),
        (
            with("custom", "scheme", json!("Bearer token")),
            "`scheme` must be a single word",
        ),
        (
            with("custom", "token_field", json!(7)),
            "`token_field` must be a string",
        ),
        (
            with("cruxconnect", "cache", json!("disk")),
            "`cache` must be \"file\", \"memory\", or a redis://",
        ),
        (
            with("cruxconnect", "cache_dir", json!("/tmp/x")),
            "`cache_dir` only applies when `cache` is \"file\"",
        ),
        (
            with("cruxconnect", "max_retries", json!(11)),
            "`max_retries` must be between 0 and 10",
        ),
        (
            with("cruxconnect", "max_response_bytes", json!(10)),
            "`max_response_bytes` must be between 1024",
        ),
        (
            with("cruxconnect", "redis_fallback", json!("no")),
            "`redis_fallback` must be true or false",
        ),
        (
            with("cruxconnect", "colour", json!("blue")),
            "unknown config key `colour`",
        ),
        (
            with("cruxconnect", "timeout", json!(5)),
            "unknown config key `timeout`",
        ),
    ];
    for (doc, expected) in cases {
        let err = Config::from_value(&doc).expect_err(expected);
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{expected}");
        assert!(
            err.message().contains(expected),
            "expected {expected:?} in {:?}",
            err.message()
        );
        assert!(
            !err.message().contains("\"p\""),
            "the password is not echoed"
        );
    }
}

#[test]
fn malformed_json_is_reported_without_echoing_it() {
    let err =
        Config::from_json(r#"{"provider": "tpstreams", "password": "hunter2-secret""#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(
        err.message().starts_with("config is not valid JSON"),
        "{err}"
    );
    assert!(!err.message().contains("hunter2"), "{err}");
}

#[test]
fn null_values_mean_unset() {
    let mut v = base("cruxconnect");
    v["timeout_ms"] = Value::Null;
    v["organization_id"] = Value::Null;
    Config::from_value(&v).unwrap();
}

#[test]
fn credentials_may_come_from_the_environment() {
    // The only test in this binary that touches these variables.
    std::env::set_var("AUTHTOKEN_USERNAME", "env-user");
    std::env::set_var("AUTHTOKEN_PASSWORD", "env-pass");
    let c = Config::from_value(&json!({"provider": "cruxconnect"})).unwrap();
    assert_eq!(c.username(), "env-user");
    assert!(
        !format!("{c:?}").contains("env-pass"),
        "Debug hides the password"
    );
    std::env::remove_var("AUTHTOKEN_USERNAME");
    std::env::remove_var("AUTHTOKEN_PASSWORD");
    let err = Config::from_value(&json!({"provider": "cruxconnect"})).unwrap_err();
    assert!(
        err.message()
            .contains("`username` is required (or set AUTHTOKEN_USERNAME)"),
        "{err}"
    );
}
