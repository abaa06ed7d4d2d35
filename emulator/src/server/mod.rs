//! The HTTP side: accept loop, per-connection control, fault injection and the services' handlers.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};

use crate::admin;
use crate::app::App;
use crate::fault::{FaultKind, DEFAULT_OVERSIZED_BYTES};
use crate::reply::detail;
use crate::service::Service;
use crate::state::bump;

mod auth;
mod clock;
mod endpoints;
mod ids;
mod login;
mod parse;

use endpoints::{
    big, crux_permissions, echo, redirect, tp_assets, tp_courses, tp_create_video, tp_exams, whoami,
};
use login::{login, logout};
use parse::{parse_body, MAX_BODY};

/// Lets a handler close its connection without answering.
#[derive(Clone)]
struct ConnKill(Arc<Notify>);

// ---------------------------------------------------------------------------------------------
// Accept loop and connections

/// Serve until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(listener: TcpListener, app: App, mut shutdown: oneshot::Receiver<()>) {
    let router = router(app.clone());
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            res = listener.accept() => {
                let stream = match res {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        app.log(format!("authtoken-emulator: accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                if app.lock().take_reset() {
                    // SO_LINGER 0: close with a RST, before reading anything.
                    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                    drop(stream);
                    app.log("authtoken-emulator: connection closed at accept (fault=reset)".into());
                    continue;
                }
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, router.clone()));
            }
        }
    }
}

async fn connection(stream: TcpStream, router: Router) {
    let kill = Arc::new(Notify::new());
    let kill_for_requests = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut()
            .insert(ConnKill(kill_for_requests.clone()));
        let mut router = router.clone();
        async move {
            let resp: Result<Response, Infallible> =
                tower_service::Service::call(&mut router, req).await;
            resp
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection future closes the socket without writing anything more.
        _ = kill.notified() => {}
    }
}

fn router(app: App) -> Router {
    let mut r: Router<App> = Router::new();
    for svc in Service::ALL {
        let p = format!("/{}", svc.as_str());
        for lp in svc.login_paths() {
            r = r.route(&format!("{p}{lp}"), post(login));
        }
        if let Some(lo) = svc.logout_path() {
            r = r.route(&format!("{p}{lo}"), post(logout));
        }
        r = r
            .route(&format!("{p}/api/echo/"), any(echo))
            .route(&format!("{p}/api/echo/{{*rest}}"), any(echo))
            .route(&format!("{p}/api/redirect/"), any(redirect))
            .route(&format!("{p}/api/whoami/"), any(whoami))
            .route(&format!("{p}/api/big/"), get(big));
        match svc {
            Service::Tpstreams => {
                r = r
                    .route(&format!("{p}/api/v1/{{org}}/assets/"), get(tp_assets))
                    .route(
                        &format!("{p}/api/v1/{{org}}/assets/videos/"),
                        post(tp_create_video),
                    );
            }
            Service::Testpress => {
                r = r
                    .route(&format!("{p}/api/v2.5/courses/"), get(tp_courses))
                    .route(&format!("{p}/api/v2.5/exams/"), get(tp_exams));
            }
            Service::Cruxconnect => {
                r = r.route(&format!("{p}/api/permissions/"), get(crux_permissions));
            }
            Service::TpstreamsLegacy => {}
        }
    }
    r.merge(admin::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), front))
        .with_state(app)
}

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

async fn front(State(app): State<App>, req: Request, next: Next) -> Response {
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

// ---------------------------------------------------------------------------------------------
// Responses

async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

async fn method_not_allowed(method: Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{method}\" not allowed."),
    )
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
