//! Keeping secrets out of what is shown: the one scrubber of tokens and passwords in text, and
//! the one way a URL is shown in messages and logs (no credentials, no query).
//!
//! A leaf module (it depends on nothing else in the crate), so that every layer (the client,
//! responses, the stores, the config) can use it without importing another.

use url::Url;

/// Replaces every occurrence of each secret (of 4 or more characters) with `<redacted>`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        if out.contains(*s) {
            out = out.replace(*s, "<redacted>");
        }
    }
    out
}

/// A URL for messages: scheme, host, port and path, without credentials, query or fragment
/// (which may carry secrets: a password, a token in `?key=`).
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(
            redact("bad password hunter2!", &["hunter2"]),
            "bad password <redacted>!"
        );
        assert_eq!(redact("abc", &["ab"]), "abc");
    }

    #[test]
    fn a_url_is_shown_without_credentials_query_or_fragment() {
        let url = Url::parse("https://user:pw@api.example.com:8443/a/b/?token=s3cret#x").unwrap();
        assert_eq!(display_url(&url), "https://api.example.com:8443/a/b/");
        let redis = Url::parse("rediss://:pw@10.0.0.5").unwrap();
        assert_eq!(display_url(&redis), "rediss://10.0.0.5");
    }
}
