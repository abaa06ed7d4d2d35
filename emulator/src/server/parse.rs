//! Reading request bodies the way DRF's parsers and serializer fields do: the size limit,
//! JSON or url-encoded bodies into an object, and required string fields.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

use crate::reply::ApiError;

/// Largest request body read by the emulator (login bodies, echo bodies).
pub(super) const MAX_BODY: usize = 64 * 1024 * 1024;

/// Parse a request body the way DRF's default parsers do (JSON, or a url-encoded form) into
/// an object; the error is the 400/415 answer.
pub(crate) fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let ctype = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase());
    let mime = ctype
        .as_deref()
        .map(|c| c.split(';').next().unwrap_or("").trim().to_owned());
    let value: Value = match mime.as_deref() {
        None | Some("") | Some("application/json") => parse_json(body)?,
        Some(m) if m.ends_with("+json") => parse_json(body)?,
        Some("application/x-www-form-urlencoded") => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
                ApiError::detail(StatusCode::BAD_REQUEST, format!("Form parse error - {e}"))
            })?;
            Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            )
        }
        Some(other) => {
            return Err(ApiError::detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Unsupported media type \"{other}\" in request."),
            ))
        }
    };
    match value {
        Value::Object(m) => Ok(m),
        other => {
            let kind = match other {
                Value::Array(_) => "list",
                Value::String(_) => "str",
                Value::Number(n) if n.is_f64() => "float",
                Value::Number(_) => "int",
                Value::Bool(_) => "bool",
                _ => "NoneType",
            };
            Err(ApiError::json(
                StatusCode::BAD_REQUEST,
                json!({"non_field_errors": [format!("Invalid data. Expected a dictionary, but got {kind}.")]}),
            ))
        }
    }
}

pub(super) fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        // DRF treats an empty body as empty data.
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::detail(StatusCode::BAD_REQUEST, format!("JSON parse error - {e}")))
}

/// Read a required string field (DRF CharField: numbers are accepted as text).
pub(super) fn required(
    data: &Map<String, Value>,
    name: &str,
    trim: bool,
    errors: &mut Map<String, Value>,
) -> Option<String> {
    let s = match data.get(name) {
        Some(Value::String(s)) => {
            if trim {
                s.trim().to_owned()
            } else {
                s.clone()
            }
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(_) | Value::Array(_) | Value::Object(_)) => {
            errors.insert(name.into(), json!(["Not a valid string."]));
            return None;
        }
        None | Some(Value::Null) => String::new(),
    };
    if s.is_empty() {
        errors.insert(name.into(), json!(["This field is required."]));
        return None;
    }
    Some(s)
}
