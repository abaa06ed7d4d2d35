//! The services' API endpoints: those under every service prefix (echo, redirect, whoami,
//! big) and each service's own protected ones (TPStreams assets, Testpress courses and
//! exams, CruxConnect permissions).

use std::collections::BTreeMap;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};

use crate::app::App;
use crate::reply::{detail, json_response};
use crate::service::Service;

use super::auth::{auth_or_return, authenticate, AuthFail, Count};
use super::ids::derived_uuid;
use super::parse::{parse_json, MAX_BODY};

/// Largest body `GET /api/big/` will produce.
const MAX_BIG: u64 = 512 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Endpoints on every service

pub(super) async fn echo(
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

pub(super) async fn redirect(uri: Uri) -> Response {
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

pub(super) async fn whoami(headers: HeaderMap) -> Response {
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

pub(super) async fn big(
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

pub(super) async fn tp_assets(
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

pub(super) async fn tp_create_video(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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

pub(super) async fn tp_courses(State(app): State<App>, headers: HeaderMap) -> Response {
    let _user = auth_or_return!(app, Service::Testpress, headers);
    json_response(StatusCode::OK, courses())
}

pub(super) async fn tp_exams(State(app): State<App>, headers: HeaderMap) -> Response {
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

pub(super) async fn crux_permissions(State(app): State<App>, headers: HeaderMap) -> Response {
    let user = auth_or_return!(app, Service::Cruxconnect, headers);
    json_response(
        StatusCode::OK,
        json!({
            "user_uuid": derived_uuid("user", &user),
            "permissions": ["catalog.view", "orders.view", "orders.create"],
        }),
    )
}
