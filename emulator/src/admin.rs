//! The admin API under `/_emulator/` (no authentication).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::fault::Fault;
use crate::reply::{json_response, ApiError};
use crate::service::Service;
use crate::state::{Config, Selector, State as EmuState};

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/config", get(get_config).post(set_config))
        .route("/_emulator/revoke", post(revoke))
        .route("/_emulator/expire", post(expire))
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::detail(StatusCode::BAD_REQUEST, msg)
}

/// Parse an optional JSON object body (an empty body is `{}`).
fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad("expected a JSON object")),
        Err(e) => Err(bad(format!("JSON parse error - {e}"))),
    }
}

fn opt_service(m: &Map<String, Value>) -> Result<Option<Service>, ApiError> {
    match m.get("service") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|e| bad(format!("{e}"))),
        Some(_) => Err(bad("\"service\" must be a string")),
    }
}

fn opt_string(m: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(bad(format!("\"{key}\" must be a string"))),
    }
}

async fn health() -> Response {
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn stats(State(app): State<App>) -> Response {
    json_response(StatusCode::OK, app.lock().stats())
}

async fn reset(State(app): State<App>) -> Response {
    app.lock().reset();
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn get_config(State(app): State<App>) -> Response {
    json_response(StatusCode::OK, app.lock().cfg.to_json())
}

/// Parse a lifetime in seconds (`null` = no expiry).
pub(crate) fn lifetime_from_json(v: &Value) -> Result<Option<Duration>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_f64() {
            Some(s) if s.is_finite() && (0.0..1e12).contains(&s) => {
                Ok(Some(Duration::from_secs_f64(s)))
            }
            _ => {
                Err("\"token_lifetime_s\" must be a non-negative number of seconds or null".into())
            }
        },
        _ => Err("\"token_lifetime_s\" must be a non-negative number of seconds or null".into()),
    }
}

fn apply_config(cfg: &mut Config, m: &Map<String, Value>) -> Result<(), ApiError> {
    let svc = opt_service(m)?;
    if let Some(v) = m.get("token_lifetime_s") {
        let lifetime = lifetime_from_json(v).map_err(bad)?;
        match svc {
            Some(svc) => cfg.lifetimes[svc.index()] = lifetime,
            None => return Err(bad("\"token_lifetime_s\" needs a \"service\"")),
        }
    }
    if let Some(v) = m.get("max_tokens_per_org") {
        match v.as_u64() {
            Some(n) => cfg.max_tokens_per_org = n as usize,
            None => return Err(bad("\"max_tokens_per_org\" must be a non-negative integer")),
        }
    }
    if let Some(v) = m.get("max_parallel_logins") {
        match v {
            Value::Null => cfg.max_parallel_logins = None,
            v => match v.as_u64() {
                Some(n) => cfg.max_parallel_logins = Some(n as usize),
                None => {
                    return Err(bad(
                        "\"max_parallel_logins\" must be a non-negative integer or null",
                    ))
                }
            },
        }
    }
    if let Some(v) = m.get("lockout_after") {
        match v {
            Value::Null => cfg.lockout_after = None,
            v => match v.as_u64().filter(|n| (1..=u32::MAX as u64).contains(n)) {
                Some(n) => cfg.lockout_after = Some(n as u32),
                None => return Err(bad("\"lockout_after\" must be a positive integer or null")),
            },
        }
    }
    if let Some(v) = m.get("lockout_s") {
        match v.as_f64() {
            Some(s) if s.is_finite() && (0.0..1e9).contains(&s) => {
                cfg.lockout = Duration::from_secs_f64(s)
            }
            _ => {
                return Err(bad(
                    "\"lockout_s\" must be a non-negative number of seconds",
                ))
            }
        }
    }
    if let Some(v) = m.get("html_errors") {
        match v {
            Value::Bool(b) => cfg.html_errors = *b,
            _ => return Err(bad("\"html_errors\" must be true or false")),
        }
    }
    if let Some(v) = m.get("password") {
        match v {
            Value::String(p) => cfg.password = p.clone(),
            _ => return Err(bad("\"password\" must be a string")),
        }
    }
    Ok(())
}

async fn set_config(State(app): State<App>, body: Bytes) -> Response {
    let m = match object(&body) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    const KEYS: [&str; 8] = [
        "service",
        "token_lifetime_s",
        "max_tokens_per_org",
        "max_parallel_logins",
        "lockout_after",
        "lockout_s",
        "html_errors",
        "password",
    ];
    if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return bad(format!("unknown key {k:?}")).into_response();
    }
    let mut st = app.lock();
    // Validate on a copy so that a bad request changes nothing.
    let mut cfg = st.cfg.clone();
    if let Err(e) = apply_config(&mut cfg, &m) {
        return e.into_response();
    }
    st.cfg = cfg;
    json_response(StatusCode::OK, st.cfg.to_json())
}

fn selector(body: &[u8]) -> Result<Selector, ApiError> {
    let m = object(body)?;
    Ok(Selector {
        service: opt_service(&m)?,
        username: opt_string(&m, "username")?,
        org: opt_string(&m, "organization_id")?,
    })
}

async fn revoke(State(app): State<App>, body: Bytes) -> Response {
    match selector(&body) {
        Ok(sel) => json_response(StatusCode::OK, json!({"revoked": app.lock().revoke(&sel)})),
        Err(e) => e.into_response(),
    }
}

async fn expire(State(app): State<App>, body: Bytes) -> Response {
    match selector(&body) {
        Ok(sel) => json_response(StatusCode::OK, json!({"expired": app.lock().expire(&sel)})),
        Err(e) => e.into_response(),
    }
}

fn faults_json(st: &EmuState) -> Value {
    json!(st.faults)
}

async fn list_faults(State(app): State<App>) -> Response {
    json_response(StatusCode::OK, faults_json(&app.lock()))
}

/// Parse one fault or a list of faults.
pub(crate) fn parse_faults(body: &[u8]) -> Result<Vec<Fault>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("JSON parse error - {e}"))?;
    let items = match v {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let f: Fault = serde_json::from_value(item).map_err(|e| format!("invalid fault: {e}"))?;
        f.validate()?;
        out.push(f);
    }
    Ok(out)
}

async fn add_faults(State(app): State<App>, body: Bytes) -> Response {
    match parse_faults(&body) {
        Ok(faults) => {
            let mut st = app.lock();
            st.faults.extend(faults);
            json_response(StatusCode::OK, faults_json(&st))
        }
        Err(msg) => bad(msg).into_response(),
    }
}

async fn clear_faults(State(app): State<App>) -> Response {
    let mut st = app.lock();
    let n = st.faults.len();
    st.faults.clear();
    json_response(StatusCode::OK, json!({"cleared": n}))
}
