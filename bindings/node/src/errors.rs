//! Core errors as JavaScript errors that index.js turns into `AuthTokenError` subclasses.

use std::any::Any;

use authtoken::{Error, ErrorKind};
use serde_json::json;

/// The start of the message of every error this addon throws; a JSON object follows.
pub const ERROR_MARKER: &str = "\u{1}authtoken-error:";

/// The JavaScript error for a core error: the marker, then `code`, `kind`, `message`,
/// `status`, `serverMessage`, `errorCode` and `retryAfter` (seconds) as JSON.
pub fn to_napi(error: &Error) -> napi::Error {
    let payload = json!({
        "code": error.kind().code(),
        "kind": error.kind().name(),
        "message": error.message(),
        "status": error.status(),
        "serverMessage": error.server_message(),
        "errorCode": error.error_code(),
        "retryAfter": error.retry_after().map(|d| d.as_secs_f64()),
    });
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{ERROR_MARKER}{payload}"),
    )
}

/// The `internal` error for a panic caught inside the core.
pub fn internal(payload: Box<dyn Any + Send>) -> napi::Error {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    to_napi(&Error::new(
        ErrorKind::Internal,
        format!("internal error in authtoken (a bug; please report it): {detail}"),
    ))
}
