//! The middleware in front of every route: one log line per request, counting login
//! attempts, and applying the injected faults (status, delay, drop, malformed, oversized,
//! drop_after_processing); with the handle that lets it close a connection unanswered.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::Notify;

use crate::app::App;
use crate::fault::{FaultKind, DEFAULT_OVERSIZED_BYTES};
use crate::reply::detail;
use crate::service::Service;
use crate::state::bump;

use super::parse::{parse_body, MAX_BODY};

/// Lets a handler close its connection without answering.
#[derive(Clone)]
pub(super) struct ConnKill(pub(super) Arc<Notify>);

// ---------------------------------------------------------------------------------------------
// Front middleware: logging, login attempts, faults

enum Outcome {
    Respond(Response, Option<&'static str>),
    /// Close the connection without answering.
    Drop(&'static str),
}

/// Split `/tpstreams/api/...` into the service and the path after its prefix.
fn split_service(path: &str) -> Option<(Service, &str)> {
    let rest = path.strip_prefix('/')?;
    let (first, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    first.parse().ok().map(|svc| (svc, tail))
}

/// The first characters of the token in an `Authorization` header, for logs.
fn token_hint(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(AUTHORIZATION)?;
    let v = String::from_utf8_lossy(v.as_bytes());
    let token = v.split_whitespace().nth(1)?;
    Some(token.chars().take(6).collect())
}

pub(super) async fn front(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let hint = token_hint(req.headers());
    let kill = req.extensions().get::<ConnKill>().cloned();
    let outcome = dispatch(&app, req, next).await;
    let log = |status: &dyn std::fmt::Display, note: Option<&str>| {
        if app.log.is_some() {
            let hint = hint
                .as_deref()
                .map(|h| format!(" token={h}…"))
                .unwrap_or_default();
            let note = note.map(|n| format!(" fault={n}")).unwrap_or_default();
            app.log(format!(
                "authtoken-emulator: {method} {path} {status} {}ms{hint}{note}",
                started.elapsed().as_millis()
            ));
        }
    };
    match outcome {
        Outcome::Respond(resp, note) => {
            log(&resp.status().as_u16(), note);
            resp
        }
        Outcome::Drop(note) => {
            log(&"-", Some(note));
            if let Some(ConnKill(k)) = kill {
                k.notify_one();
                std::future::pending::<()>().await;
            }
            // Not on a connection we control (cannot happen): answer something.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn dispatch(app: &App, mut req: Request, next: Next) -> Outcome {
    let path = req.uri().path().to_owned();
    let Some((svc, rest)) = split_service(&path) else {
        return Outcome::Respond(next.run(req).await, None);
    };
    req.extensions_mut().insert(svc);
    let is_login = req.method() == Method::POST && svc.login_paths().contains(&rest);
    if is_login {
        let (parts, body) = req.into_parts();
        let bytes = match to_bytes(body, MAX_BODY).await {
            Ok(b) => b,
            Err(_) => Bytes::new(),
        };
        let user = login_username(&parts.headers, &bytes);
        bump(&mut app.lock().counters.attempts, svc, &user);
        req = Request::from_parts(parts, Body::from(bytes));
    }
    let fault = app.lock().take_fault(svc, rest);
    let Some(fault) = fault else {
        return Outcome::Respond(next.run(req).await, None);
    };
    match fault.kind {
        FaultKind::Status => {
            let status = StatusCode::from_u16(fault.status.unwrap_or(500))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp = detail(status, &format!("Injected {}", status.as_u16()));
            if let Some(secs) = fault.retry_after {
                resp.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            if status == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static(svc.www_authenticate()),
                );
            }
            Outcome::Respond(resp, Some("status"))
        }
        FaultKind::Delay => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms.unwrap_or(1000))).await;
            Outcome::Respond(next.run(req).await, Some("delay"))
        }
        FaultKind::Drop => {
            // Read the whole request first.
            let _ = to_bytes(req.into_body(), MAX_BODY).await;
            Outcome::Drop("drop")
        }
        FaultKind::Malformed => {
            let resp = (
                StatusCode::OK,
                [(CONTENT_TYPE, "application/json")],
                r#"{"token": "abc"#,
            )
                .into_response();
            Outcome::Respond(resp, Some("malformed"))
        }
        FaultKind::Oversized => {
            let n = fault.bytes.unwrap_or(DEFAULT_OVERSIZED_BYTES) as usize;
            let resp = (
                StatusCode::OK,
                [(CONTENT_TYPE, "application/json")],
                oversized_body(n),
            )
                .into_response();
            Outcome::Respond(resp, Some("oversized"))
        }
        FaultKind::DropAfterProcessing => {
            let resp = next.run(req).await;
            // Let the handler finish producing its body, as a real server would.
            let _ = to_bytes(resp.into_body(), usize::MAX).await;
            Outcome::Drop("drop_after_processing")
        }
        // Never matched per request (handled at accept time).
        FaultKind::Reset => Outcome::Respond(next.run(req).await, None),
    }
}

/// A JSON document of exactly `n` bytes (`{"detail":"xxx…"}`, or spaces when `n` is tiny).
fn oversized_body(n: usize) -> Vec<u8> {
    const HEAD: &[u8] = br#"{"detail":""#;
    const TAIL: &[u8] = br#""}"#;
    if n < HEAD.len() + TAIL.len() {
        return vec![b' '; n];
    }
    let mut v = Vec::with_capacity(n);
    v.extend_from_slice(HEAD);
    v.resize(n - TAIL.len(), b'x');
    v.extend_from_slice(TAIL);
    v
}

/// The `username` of a login body, as best it can be read ("" when it cannot).
fn login_username(headers: &HeaderMap, body: &[u8]) -> String {
    match parse_body(headers, body) {
        Ok(map) => match map.get("username") {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_service_prefix() {
        assert_eq!(
            split_service("/tpstreams/api/auth/login/"),
            Some((Service::Tpstreams, "/api/auth/login/"))
        );
        assert_eq!(
            split_service("/tpstreams-legacy/api/x"),
            Some((Service::TpstreamsLegacy, "/api/x"))
        );
        assert_eq!(split_service("/testpress"), Some((Service::Testpress, "")));
        assert_eq!(split_service("/_emulator/stats"), None);
        assert_eq!(split_service("/tpstreamsx/a"), None);
    }

    #[test]
    fn oversized_is_exact_json() {
        let b = oversized_body(100);
        assert_eq!(b.len(), 100);
        assert!(serde_json::from_slice::<Value>(&b).is_ok());
        assert_eq!(oversized_body(3).len(), 3);
    }
}
