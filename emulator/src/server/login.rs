//! Login and logout: validating credentials, issuing each service's token (knox-style
//! tokens with their expiry, Testpress JWTs) under the configured limits, and revoking one.

use std::time::{Duration, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::jwt;
use crate::reply::json_response;
use crate::service::Service;
use crate::state::{bump, random_hex, TokenRec};

use super::auth::{authenticate, Count};
use super::clock::{iso8601, later, now, trunc_micros};
use super::ids::{derived_uuid, testpress_user_id};
use super::parse::{parse_body, required};

pub(super) async fn login(
    State(app): State<App>,
    Extension(svc): Extension<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match parse_body(&headers, &body) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let mut errors = Map::new();
    let username = required(&data, "username", true, &mut errors);
    let password = required(&data, "password", false, &mut errors);
    let org = if svc == Service::Tpstreams {
        required(&data, "organization_id", true, &mut errors)
    } else {
        None
    };
    let (Some(username), Some(password), true) = (username, password, errors.is_empty()) else {
        return json_response(StatusCode::BAD_REQUEST, Value::Object(errors));
    };

    let mut st = app.lock();
    let now = now();
    let html = st.cfg.html_errors;
    let refuse = |status: StatusCode, body: Value| login_error(status, body, html);
    let who = (svc, username.clone());
    if svc == Service::Testpress {
        if let Some(until) = st.locked_until.get(&who).copied() {
            match until.duration_since(now) {
                Ok(left) => {
                    let mut resp = refuse(
                        StatusCode::FORBIDDEN,
                        json!({
                            "detail": "Too many failed login attempts. Your account is locked; try again later.",
                            "error_code": "max_login_exceeded",
                        }),
                    );
                    let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                    if let Ok(v) = secs.to_string().parse() {
                        resp.headers_mut().insert("retry-after", v);
                    }
                    return resp;
                }
                Err(_) => {
                    st.locked_until.remove(&who);
                }
            }
        }
    }
    if password != st.cfg.password {
        if svc == Service::Testpress {
            if let Some(after) = st.cfg.lockout_after {
                let lockout = st.cfg.lockout;
                let failures = st.failures.entry(who.clone()).or_insert(0);
                *failures += 1;
                if *failures >= after {
                    st.failures.remove(&who);
                    st.locked_until.insert(who.clone(), later(now, lockout));
                }
            }
        }
        return refuse(
            StatusCode::BAD_REQUEST,
            json!({"non_field_errors": ["Unable to log in with provided credentials."]}),
        );
    }
    st.failures.remove(&who);
    let expires = st.cfg.lifetime(svc).map(|d| trunc_micros(later(now, d)));
    let body = match svc {
        Service::Tpstreams => {
            let org = org.unwrap_or_default();
            if st.live_for_org(&org, now) >= st.cfg.max_tokens_per_org {
                return json_response(
                    StatusCode::FORBIDDEN,
                    json!({"error": "Maximum amount of tokens allowed per user exceeded."}),
                );
            }
            let token = random_hex(64);
            let body = json!({
                "expiry": expires.map(iso8601),
                "token": token,
            });
            st.tokens.insert(
                token.clone(),
                TokenRec {
                    service: svc,
                    username: username.clone(),
                    org: Some(org),
                    expires,
                    forced_expired: false,
                },
            );
            body
        }
        Service::TpstreamsLegacy | Service::Cruxconnect => {
            let token = random_hex(if svc == Service::Cruxconnect { 40 } else { 64 });
            let body = if svc == Service::Cruxconnect {
                json!({
                    "auth_token": token,
                    "org_uuid": derived_uuid("org", &username),
                    "user_uuid": derived_uuid("user", &username),
                    "retailer_uuid": derived_uuid("retailer", &username),
                    "supplier_uuid": derived_uuid("supplier", &username),
                    "org_type": "retailer",
                })
            } else {
                json!({ "token": token })
            };
            st.tokens.insert(
                token.clone(),
                TokenRec {
                    service: svc,
                    username: username.clone(),
                    org: None,
                    expires,
                    forced_expired: false,
                },
            );
            body
        }
        Service::Testpress => {
            if let Some(max) = st.cfg.max_parallel_logins {
                if st.live_for_user(svc, &username, now) >= max {
                    return refuse(
                        StatusCode::FORBIDDEN,
                        json!({
                            "detail": "You have exceeded the maximum number of parallel logins.",
                            "error_code": "parallel_login_restriction",
                        }),
                    );
                }
            }
            let name_claim = if !username.is_empty() && username.bytes().all(|b| b.is_ascii_digit())
            {
                username
                    .parse::<u64>()
                    .map_or_else(|_| json!(username), |n| json!(n))
            } else {
                json!(username)
            };
            let email = if username.contains('@') {
                username.clone()
            } else {
                format!("{username}@example.com")
            };
            let mut claims = json!({
                "username": name_claim,
                "user_id": testpress_user_id(&username),
                "email": email,
            });
            // Whole seconds, as PyJWT writes `exp`.
            let exp = st.cfg.lifetime(svc).map(|d| {
                later(now, d)
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |x| x.as_secs())
            });
            if let Some(exp) = exp {
                claims["exp"] = json!(exp);
            }
            // Makes every token unique, so that the emulator can track each one.
            claims["jti"] = json!(random_hex(16));
            let token = jwt::sign(&app.secret, &claims);
            st.tokens.insert(
                token.clone(),
                TokenRec {
                    service: svc,
                    username: username.clone(),
                    org: None,
                    expires: exp.map(|e| UNIX_EPOCH + Duration::from_secs(e)),
                    forced_expired: false,
                },
            );
            json!({ "token": token })
        }
    };
    bump(&mut st.counters.logins, svc, &username);
    if let Some(token) = body
        .get("token")
        .or_else(|| body.get("auth_token"))
        .and_then(Value::as_str)
    {
        app.record_token(token);
    }
    json_response(StatusCode::OK, body)
}

/// A refused login: JSON, or (with `html_errors`) the same JSON sent as `text/html`.
fn login_error(status: StatusCode, body: Value, html: bool) -> Response {
    if !html {
        return json_response(status, body);
    }
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

pub(super) async fn logout(
    State(app): State<App>,
    Extension(svc): Extension<Service>,
    headers: HeaderMap,
) -> Response {
    let (token, user) = match authenticate(&app, svc, &headers, Count::No) {
        Ok(x) => x,
        Err(fail) => return fail.into_response(svc, StatusCode::UNAUTHORIZED),
    };
    let mut st = app.lock();
    st.tokens.remove(&token);
    bump(&mut st.counters.logouts, svc, &user);
    StatusCode::NO_CONTENT.into_response()
}
