//! Answers to signed requests, and the servers' error bodies.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::RawResponse;
use crate::redact::redact;
use crate::status::{parse_retry_after, status_error, Exchange};
use crate::token::Token;

/// The answer to a signed request: status, headers and the whole body.
///
/// `Response` owns its data and is `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    url: String,
    /// The token the request was signed with, scrubbed from the errors built from the body
    /// (a server or proxy may echo the Authorization header). Its `Debug` hides the secret.
    signed_with: Option<Arc<Token>>,
}

impl Response {
    pub(crate) fn from_raw(raw: RawResponse) -> Response {
        let headers = raw
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Response {
            status: raw.status,
            headers,
            body: raw.body,
            url: raw.url.to_string(),
            signed_with: None,
        }
    }

    /// Records the token the request was signed with, so that no error shows it.
    pub(crate) fn signed_with(mut self, token: Arc<Token>) -> Response {
        self.signed_with = Some(token);
        self
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Every header, names in lower case, in the order received.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taken out of the response.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The final URL (after redirects).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    /// `Protocol` when the body is not JSON of the expected shape.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::protocol(format!("the response body is not the expected JSON: {e}"))
                .with_status(self.status)
        })
    }

    /// `Ok(self)` for 1xx–3xx; otherwise an error whose kind follows the status
    /// (401 `Unauthorized`, 403 `Forbidden`, 429 `RateLimited`, 5xx `Server`, other 4xx
    /// `HttpStatus`) carrying the status and the server's message (with the token the request
    /// was signed with scrubbed out, should the server have echoed it).
    ///
    /// # Errors
    /// As described.
    pub fn error_for_status(self) -> Result<Response> {
        if self.status < 400 {
            return Ok(self);
        }
        let (message, code) = parse_server_error(&self.body);
        let secrets: Vec<&str> = self.signed_with.iter().map(|t| t.secret()).collect();
        let message = message.map(|m| redact(&m, &secrets));
        let code = code.map(|c| redact(&c, &secrets));
        let retry_after = self.header("retry-after").and_then(parse_retry_after);
        let text = format!(
            "HTTP {} from {}{}",
            self.status,
            self.url.split('?').next().unwrap_or(""),
            message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
        Err(status_error(
            Exchange::Request,
            self.status,
            text,
            message,
            code,
            retry_after,
        ))
    }
}

const MAX_MESSAGE_CHARS: usize = 500;

/// The server's message and `error_code` from a Django REST framework style error body.
///
/// Looks, in order, at `detail` (a string, or an object with `message`), `message`, `error`,
/// `non_field_errors` (a list), then per-field lists (`username: This field is required.`).
/// Never fails: a body that is not JSON gives its first line when it looks like text.
pub fn parse_server_error(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let plain =
            !line.is_empty() && !line.starts_with('<') && line.chars().all(|c| !c.is_control());
        return (plain.then(|| clip(line)), None);
    };
    let Some(obj) = json.as_object() else {
        return (text_of(&json).map(|s| clip(&s)), None);
    };
    let code = obj.get("error_code").and_then(text_of).map(|s| clip(&s));
    let detail = obj.get("detail").and_then(|d| match d {
        Value::Object(o) => o.get("message").and_then(text_of),
        other => text_of(other),
    });
    let message = detail
        .or_else(|| obj.get("message").and_then(text_of))
        .or_else(|| obj.get("error").and_then(text_of))
        .or_else(|| obj.get("non_field_errors").and_then(text_of))
        .or_else(|| {
            let fields: Vec<String> = obj
                .iter()
                .filter(|(k, _)| *k != "error_code")
                .filter_map(|(k, v)| match v {
                    Value::Array(_) => text_of(v).map(|m| format!("{k}: {m}")),
                    _ => None,
                })
                .collect();
            (!fields.is_empty()).then(|| fields.join("; "))
        });
    (message.map(|m| clip(&m)), code)
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn clip(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned.chars().count() <= MAX_MESSAGE_CHARS {
        cleaned
    } else {
        let mut out: String = cleaned.chars().take(MAX_MESSAGE_CHARS).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> (Option<String>, Option<String>) {
        parse_server_error(body.as_bytes())
    }

    #[test]
    fn order_of_places() {
        assert_eq!(
            msg(r#"{"detail": "Invalid token."}"#).0.as_deref(),
            Some("Invalid token.")
        );
        assert_eq!(
            msg(r#"{"detail": {"message": "m"}}"#).0.as_deref(),
            Some("m")
        );
        assert_eq!(
            msg(r#"{"message": "a", "error": "b"}"#).0.as_deref(),
            Some("a")
        );
        assert_eq!(
            msg(r#"{"error": "Maximum amount of tokens allowed per user exceeded."}"#)
                .0
                .as_deref(),
            Some("Maximum amount of tokens allowed per user exceeded.")
        );
        assert_eq!(
            msg(r#"{"non_field_errors": ["Unable to log in with provided credentials."]}"#)
                .0
                .as_deref(),
            Some("Unable to log in with provided credentials.")
        );
        assert_eq!(
            msg(r#"{"username": ["This field is required."]}"#)
                .0
                .as_deref(),
            Some("username: This field is required.")
        );
        let (m, c) = msg(r#"{"detail": "Too many", "error_code": "max_login_exceeded"}"#);
        assert_eq!(
            (m.as_deref(), c.as_deref()),
            (Some("Too many"), Some("max_login_exceeded"))
        );
        assert_eq!(msg("<html>502</html>").0, None);
        assert_eq!(msg("Bad Gateway\n").0.as_deref(), Some("Bad Gateway"));
        assert_eq!(msg("").0, None);
        assert_eq!(
            msg(&format!("{{\"detail\": \"{}\"}}", "x".repeat(2000)))
                .0
                .unwrap()
                .chars()
                .count(),
            501
        );
    }

    #[test]
    fn an_echoed_token_is_not_part_of_the_error() {
        let now = std::time::SystemTime::now();
        let token = Arc::new(Token::new(
            "0123456789abcdef0123".into(),
            "Token",
            now,
            None,
        ));
        let raw = RawResponse {
            status: 400,
            headers: Default::default(),
            body: br#"{"detail": "bad request with Token 0123456789abcdef0123", "error_code": "0123456789abcdef0123"}"#.to_vec(),
            url: url::Url::parse("https://api.example.com/x").unwrap(),
        };
        let e = Response::from_raw(raw)
            .signed_with(token)
            .error_for_status()
            .unwrap_err();
        assert_eq!(
            e.server_message(),
            Some("bad request with Token <redacted>")
        );
        assert_eq!(e.error_code(), Some("<redacted>"));
        assert!(!format!("{e} {e:?}").contains("0123456789abcdef0123"));
    }

    #[test]
    fn error_for_status_reads_retry_after_as_seconds_or_an_http_date() {
        // The copy this replaced read seconds only; a date now counts, as for logins.
        let answer = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::RETRY_AFTER, value.parse().unwrap());
            Response::from_raw(RawResponse {
                status: 429,
                headers,
                body: Vec::new(),
                url: url::Url::parse("https://api.example.com/x").unwrap(),
            })
            .error_for_status()
            .unwrap_err()
        };
        assert_eq!(
            answer("30").retry_after(),
            Some(std::time::Duration::from_secs(30))
        );
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(90);
        let e = answer(&httpdate::fmt_http_date(later));
        assert_eq!(e.kind(), crate::ErrorKind::RateLimited);
        let wait = e.retry_after().expect("an HTTP date is read");
        assert!(wait > std::time::Duration::from_secs(60), "{wait:?}");
    }
}
