//! HTTP done once, for every binding: reqwest (rustls) with connect and total timeouts, the
//! HTTPS rule, capped body sizes, and bounded retries with jitter.
//!
//! reqwest's async client runs on a current-thread Tokio runtime that the calling thread
//! drives for the length of its request (`block_on`). reqwest's blocking client would hand
//! every request to a runtime thread of its own and wait for the answer: two thread
//! switches per request, most of a keep-alive GET's time on loopback (docs/bench-http.md).

use std::future::Future;
use std::mem::ManuallyDrop;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE,
};
use reqwest::Client as ReqwestClient;
use reqwest::Method;
use url::Url;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::provider::is_loopback;
use crate::redact::{display_url, redact};
use crate::status::parse_retry_after;
use crate::token::Token;

/// Largest login, logout or error body read; larger ones are a protocol error.
pub(crate) const SMALL_BODY_LIMIT: u64 = 1 << 20;
const MAX_REDIRECTS: usize = 10;
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// One HTTP request to send.
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    pub url: &'a Url,
    pub headers: &'a HeaderMap,
    pub body: Option<&'a [u8]>,
    /// The token to sign with; it is also kept out of the URL shown in logs.
    pub authorization: Option<&'a Token>,
    /// Whether the request may be sent again after it may have reached the server.
    pub idempotent: bool,
    pub body_limit: u64,
}

impl Outgoing<'_> {
    /// The URL for logs: no credentials or query, and not the token, should a caller have
    /// put it in the path. (Errors are scrubbed as a whole, in `Http::send`.)
    fn shown_url(&self) -> String {
        let shown = display_url(self.url);
        match self.authorization {
            Some(token) => redact(&shown, &[token.secret()]),
            None => shown,
        }
    }
}

/// An answer, fully read.
pub(crate) struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: Url,
}

impl RawResponse {
    /// The server's clock, from the `Date` header.
    pub fn date(&self) -> Option<SystemTime> {
        let v = self.headers.get(reqwest::header::DATE)?.to_str().ok()?;
        httpdate::parse_http_date(v).ok()
    }

    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }
}

/// The reqwest client of one `Http` and the runtime its connections live on.
struct Clients {
    pid: u32,
    client: ReqwestClient,
    /// Dropped after the clients, with `shutdown_background` (see `Drop`).
    runtime: ManuallyDrop<tokio::runtime::Runtime>,
}

impl Clients {
    /// Runs `request` to completion on this thread, which drives the runtime meanwhile.
    fn run<F>(&self, request: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let fut = async {
            // While no thread drove the runtime, a server may have closed an idle keep-alive
            // connection: let the pool see that before it lends one.
            settle().await;
            request.await
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Called from a task of the caller's own runtime, whose thread may not block on
            // another: the request runs on a thread of its own.
            std::thread::scope(|scope| {
                scope
                    .spawn(|| self.runtime.block_on(fut))
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        } else {
            self.runtime.block_on(fut)
        }
    }
}

/// Two turns of the current-thread scheduler: the first polls the sockets, the second runs the
/// connection tasks that woke (a connection the server closed, a request abandoned by its
/// caller), which otherwise run only when the next request drives the runtime.
async fn settle() {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

impl Drop for Clients {
    fn drop(&mut self) {
        // SAFETY: `runtime` is taken once, here, and never used again; the client drops
        // after this body, its connection tasks already gone with the runtime.
        let runtime = unsafe { ManuallyDrop::take(&mut self.runtime) };
        // Not a blocking shutdown: the last client may be dropped inside a caller's async task.
        runtime.shutdown_background();
    }
}

/// The HTTP layer of one client. `Send + Sync`: threads calling at once each drive the
/// runtime in turn. Rebuilt after `fork()` (the runtime's epoll instance is shared with the
/// parent).
pub(crate) struct Http {
    /// `None` only while `Http` is being dropped.
    clients: Mutex<Option<Arc<Clients>>>,
    settings: Settings,
}

impl Drop for Http {
    fn drop(&mut self) {
        let clients = self
            .clients
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(stale) = clients.filter(|c| c.pid != std::process::id()) {
            forget_forked(stale);
        }
    }
}

/// Leaks clients inherited through `fork()`. Their runtime's epoll instance and sockets are
/// shared with the parent: shutting them down in the child would deregister the parent's
/// connections. One leaked pool per client per fork is the price of not disturbing it.
fn forget_forked(clients: Arc<Clients>) {
    std::mem::forget(clients);
}

#[derive(Clone)]
struct Settings {
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    ca_pem: Option<Vec<u8>>,
    allow_insecure_http: bool,
    max_retries: u32,
    max_retry_wait: Duration,
    /// The login and logout URLs: their redirects are never followed (a 307 would resend the
    /// password elsewhere).
    auth_urls: Vec<Url>,
}

impl Http {
    pub fn new(config: &Config) -> Result<Http> {
        let ca_pem = match &config.ca_file {
            None => None,
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                Error::new(
                    ErrorKind::Tls,
                    format!("could not read ca_file {}: {e}", path.display()),
                )
            })?),
        };
        let settings = Settings {
            timeout: config.timeout,
            connect_timeout: config.connect_timeout,
            user_agent: config
                .user_agent
                .clone()
                .unwrap_or_else(|| format!("authtoken/{}", env!("CARGO_PKG_VERSION"))),
            ca_pem,
            allow_insecure_http: config.allow_insecure_http,
            max_retries: config.max_retries,
            max_retry_wait: config.max_retry_wait,
            auth_urls: [
                Some(&config.profile.login_path),
                config.profile.logout_path.as_ref(),
            ]
            .into_iter()
            .flatten()
            .filter_map(|path| Url::parse(&config.profile.url(path)).ok())
            .collect(),
        };
        let clients = build_clients(&settings)?;
        Ok(Http {
            clients: Mutex::new(Some(Arc::new(clients))),
            settings,
        })
    }

    fn clients(&self) -> Result<Arc<Clients>> {
        let mut guard = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_ref() {
            Some(current) if current.pid == std::process::id() => Ok(Arc::clone(current)),
            _ => {
                // In a forked child the parent's pool and runtime thread are unusable.
                let fresh = Arc::new(build_clients(&self.settings)?);
                if let Some(stale) = guard.replace(Arc::clone(&fresh)) {
                    forget_forked(stale);
                }
                Ok(fresh)
            }
        }
    }

    /// Sends `req`, retrying as its idempotency allows. No error shows the token it signs with.
    pub fn send(&self, req: &Outgoing<'_>) -> Result<RawResponse> {
        self.send_retrying(req)
            .map_err(|e| match req.authorization {
                Some(token) => e.scrubbed(&[token.secret()]),
                None => e,
            })
    }

    fn send_retrying(&self, req: &Outgoing<'_>) -> Result<RawResponse> {
        check_url_scheme(req.url, self.settings.allow_insecure_http)?;
        let clients = self.clients()?;
        let client = &clients.client;
        let mut attempt: u32 = 0;
        loop {
            let outcome = clients.run(async {
                let outcome = self.send_once(client, req).await;
                if outcome.is_err() {
                    // A request given up mid-flight (a timeout, an answer over the size limit)
                    // leaves its connection to the pool's task, which closes it only when it
                    // runs: now, so that the server sees the close at once and can stop its
                    // work (a login it would otherwise complete, issuing a token nobody gets).
                    settle().await;
                }
                outcome
            });
            let retries_left = attempt < self.settings.max_retries;
            let wait = match &outcome {
                Ok(resp) if retries_left && req.idempotent && is_retryable_status(resp.status) => {
                    match resp.retry_after() {
                        Some(ra) if ra > self.settings.max_retry_wait => {
                            return outcome.map_err(|e| e.error)
                        }
                        Some(ra) => ra,
                        None => backoff(attempt),
                    }
                }
                // A protocol error (an answer over the size limit) would only repeat: it is
                // not retried, so a persistent one is not downloaded max_retries + 1 times.
                Err(SendError {
                    reached_server,
                    error,
                }) if retries_left
                    && error.kind() != ErrorKind::Protocol
                    && (req.idempotent || !reached_server) =>
                {
                    backoff(attempt)
                }
                _ => return outcome.map_err(|e| e.error),
            };
            log::debug!(
                "retrying {} {} in {} ms (attempt {} of {})",
                req.method,
                req.shown_url(),
                wait.as_millis(),
                attempt + 2,
                self.settings.max_retries + 1
            );
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        client: &ReqwestClient,
        req: &Outgoing<'_>,
    ) -> Result<RawResponse, SendError> {
        let mut builder = client
            .request(req.method.clone(), req.url.clone())
            .headers(req.headers.clone());
        if !req.headers.contains_key(ACCEPT) {
            builder = builder.header(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if let Some(token) = req.authorization {
            let mut value = HeaderValue::from_str(token.header_value()).map_err(|_| SendError {
                error: Error::protocol(
                    "the token contains characters not allowed in an HTTP header",
                ),
                reached_server: false,
            })?;
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        if let Some(body) = req.body {
            if body.is_empty() && !req.headers.contains_key(CONTENT_LENGTH) {
                // An empty body is still a body (`PUT` with nothing): say so, as curl and
                // reqwest's blocking client do; hyper sends no length for an empty one.
                builder = builder.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            builder = builder.body(body.to_vec());
        }
        let mut resp = builder
            .send()
            .await
            .map_err(|e| classify(e, req.url, &self.settings))?;
        let status = resp.status().as_u16();
        let limit = if (200..300).contains(&status) {
            req.body_limit
        } else {
            SMALL_BODY_LIMIT
        };
        let too_large = || SendError {
            error: Error::protocol(format!(
                "the answer from {} is larger than {limit} bytes; refusing to read it",
                display_url(req.url)
            ))
            .with_status(status),
            reached_server: true,
        };
        let declared = resp.content_length().unwrap_or(0);
        if declared > limit {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(declared as usize);
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let kind = if e.is_timeout() {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Network
                    };
                    return Err(SendError {
                        error: Error::new(
                            kind,
                            format!(
                                "reading the answer from {} failed: {}",
                                display_url(req.url),
                                root_cause(&e)
                            ),
                        ),
                        reached_server: true,
                    });
                }
            }
        }
        Ok(RawResponse {
            status,
            headers: std::mem::take(resp.headers_mut()),
            url: resp.url().clone(),
            body,
        })
    }
}

struct SendError {
    error: Error,
    /// False only when the request provably never reached the server (no connection).
    reached_server: bool,
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// Exponential backoff with jitter: a random wait between half and all of
/// `min(cap, base * 2^attempt)`, so that many clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(1 << attempt.min(16))
        .min(BACKOFF_CAP);
    let half = full / 2;
    half + Duration::from_nanos(fastrand::u64(0..=half.as_nanos() as u64))
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    parse_retry_after(headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?)
}

fn build_clients(s: &Settings) -> Result<Clients> {
    let insecure = s.allow_insecure_http;
    let auth_urls = s.auth_urls.clone();
    // One client, so that logins and requests share the pool: a redirect from the login or
    // logout URL is handed back as the answer (the caller reports it), never followed.
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt
            .previous()
            .first()
            .is_some_and(|first| auth_urls.contains(first))
        {
            attempt.stop()
        } else if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if attempt.url().scheme() == "http" && !insecure && !is_loopback(attempt.url()) {
            attempt.error(
                "refusing a redirect to plain http:// (set allow_insecure_http to permit it)",
            )
        } else {
            // reqwest drops Authorization when the host or port changes.
            attempt.follow()
        }
    });
    let client = {
        let mut b = ReqwestClient::builder()
            .timeout(s.timeout)
            .connect_timeout(s.connect_timeout)
            .user_agent(s.user_agent.clone())
            .redirect(policy)
            .pool_idle_timeout(Duration::from_secs(50))
            .referer(false);
        if let Some(pem) = &s.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::new(
                    ErrorKind::Tls,
                    format!("ca_file is not a PEM certificate bundle: {e}"),
                )
            })?;
            if certs.is_empty() {
                return Err(Error::new(
                    ErrorKind::Tls,
                    "ca_file holds no PEM certificate",
                ));
            }
            for cert in certs {
                b = b.add_root_certificate(cert);
            }
        }
        b.build().map_err(|e| {
            Error::new(
                ErrorKind::Tls,
                format!("could not set up HTTPS: {}", root_cause(&e)),
            )
        })?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("could not start the HTTP runtime: {e}"),
            )
        })?;
    Ok(Clients {
        pid: std::process::id(),
        client,
        runtime: ManuallyDrop::new(runtime),
    })
}

fn check_url_scheme(url: &Url, allow_insecure_http: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(url) => Ok(()),
        _ => Err(Error::argument(format!(
            "refusing to send credentials over {}; use https:// or set allow_insecure_http",
            display_url(url)
        ))),
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn chain_mentions_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let text = err.to_string().to_ascii_lowercase();
        if [
            "certificate",
            "tls",
            "handshake",
            "invalidcontenttype",
            "corrupt message",
            "peer is incompatible",
        ]
        .iter()
        .any(|w| text.contains(w))
        {
            return true;
        }
        cur = err.source();
    }
    false
}

fn classify(e: reqwest::Error, url: &Url, s: &Settings) -> SendError {
    let e = e.without_url();
    let shown = display_url(url);
    if e.is_timeout() {
        let what = if e.is_connect() {
            format!(
                "connecting to {shown} timed out after {} ms",
                s.connect_timeout.as_millis()
            )
        } else {
            format!("{shown} did not answer within {} ms", s.timeout.as_millis())
        };
        return SendError {
            error: Error::new(ErrorKind::Timeout, what),
            reached_server: !e.is_connect(),
        };
    }
    if chain_mentions_tls(&e) {
        return SendError {
            error: Error::new(
                ErrorKind::Tls,
                format!("TLS with {shown} failed: {}", root_cause(&e)),
            ),
            reached_server: false,
        };
    }
    if e.is_connect() {
        return SendError {
            error: Error::new(
                ErrorKind::Network,
                format!("could not connect to {shown}: {}", root_cause(&e)),
            ),
            reached_server: false,
        };
    }
    if e.is_redirect() {
        return SendError {
            error: Error::argument(format!("redirect from {shown} refused: {}", root_cause(&e))),
            reached_server: true,
        };
    }
    SendError {
        error: Error::new(
            ErrorKind::Network,
            format!("the connection to {shown} failed: {}", root_cause(&e)),
        ),
        reached_server: true,
    }
}

/// Parses a method name (case-insensitive) among the ones authtoken sends.
pub(crate) fn parse_method(method: &str) -> Result<Method> {
    let upper = method.to_ascii_uppercase();
    match upper.as_str() {
        "GET" => Ok(Method::GET),
        "HEAD" => Ok(Method::HEAD),
        "POST" => Ok(Method::POST),
        "PUT" => Ok(Method::PUT),
        "PATCH" => Ok(Method::PATCH),
        "DELETE" => Ok(Method::DELETE),
        "OPTIONS" => Ok(Method::OPTIONS),
        _ => Err(Error::argument(format!(
            "unknown HTTP method `{}`; use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS",
            method.chars().take(32).collect::<String>()
        ))),
    }
}

/// Validated extra headers for a signed request.
pub(crate) fn header_map<'a, I>(headers: I) -> Result<HeaderMap>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            Error::argument(format!(
                "invalid header name `{}`",
                name.chars().take(64).collect::<String>()
            ))
        })?;
        if header == AUTHORIZATION {
            return Err(Error::argument(
                "the Authorization header is set by authtoken; do not pass one",
            ));
        }
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            Error::argument(format!(
                "invalid value for header `{header}` (control characters or non-ASCII)"
            ))
        })?;
        map.append(header, value);
    }
    Ok(map)
}

pub(crate) fn json_content_type() -> (HeaderName, HeaderValue) {
    (CONTENT_TYPE, HeaderValue::from_static("application/json"))
}
