//! The commands. Each returns `Ok(())` or the [`Failure`] that decides the exit status.

use std::io::{self, IsTerminal, Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authtoken::store::CacheKey;
use authtoken::{parse_server_error, Client};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::failure::Failure;
use crate::session::{open_store, Session};

/// `authtoken header`: the exact `Authorization` value.
pub fn header(session: &mut Session) -> Result<(), Failure> {
    let header = session.run(|c| c.authorization_header().map(Zeroizing::new))?;
    print_secret(&header)
}

/// `authtoken token`: the bare token.
pub fn token(session: &mut Session) -> Result<(), Failure> {
    let token = session.run(|c| c.token().map(|t| Zeroizing::new(t.secret().to_string())))?;
    print_secret(&token)
}

fn print_secret(secret: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    write_out(writeln!(out, "{secret}").and_then(|()| out.flush()))
}

/// What `authtoken login` learned.
struct LoginReport {
    identity: String,
    store: String,
    obtained_at: SystemTime,
    expires_at: Option<SystemTime>,
    reused: bool,
}

/// `authtoken login`: obtain or reuse a token, and say who and until when.
pub fn login(session: &mut Session) -> Result<(), Failure> {
    let report = session.run(|c| {
        let before = c.cached_token()?;
        let token = c.token()?;
        Ok(LoginReport {
            identity: identity(c),
            store: c.store_description(),
            obtained_at: token.obtained_at(),
            expires_at: token.expires_at(),
            reused: before.is_some_and(|b| b.same_secret(&token)),
        })
    })?;
    let now = SystemTime::now();
    let validity = match report.expires_at {
        Some(exp) => format!("valid until {} ({})", timestamp(exp), relative(exp, now)),
        None => "expiry unknown (valid until the server refuses it)".to_string(),
    };
    let first = if report.reused {
        format!(
            "already logged in as {}: reusing the cached token obtained {}",
            report.identity,
            relative(report.obtained_at, now)
        )
    } else {
        format!("logged in as {}", report.identity)
    };
    let mut out = io::stdout().lock();
    write_out(writeln!(
        out,
        "{first}\ntoken {validity}; cached in {}",
        report.store
    ))
}

/// `user (organization o) on provider (base_url)`.
fn identity(c: &Client) -> String {
    let key = c.cache_key();
    describe_key(key)
}

fn describe_key(key: &CacheKey) -> String {
    let org = key
        .organization
        .as_deref()
        .map(|o| format!(" (organization {o})"))
        .unwrap_or_default();
    format!(
        "{}{org} on {} ({})",
        key.username, key.provider, key.base_url
    )
}

/// `authtoken logout`: revoke where the service can, and forget.
pub fn logout(session: &mut Session) -> Result<(), Failure> {
    let client = session.cache_only_client()?;
    let had = client.cached_token().map_err(Failure::Lib)?.is_some();
    client.logout().map_err(Failure::Lib)?;
    let who = identity(&client);
    let line = if !had {
        format!("no cached token for {who}: nothing to revoke")
    } else if client.has_logout() {
        format!("logged out {who}: the token was revoked and removed from the cache")
    } else {
        format!(
            "logged out {who}: {} has no logout endpoint, so the token was removed from the cache but stays valid on the server until it expires",
            client.config().provider()
        )
    };
    let mut out = io::stdout().lock();
    write_out(writeln!(out, "{line}"))
}

/// `authtoken status`: the cached identities, never the tokens.
pub fn status(session: &Session, as_json: bool) -> Result<(), Failure> {
    let store = open_store(session.settings())?;
    let mut entries = store.list().map_err(Failure::Lib)?;
    entries.sort_by(|a, b| {
        (&a.provider, &a.base_url, &a.username, &a.organization).cmp(&(
            &b.provider,
            &b.base_url,
            &b.username,
            &b.organization,
        ))
    });
    let now = SystemTime::now();
    let mut refusals: Vec<_> = store
        .list_refusals()
        .map_err(Failure::Lib)?
        .into_iter()
        .filter(|r| r.is_active_at(now))
        .collect();
    refusals.sort_by(|a, b| (&a.provider, &a.username).cmp(&(&b.provider, &b.username)));
    let mut out = io::stdout().lock();
    if as_json {
        let list: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "provider": e.provider,
                    "base_url": e.base_url,
                    "username": e.username,
                    "organization": e.organization,
                    "obtained_at": timestamp(UNIX_EPOCH + Duration::from_secs(e.obtained_at)),
                    "expires_at": e.expires().map(timestamp),
                    "expired": e.expires().is_some_and(|exp| exp <= now),
                })
            })
            .collect();
        let refused: Vec<Value> = refusals
            .iter()
            .map(|r| {
                json!({
                    "provider": r.provider,
                    "base_url": r.base_url,
                    "username": r.username,
                    "organization": r.organization,
                    "login_refused": {
                        "kind": r.kind,
                        "status": r.status,
                        "server_message": r.server_message,
                        "error_code": r.error_code,
                        "refused_at": timestamp(r.refused_at()),
                        "until": timestamp(r.until()),
                    },
                })
            })
            .collect();
        let list: Vec<Value> = list.into_iter().chain(refused).collect();
        let text = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
        return write_out(writeln!(out, "{text}"));
    }
    let mut refused_text = String::new();
    for r in &refusals {
        refused_text.push_str(&format!(
            "login refused for {} {}{} at {}: {} (HTTP {}{}); no login is attempted until {} ({}): `authtoken cache clear` lifts it\n",
            r.provider,
            r.username,
            r.organization
                .as_deref()
                .map(|o| format!(" (organization {o})"))
                .unwrap_or_default(),
            r.base_url,
            r.kind,
            r.status.map_or_else(|| "-".into(), |s| s.to_string()),
            r.server_message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default(),
            timestamp(r.until()),
            relative(r.until(), now),
        ));
    }
    if entries.is_empty() {
        return write_out(write!(
            out,
            "no cached tokens in {}\n{refused_text}",
            store.describe()
        ));
    }
    let mut rows = vec![[
        "PROVIDER".to_string(),
        "USERNAME".into(),
        "ORGANIZATION".into(),
        "EXPIRES".into(),
        "BASE URL".into(),
    ]];
    for e in &entries {
        let expires = match e.expires() {
            Some(exp) => format!("{} ({})", timestamp(exp), relative(exp, now)),
            None => "unknown".into(),
        };
        rows.push([
            e.provider.clone(),
            e.username.clone(),
            e.organization.clone().unwrap_or_else(|| "-".into()),
            expires,
            e.base_url.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = format!(
        "{} cached token{} in {}\n",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        store.describe()
    );
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i == 4 {
                    cell.clone()
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text.push_str(&refused_text);
    write_out(out.write_all(text.as_bytes()))
}

/// `authtoken cache clear [--all]`: forget tokens locally, without revoking them.
pub fn cache_clear(session: &Session, all: bool) -> Result<(), Failure> {
    let line = if all {
        let store = open_store(session.settings())?;
        let mut removed = 0;
        for e in store.list().map_err(Failure::Lib)? {
            let key = CacheKey {
                provider: e.provider.clone(),
                base_url: e.base_url.clone(),
                username: e.username.clone(),
                organization: e.organization.clone(),
            };
            if store.remove(&key, None).map_err(Failure::Lib)? {
                removed += 1;
            }
        }
        let mut lifted = 0;
        for r in store.list_refusals().map_err(Failure::Lib)? {
            if store.remove_refusal(&r.key()).map_err(Failure::Lib)? {
                lifted += 1;
            }
        }
        let lifted = if lifted == 0 {
            String::new()
        } else {
            format!(
                "; lifted {lifted} remembered login refusal{}",
                if lifted == 1 { "" } else { "s" }
            )
        };
        format!(
            "removed {removed} cached token{} from {} (not revoked on the server){lifted}",
            if removed == 1 { "" } else { "s" },
            store.describe()
        )
    } else {
        let client = session.cache_only_client()?;
        let had = client.cached_token().map_err(Failure::Lib)?.is_some();
        let refused = client.login_refusal().map_err(Failure::Lib)?.is_some();
        client.forget().map_err(Failure::Lib)?;
        let who = identity(&client);
        let lifted = if refused {
            "; the remembered login refusal was lifted: the next call logs in"
        } else {
            ""
        };
        if had {
            format!("removed the cached token of {who} (not revoked on the server: `authtoken logout` does that){lifted}")
        } else {
            format!("no cached token for {who}{lifted}")
        }
    };
    let mut out = io::stdout().lock();
    write_out(writeln!(out, "{line}"))
}

/// The arguments of `authtoken request`.
pub struct RequestOptions<'a> {
    pub method: &'a str,
    pub path_or_url: &'a str,
    pub json: Option<&'a str>,
    pub data: Option<&'a str>,
    pub headers: &'a [String],
    pub query: &'a [String],
    pub include: bool,
    pub pretty: bool,
    pub raw: bool,
}

/// `authtoken request`: a signed request; the body on stdout; exit 4/5 for 4xx/5xx.
pub fn request(session: &mut Session, opts: &RequestOptions<'_>) -> Result<(), Failure> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for h in opts.headers {
        let (name, value) = h
            .split_once(':')
            .filter(|(n, _)| !n.trim().is_empty())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "-H expects 'Name: Value', got `{}`",
                    h.chars().take(64).collect::<String>()
                ))
            })?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let body = match (opts.json, opts.data) {
        (Some(json), _) => {
            let bytes = read_body("--json", json)?;
            if let Err(e) = serde_json::from_slice::<Value>(&bytes) {
                return Err(Failure::Usage(format!(
                    "--json: the body is not valid JSON ({e}); use --data to send it as it is"
                )));
            }
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            Some(bytes)
        }
        (None, Some(data)) => Some(read_body("--data", data)?),
        (None, None) => None,
    };
    let target = with_query(opts.path_or_url, opts.query)?;
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let response =
        session.run(|c| c.request(opts.method, &target, &header_refs, body.as_deref()))?;

    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let mut text = Vec::new();
    if opts.include {
        text.extend_from_slice(format!("HTTP {}\n", response.status()).as_bytes());
        for (name, value) in response.headers() {
            text.extend_from_slice(format!("{name}: {value}\n").as_bytes());
        }
        text.push(b'\n');
    }
    let raw_body = response.body();
    let pretty = opts.pretty || (terminal && !opts.raw);
    match serde_json::from_slice::<Value>(raw_body) {
        Ok(v) if pretty => {
            text.extend_from_slice(
                serde_json::to_string_pretty(&v)
                    .unwrap_or_default()
                    .as_bytes(),
            );
            text.push(b'\n');
        }
        _ => {
            text.extend_from_slice(raw_body);
            if terminal && !raw_body.is_empty() && !raw_body.ends_with(b"\n") {
                text.push(b'\n');
            }
        }
    }
    write_out(out.write_all(&text).and_then(|()| out.flush()))?;

    let status = response.status();
    if status >= 400 {
        let (message, _) = parse_server_error(raw_body);
        return Err(Failure::Http {
            status,
            message: format!(
                "{} {} answered HTTP {status}{}",
                opts.method.to_ascii_uppercase(),
                response.url(),
                message.map(|m| format!(": {m}")).unwrap_or_default()
            ),
        });
    }
    Ok(())
}

fn read_body(flag: &str, arg: &str) -> Result<Vec<u8>, Failure> {
    match arg.strip_prefix('@') {
        Some("-") => {
            let mut buf = Vec::new();
            io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Local(format!("{flag} @-: cannot read stdin: {e}")))?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path)
            .map_err(|e| Failure::Local(format!("{flag} @{path}: cannot read the file: {e}"))),
        None => Ok(arg.as_bytes().to_vec()),
    }
}

/// Appends `--query` pairs, URL-encoded, to the path or URL.
fn with_query(target: &str, pairs: &[String]) -> Result<String, Failure> {
    if pairs.is_empty() {
        return Ok(target.to_string());
    }
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for pair in pairs {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            Failure::Usage(format!(
                "--query expects NAME=VALUE, got `{}`",
                pair.chars().take(64).collect::<String>()
            ))
        })?;
        encoded.append_pair(name, value);
    }
    let (base, fragment) = match target.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (target, None),
    };
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{sep}{}", encoded.finish());
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Ok(out)
}

/// A write to stdout: a closed pipe (`| head`) ends the command quietly.
fn write_out(result: io::Result<()>) -> Result<(), Failure> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Local(format!("cannot write the output: {e}"))),
    }
}

/// `2026-05-01T20:00:00Z`.
fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|dt| dt.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{secs} s after the epoch"))
}

/// `in 9h 59m` or `3m 2s ago`.
fn relative(t: SystemTime, now: SystemTime) -> String {
    match t.duration_since(now) {
        Ok(ahead) => format!("in {}", span(ahead)),
        Err(e) => format!("{} ago", span(e.duration())),
    }
}

fn span(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes, seconds) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else if minutes > 0 {
        format!("{minutes}m {seconds}s")
    } else {
        format!("{seconds}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_encoded_and_appended() {
        let q = |t: &str, p: &[&str]| {
            with_query(t, &p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
        };
        assert_eq!(q("/api/x/", &["a=b c", "n=1&2"]), "/api/x/?a=b+c&n=1%262");
        assert_eq!(q("/api/x/?page=2", &["q=é"]), "/api/x/?page=2&q=%C3%A9");
        assert_eq!(q("/api/x/#frag", &["a=1"]), "/api/x/?a=1#frag");
        assert!(with_query("/x", &["novalue".to_string()]).is_err());
    }

    #[test]
    fn spans() {
        assert_eq!(span(Duration::from_secs(36_000 - 30)), "9h 59m");
        assert_eq!(span(Duration::from_secs(62)), "1m 2s");
        assert_eq!(span(Duration::from_secs(3 * 86_400 + 7200)), "3d 2h");
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(1_764_000_000)),
            "2025-11-24T16:00:00Z"
        );
    }
}
