//! Authenticating a request's token: the `Authorization` check of each service (knox-style
//! tokens, Testpress JWTs), its DRF failure answers, and the counters it bumps.

use std::time::{Duration, UNIX_EPOCH};

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use crate::app::Shared;
use crate::jwt;
use crate::reply::detail;
use crate::service::Service;
use crate::state::bump;

use super::clock::now;

/// An authentication failure: the `detail` message.
pub(crate) struct AuthFail(pub(super) &'static str);

impl AuthFail {
    /// The DRF answer: `status` (401, or 403 for some Testpress views) with the service's
    /// `WWW-Authenticate` on a 401.
    pub(super) fn into_response(self, svc: Service, status: StatusCode) -> Response {
        let mut resp = detail(status, self.0);
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static(svc.www_authenticate()),
            );
        }
        resp
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub(super) enum Count {
    Yes,
    No,
}

/// Check the `Authorization` header; returns the token and its user.
pub(super) fn authenticate(
    app: &Shared,
    svc: Service,
    headers: &HeaderMap,
    count: Count,
) -> Result<(String, String), AuthFail> {
    let res = check_auth(app, svc, headers);
    let mut st = app.lock();
    match &res {
        Ok((_, user)) => {
            if count == Count::Yes {
                bump(&mut st.counters.requests, svc, user);
            }
        }
        Err(_) => st.counters.unauthorized[svc.index()] += 1,
    }
    res
}

fn check_auth(
    app: &Shared,
    svc: Service,
    headers: &HeaderMap,
) -> Result<(String, String), AuthFail> {
    let jwt = svc == Service::Testpress;
    let invalid = if jwt {
        AuthFail("Authentication credentials were not provided.")
    } else {
        AuthFail("Invalid token.")
    };
    let Some(raw) = headers.get(AUTHORIZATION) else {
        return Err(invalid);
    };
    let Ok(raw) = raw.to_str() else {
        return Err(if jwt {
            AuthFail("Error decoding signature.")
        } else {
            invalid
        });
    };
    let parts: Vec<&str> = raw.split_whitespace().collect();
    if parts.is_empty() || !parts[0].eq_ignore_ascii_case(svc.scheme()) {
        return Err(invalid);
    }
    if parts.len() != 2 {
        return Err(match (jwt, parts.len()) {
            (true, 1) => AuthFail("Invalid Authorization header. No credentials provided."),
            (true, _) => AuthFail(
                "Invalid Authorization header. Credentials string should not contain spaces.",
            ),
            (false, _) => AuthFail("Invalid token."),
        });
    }
    let token = parts[1];
    let now = now();
    if jwt {
        let claims =
            jwt::verify(&app.secret, token).map_err(|_| AuthFail("Error decoding signature."))?;
        if let Some(exp) = claims.get("exp") {
            let Some(exp) = exp.as_u64() else {
                return Err(AuthFail("Error decoding signature."));
            };
            if UNIX_EPOCH
                .checked_add(Duration::from_secs(exp))
                .is_some_and(|e| now >= e)
            {
                return Err(AuthFail("Signature has expired."));
            }
        }
        let st = app.lock();
        let Some(rec) = st.tokens.get(token).filter(|r| r.service == svc) else {
            // Revoked (denylisted), or issued before a reset: the user lookup fails.
            return Err(AuthFail("Invalid signature."));
        };
        if rec.is_expired(now) {
            return Err(AuthFail("Signature has expired."));
        }
        Ok((token.to_owned(), rec.username.clone()))
    } else {
        let mut st = app.lock();
        let rec = st.tokens.get(token).filter(|r| r.service == svc).cloned();
        match rec {
            Some(rec) if !rec.is_expired(now) => Ok((token.to_owned(), rec.username)),
            Some(_) => {
                // Like knox: an expired token is deleted when it is presented.
                st.tokens.remove(token);
                Err(invalid)
            }
            None => Err(invalid),
        }
    }
}

/// Authenticate an API call, answering the service's 401 on failure.
macro_rules! auth_or_return {
    ($app:expr, $svc:expr, $headers:expr) => {
        match authenticate(&$app, $svc, &$headers, Count::Yes) {
            Ok((_, user)) => user,
            Err(fail) => return fail.into_response($svc, StatusCode::UNAUTHORIZED),
        }
    };
}
pub(super) use auth_or_return;
