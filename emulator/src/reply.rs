//! The JSON replies shared by the services' handlers and the admin API: a JSON response,
//! DRF's `{"detail": …}` body, and [`ApiError`], an error answer to return in a `Result`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, v: Value) -> Response {
    (status, axum::Json(v)).into_response()
}

/// A DRF-style `{"detail": msg}` response.
pub(crate) fn detail(status: StatusCode, msg: &str) -> Response {
    json_response(status, json!({ "detail": msg }))
}

/// An error answer (status and JSON body), small enough to return in a `Result`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    /// `{"detail": msg}`.
    pub fn detail(status: StatusCode, msg: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "detail": msg.into() }),
        }
    }

    /// Any JSON body.
    pub fn json(status: StatusCode, body: Value) -> ApiError {
        ApiError { status, body }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, self.body)
    }
}
