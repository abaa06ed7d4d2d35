//! The HTTP side: accept loop, per-connection control, fault injection and the services' handlers.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CONTENT_TYPE, HOST, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};

use crate::admin;
use crate::app::App;
use crate::fault::{FaultKind, DEFAULT_OVERSIZED_BYTES};
use crate::reply::{detail, json_response};
use crate::service::Service;
use crate::state::bump;

mod auth;
mod clock;
mod ids;
mod login;
mod parse;

use auth::{auth_or_return, authenticate, AuthFail, Count};
use ids::derived_uuid;
use login::{login, logout};
use parse::{parse_body, parse_json, MAX_BODY};

/// Largest body `GET /api/big/` will produce.
const MAX_BIG: u64 = 512 * 1024 * 1024;

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

// ---------------------------------------------------------------------------------------------
// Endpoints on every service

async fn echo(
    State(app): State<App>,
    Extension(svc): Extension<Service>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = auth_or_return!(app, svc, headers);
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large."),
    };
    let mut hdrs: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        hdrs.entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    json_response(
        StatusCode::OK,
        json!({
            "method": method.as_str(),
            "path": uri.path(),
            "query": uri.query().unwrap_or(""),
            "headers": hdrs,
            "body": String::from_utf8_lossy(&body),
            "user": user,
        }),
    )
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default()
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    query_pairs(uri)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn redirect(uri: Uri) -> Response {
    let Some(to) = query_param(&uri, "to") else {
        return detail(StatusCode::BAD_REQUEST, "Missing \"to\" parameter.");
    };
    let status = match query_param(&uri, "status") {
        None => StatusCode::FOUND,
        Some(s) => match s
            .parse::<u16>()
            .ok()
            .and_then(|n| StatusCode::from_u16(n).ok())
        {
            Some(st) if st.is_redirection() => st,
            _ => return detail(StatusCode::BAD_REQUEST, "\"status\" must be a 3xx status."),
        },
    };
    let Ok(location) = HeaderValue::from_str(&to) else {
        return detail(
            StatusCode::BAD_REQUEST,
            "\"to\" is not a valid header value.",
        );
    };
    let mut resp = json_response(status, json!({ "location": to }));
    resp.headers_mut().insert(LOCATION, location);
    resp
}

async fn whoami(headers: HeaderMap) -> Response {
    let text = |name| {
        headers
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    json_response(
        StatusCode::OK,
        json!({ "authorization": text(AUTHORIZATION), "host": text(HOST) }),
    )
}

async fn big(
    State(app): State<App>,
    Extension(svc): Extension<Service>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let _user = auth_or_return!(app, svc, headers);
    let n = match query_param(&uri, "bytes").map(|b| b.parse::<u64>()) {
        Some(Ok(n)) if n <= MAX_BIG => n as usize,
        _ => {
            return detail(
                StatusCode::BAD_REQUEST,
                &format!("\"bytes\" must be an integer from 0 to {MAX_BIG}."),
            )
        }
    };
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "application/octet-stream")],
        vec![b'x'; n],
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Service-specific protected endpoints

async fn tp_assets(
    State(app): State<App>,
    axum::extract::Path(org): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let _user = auth_or_return!(app, Service::Tpstreams, headers);
    json_response(
        StatusCode::OK,
        json!([
            {"id": "8f3kd9s0aa", "title": "Welcome video", "type": "video", "organization": org},
            {"id": "2mdk39dk1b", "title": "Lecture 1", "type": "video", "organization": org},
        ]),
    )
}

async fn tp_create_video(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let _user = auth_or_return!(app, Service::Tpstreams, headers);
    match parse_json(&body) {
        Ok(v) => json_response(StatusCode::CREATED, v),
        Err(e) => e.into_response(),
    }
}

fn courses() -> Value {
    json!([
        {"id": 1, "title": "Physics", "slug": "physics"},
        {"id": 2, "title": "Chemistry", "slug": "chemistry"},
    ])
}

async fn tp_courses(State(app): State<App>, headers: HeaderMap) -> Response {
    let _user = auth_or_return!(app, Service::Testpress, headers);
    json_response(StatusCode::OK, courses())
}

async fn tp_exams(State(app): State<App>, headers: HeaderMap) -> Response {
    // This view answers any bad JWT with 403 "Invalid signature." (no WWW-Authenticate).
    if let Err(AuthFail(msg)) = authenticate(&app, Service::Testpress, &headers, Count::Yes) {
        let msg = if headers.contains_key(AUTHORIZATION) {
            "Invalid signature."
        } else {
            msg
        };
        return AuthFail(msg).into_response(Service::Testpress, StatusCode::FORBIDDEN);
    }
    json_response(
        StatusCode::OK,
        json!([{"id": 10, "title": "Mock test 1", "duration": "01:00:00"}]),
    )
}

async fn crux_permissions(State(app): State<App>, headers: HeaderMap) -> Response {
    let user = auth_or_return!(app, Service::Cruxconnect, headers);
    json_response(
        StatusCode::OK,
        json!({
            "user_uuid": derived_uuid("user", &user),
            "permissions": ["catalog.view", "orders.view", "orders.create"],
        }),
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
