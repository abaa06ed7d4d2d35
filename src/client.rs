//! The client: one path to a token (single-flight), signed requests with compare-and-
//! invalidate on 401, and logout.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLockReadGuard, Weak};
use std::time::{Duration, SystemTime};

use once_cell::sync::Lazy;
use reqwest::header::HeaderMap;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;
use zeroize::Zeroizing;

use crate::config::Config;
use crate::cooloff;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{self, Http, Outgoing, RawResponse, SMALL_BODY_LIMIT};
use crate::provider::same_origin;
use crate::redact::{display_url, redact};
use crate::response::{parse_server_error, Response};
use crate::status::{kind_for, status_error, Exchange};
use crate::store::{self, CacheKey, Entry, TokenStore};
use crate::token::{duration_nanos, is_token_shaped, jwt_expiry, parse_expiry, unix_nanos, Token};

mod current;
use current::CurrentToken;

/// Per-identity state shared by every client of this process: the current token (the warm
/// path reads it under a read lock, or its lock-free summary), the login gate (single-flight), and how many logins
/// this process has made for the identity (to tell a token it just obtained from one it
/// found in the store).
#[derive(Default)]
struct Slot {
    current: CurrentToken,
    gate: Mutex<()>,
    logins: AtomicU64,
}

static SLOTS: Lazy<Mutex<HashMap<String, Weak<Slot>>>> = Lazy::new(Default::default);

fn slot_for(key: &CacheKey) -> Arc<Slot> {
    let mut slots = SLOTS.lock().unwrap_or_else(PoisonError::into_inner);
    slots.retain(|_, weak| weak.strong_count() > 0);
    let id = key.id();
    if let Some(slot) = slots.get(&id).and_then(Weak::upgrade) {
        return slot;
    }
    let slot = Arc::new(Slot::default());
    slots.insert(id, Arc::downgrade(&slot));
    slot
}

/// A client for one identity on one service.
///
/// `Client` is `Send + Sync` and cheap to clone (clones share everything). Clients of the same
/// identity in one process share one token and one login gate, whichever `Client` they are.
pub struct Client {
    inner: Arc<Inner>,
}

impl Clone for Client {
    fn clone(&self) -> Self {
        Client {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("provider", &self.inner.config.provider)
            .field("base_url", &self.inner.config.profile.base_url)
            .field("username", &self.inner.config.username)
            .field("store", &self.inner.store.describe())
            .finish_non_exhaustive()
    }
}

struct Inner {
    config: Config,
    http: Http,
    key: CacheKey,
    slot: Arc<Slot>,
    store: Arc<dyn TokenStore>,
    /// `config.refresh_margin`, as the freshness rule takes it.
    refresh_margin_ns: u64,
    /// The scrypt hash of the password for refusal records, computed on first need only.
    password_hash: OnceLock<String>,
}

impl Client {
    /// A client for `config`, with the store the configuration names.
    ///
    /// No network traffic happens here; the first login is on first use.
    ///
    /// # Errors
    /// `InvalidConfig` for an unusable configuration, `Tls` for an unreadable `ca_file`,
    /// `Store` when the configured store cannot be opened.
    pub fn new(config: Config) -> Result<Client> {
        let store = store::open(&config)?;
        Client::with_store(config, store)
    }

    /// A client from a JSON configuration document (see [`Config::from_json`]).
    ///
    /// # Errors
    /// As [`Config::from_json`] and [`Client::new`].
    pub fn from_json(json: &str) -> Result<Client> {
        Client::new(Config::from_json(json)?)
    }

    /// A client that keeps its tokens in `store`.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn with_store(config: Config, store: Arc<dyn TokenStore>) -> Result<Client> {
        let http = Http::new(&config)?;
        let key = CacheKey::for_config(&config);
        let slot = slot_for(&key);
        let refresh_margin_ns = duration_nanos(config.refresh_margin);
        Ok(Client {
            inner: Arc::new(Inner {
                refresh_margin_ns,
                config,
                http,
                key,
                slot,
                store,
                password_hash: OnceLock::new(),
            }),
        })
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The identity under which this client's token is shared.
    pub fn cache_key(&self) -> &CacheKey {
        &self.inner.key
    }

    /// The base URL requests are sent to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.config.profile.base_url
    }

    /// The store's description (`memory`, `file:…`, `redis:…`).
    pub fn store_description(&self) -> String {
        self.inner.store.describe()
    }

    /// A valid token: the one in memory, else the store's, else a new login.
    ///
    /// This is the only way a token is obtained. Concurrent callers in this process wait for
    /// one login; callers in other processes sharing the store wait on its lock and then
    /// read the token it saved. A token within `refresh_margin_s` of its expiry is replaced;
    /// if replacing it fails while it is still valid, it is used and a warning is logged.
    ///
    /// # Errors
    /// `InvalidCredentials`, `TokenLimit`, `Forbidden`, `RateLimited`, `Network`, `Timeout`,
    /// `Tls`, `Server` or `Protocol` from the login; `Store` or `LockTimeout` from the store.
    pub fn token(&self) -> Result<Arc<Token>> {
        let inner = &*self.inner;
        if let Some(token) = inner.fresh_in_memory() {
            return Ok(token);
        }
        let _gate = inner
            .slot
            .gate
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(token) = inner.fresh_in_memory() {
            return Ok(token);
        }
        if let Some(token) = inner.fresh_in_store()? {
            return Ok(inner.remember(token));
        }
        // A remembered refusal answers at once, without queueing on the lock.
        if let Some(remembered) = inner.active_refusal()? {
            return inner.fail_login(remembered);
        }
        let _lock = inner.store.lock(&inner.key, inner.config.lock_timeout)?;
        if let Some(token) = inner.fresh_in_store()? {
            return Ok(inner.remember(token));
        }
        // Another process may have been refused while this one waited for the lock.
        if let Some(remembered) = inner.active_refusal()? {
            return inner.fail_login(remembered);
        }
        match inner.login() {
            Ok(token) => {
                let entry = Entry::new(&inner.key, &token);
                if let Err(e) = inner.store.save(&inner.key, &entry) {
                    // The token is good: use it, but say that others cannot share it.
                    log::warn!(
                        "authtoken: could not save the token to {}: {e}",
                        inner.store.describe()
                    );
                }
                if let Err(e) = inner.store.remove_refusal(&inner.key) {
                    log::warn!(
                        "authtoken: could not remove the passed login refusal from {}: {e}",
                        inner.store.describe()
                    );
                }
                inner.slot.logins.fetch_add(1, Ordering::Relaxed);
                Ok(inner.remember(token))
            }
            Err(e) => {
                let e = inner.record_refusal(e);
                inner.fail_login(e)
            }
        }
    }

    /// Calls `f` with the `Authorization` header value (as [`Client::authorization_header`]
    /// returns it) and returns what `f` returns. A warm call neither allocates nor touches the
    /// token's reference count: `f` runs under the slot's read lock, so it must be short and
    /// must not call this client (copy the value out, as the C ABI's
    /// `authtoken_client_authorization_header_into()` does).
    ///
    /// # Errors
    /// As [`Client::token`].
    pub fn with_authorization_header<R>(&self, f: impl FnOnce(&str) -> R) -> Result<R> {
        if let Some(token) = self.inner.fresh_current() {
            return Ok(f(token.header_value()));
        }
        Ok(f(self.token()?.header_value()))
    }

    /// The [`Token::serial`] of the fresh token this client holds in memory, or `None` when it
    /// holds none (none obtained yet, expired or within `refresh_margin_s` of its expiry,
    /// invalidated, forgotten, logged out). Never logs in or reads the store; lock-free while a
    /// token is held, else it waits only for a token being replaced.
    ///
    /// For bindings that keep a copy of the header in their own language: while this returns
    /// the serial of the token their copy came from, the copy is what
    /// [`Client::authorization_header`] would return; on any other answer, ask that again.
    pub fn fresh_token_serial(&self) -> Option<u64> {
        let inner = &*self.inner;
        inner
            .slot
            .current
            .fresh_serial(coarse_now_ns(), inner.refresh_margin_ns)
    }

    /// The `Authorization` header value, exactly as the service wants it:
    /// `Token 3f…` (TPStreams, CruxConnect), `token 3f…` (TPStreams legacy), `JWT eyJ…` (Testpress).
    ///
    /// # Errors
    /// As [`Client::token`].
    pub fn authorization_header(&self) -> Result<String> {
        Ok(self.token()?.header_value().to_string())
    }

    /// Sends a signed request to `path_or_url` (a path below `base_url`, or an absolute URL of
    /// the same origin) with extra `headers` and an optional `body`.
    ///
    /// On a 401 (or Testpress' 403 for a bad JWT) the failing token is invalidated if it is
    /// still the current one, a token is obtained again, and the same request is sent once
    /// more (twice when the token obtained again came from the store and is refused too: it
    /// is then forgotten and this process logs in). Any other status is returned as a [`Response`]; see [`Response::error_for_status`].
    ///
    /// # Errors
    /// `InvalidArgument` for a bad method, header or URL, or a URL of another origin;
    /// `Unauthorized` when the server refuses a fresh token too; the errors of
    /// [`Client::token`]; `Network`, `Timeout`, `Tls`, `Protocol` from the request.
    pub fn request(
        &self,
        method: &str,
        path_or_url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response> {
        let method = http::parse_method(method)?;
        let headers = http::header_map(headers.iter().copied())?;
        self.send_signed(method, path_or_url, &headers, body)
    }

    /// A signed GET.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub fn get(&self, path_or_url: &str) -> Result<Response> {
        self.send_signed(Method::GET, path_or_url, &HeaderMap::new(), None)
    }

    /// A signed request with a JSON body (`Content-Type: application/json`).
    ///
    /// # Errors
    /// As [`Client::request`].
    pub fn request_json(&self, method: &str, path_or_url: &str, json: &Value) -> Result<Response> {
        let method = http::parse_method(method)?;
        let mut headers = HeaderMap::new();
        let (name, value) = http::json_content_type();
        headers.insert(name, value);
        let body = serde_json::to_vec(json)
            .map_err(|e| Error::argument(format!("body is not serializable JSON: {e}")))?;
        self.send_signed(method, path_or_url, &headers, Some(&body))
    }

    fn send_signed(
        &self,
        method: Method,
        path_or_url: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Response> {
        let inner = &*self.inner;
        let url = inner
            .target(path_or_url)
            .map_err(|e| e.scrubbed(&[inner.config.password.expose_secret()]))?;
        let token = self.token()?;
        self.sign_and_send(&url, method, headers, body, &token)
            .map_err(|e| {
                // The token signed with, and the fresh one when the first was refused.
                let fresh = inner.current();
                let mut secrets = vec![inner.config.password.expose_secret(), token.secret()];
                secrets.extend(fresh.as_deref().map(Token::secret));
                e.scrubbed(&secrets)
            })
    }

    /// Sends a signed request; on a refused token, logs in once and sends it again. Errors
    /// may show `url`, which the caller chose and may contain a secret: the caller scrubs them.
    fn sign_and_send(
        &self,
        url: &Url,
        method: Method,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        token: &Arc<Token>,
    ) -> Result<Response> {
        let inner = &*self.inner;
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        let send = |token: &Token| {
            inner.http.send(&Outgoing {
                method: method.clone(),
                url,
                headers,
                body,
                authorization: Some(token),
                idempotent,
                body_limit: inner.config.max_response_bytes,
            })
        };
        let first = send(token)?;
        if !inner.is_auth_failure(&first) {
            return Ok(Response::from_raw(first).signed_with(Arc::clone(token)));
        }
        log::info!(
            "authtoken: {} answered {}; logging in again",
            redact(&display_url(url), &[token.secret()]),
            first.status
        );
        inner.invalidate(token.secret())?;
        let logins_before = inner.slot.logins.load(Ordering::Relaxed);
        let mut fresh = self.token()?;
        let mut second = send(&fresh)?;
        // The token tried second came from the store, not from a login of this process: it
        // may be revoked too (two live tokens, both revoked). Forget it and log in, once.
        if inner.is_auth_failure(&second)
            && inner.slot.logins.load(Ordering::Relaxed) == logins_before
        {
            log::info!(
                "authtoken: {} refused the stored token too ({}); logging in",
                redact(&display_url(url), &[token.secret(), fresh.secret()]),
                second.status
            );
            inner.invalidate(fresh.secret())?;
            fresh = self.token()?;
            second = send(&fresh)?;
        }
        if inner.is_auth_failure(&second) {
            let (message, code) = inner.server_error(&second.body);
            return Err(Error::new(
                ErrorKind::Unauthorized,
                format!(
                    "{} refused a freshly obtained token: HTTP {}{}",
                    display_url(url),
                    second.status,
                    message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
            )
            .with_status(second.status)
            .with_server_message(message, code));
        }
        Ok(Response::from_raw(second).signed_with(fresh))
    }

    /// Revokes the token on the server (where the service has a logout endpoint) and removes
    /// it from the store, so that every process sharing it logs in again on next use.
    ///
    /// A token the server already considers invalid counts as revoked. Without a token,
    /// nothing is sent. When the server fails to revoke, the token is kept (so that logout
    /// can be retried) and the error returned.
    ///
    /// # Errors
    /// `Network`, `Timeout`, `Tls`, `Server`, `Forbidden` or `Protocol` from the logout
    /// request; `Store` from the store.
    pub fn logout(&self) -> Result<()> {
        let inner = &*self.inner;
        let _gate = inner
            .slot
            .gate
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(token) = inner.current_or_stored()? else {
            return Ok(());
        };
        if let Some(path) = &inner.config.profile.logout_path {
            inner.revoke(path, &token)?;
        } else {
            log::info!(
                "authtoken: {} has no logout endpoint; forgetting the token locally",
                inner.config.provider
            );
        }
        inner.invalidate(token.secret())?;
        Ok(())
    }

    /// Compare-and-invalidate, for callers that send requests with their own HTTP client and
    /// got a 401 (or Testpress' 403 for a bad JWT): forgets `failed` — the bare token or the
    /// whole header value — only while it is still the current token, in memory and in the
    /// store. Many workers reporting the same failed token therefore cause one login, and a
    /// token another process has just obtained is never thrown away. Returns whether this
    /// call forgot it (false: it was already replaced or forgotten).
    ///
    /// # Errors
    /// `InvalidArgument` for an empty `failed`; `Store` from the store.
    pub fn invalidate(&self, failed: &str) -> Result<bool> {
        let inner = &*self.inner;
        let scheme_prefix = format!("{} ", inner.config.profile.scheme);
        let secret = failed.strip_prefix(&scheme_prefix).unwrap_or(failed).trim();
        if secret.is_empty() {
            return Err(Error::argument("invalidate needs the token that failed"));
        }
        inner.invalidate(secret)
    }

    /// Forgets the token locally (memory and store) without revoking it on the server, and
    /// the identity's remembered login refusal (the cool-off, `login_cooloff_s`), so that the
    /// next call logs in.
    ///
    /// # Errors
    /// `Store` from the store.
    pub fn forget(&self) -> Result<()> {
        let inner = &*self.inner;
        let _gate = inner
            .slot
            .gate
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        inner.slot.current.update(|t| *t = None);
        inner.store.remove(&inner.key, None)?;
        inner.store.remove_refusal(&inner.key)?;
        Ok(())
    }

    /// The identity's remembered login refusal, if one lasts now (whatever the password):
    /// for `authtoken status` and callers that want to show when logins resume. No network.
    ///
    /// # Errors
    /// `Store` from the store.
    pub fn login_refusal(&self) -> Result<Option<crate::store::Refusal>> {
        let now = SystemTime::now();
        Ok(self
            .inner
            .store
            .load_refusal(&self.inner.key)?
            .filter(|r| r.is_active_at(now)))
    }

    /// The token this client would use now without logging in, if any (memory, then store).
    ///
    /// # Errors
    /// `Store` from the store.
    pub fn cached_token(&self) -> Result<Option<Arc<Token>>> {
        self.inner.current_or_stored()
    }

    /// Whether the service can revoke a token: [`logout`](Client::logout) revokes it there
    /// (true), or only forgets it locally, the token staying valid until it expires (false).
    pub fn has_logout(&self) -> bool {
        self.inner.config.profile.logout_path.is_some()
    }

    /// Whether an answer with `status` and `body` to a request signed by this client says
    /// the token was refused, so that the caller should [`invalidate`](Client::invalidate)
    /// it and send the request once more with a fresh one: a 401, or, for a provider whose
    /// JWT views answer 403 (Testpress), a 403 whose message is one of those views'
    /// rejections (`Signature has expired.`, ...), wherever the body carries it (`detail`,
    /// `message`, ...). It is the rule this client's own requests follow, for adapters of
    /// other HTTP clients. Pure (no network, no store); thread-safe.
    pub fn is_refused(&self, status: u16, body: &[u8]) -> bool {
        self.inner.is_refused_with(status, || body)
    }

    /// [`Client::is_refused`], asking for the body only when the decision needs it (a 403
    /// from a JWT provider): for HTTP clients that have not read the body yet.
    pub fn is_refused_with<B: AsRef<[u8]>>(&self, status: u16, body: impl FnOnce() -> B) -> bool {
        self.inner.is_refused_with(status, body)
    }

    /// [`Client::is_refused`] decided from the status alone, or `None` when only the body can
    /// tell (a 403 from a JWT provider): for code that must read the body asynchronously, then
    /// ask [`Client::is_refused`] with it. Pure; thread-safe.
    pub fn is_refused_by_status(&self, status: u16) -> Option<bool> {
        let mut needs_body = false;
        let refused = self.is_refused_with(status, || {
            needs_body = true;
            Vec::new()
        });
        (!needs_body).then_some(refused)
    }

    /// Checks that this client's Authorization header may be sent to `url`, an absolute
    /// `http://` or `https://` URL with the scheme, host and port of the base URL: the one
    /// origin the token is ever sent to, the rule of this client's own requests. For
    /// adapters of other HTTP clients, before they add the header. Pure; thread-safe.
    ///
    /// # Errors
    /// `InvalidArgument` naming what was wrong: not a URL, a scheme other than http and https,
    /// or another origin than the client's (named with it).
    pub fn check_url(&self, url: &str) -> Result<()> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::argument(format!(
                "invalid URL `{}`: {e}",
                url.chars().take(128).collect::<String>()
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::argument(format!(
                "refusing to send the Authorization header to a {}: URL: only http:// and \
                 https:// URLs are supported",
                parsed.scheme()
            )));
        }
        self.inner.check_origin(&parsed)
    }
}

/// Hooks for the fuzz targets (`crate::fuzzing`): the parsing steps of a login and of a
/// signed request, without the network.
#[cfg(feature = "fuzzing")]
impl Client {
    /// What this client makes of a login answer: a token, or the error the caller would see.
    pub(crate) fn fuzz_login_answer(&self, resp: &RawResponse) -> Result<Token> {
        let inner = &*self.inner;
        let url = Url::parse(&inner.config.profile.url(&inner.config.profile.login_path))
            .map_err(|e| Error::config(format!("login URL is invalid: {e}")))?;
        inner.login_answer(&url, resp, SystemTime::now())
    }

    /// Where a signed request for `path_or_url` would go (or why it is refused).
    pub(crate) fn fuzz_target(&self, path_or_url: &str) -> Result<Url> {
        self.inner.target(path_or_url)
    }

    /// The origin the Authorization header may be sent to.
    pub(crate) fn fuzz_origin(&self) -> &Url {
        &self.inner.config.profile.origin
    }

    /// Whether this answer to a signed request makes the client log in again.
    pub(crate) fn fuzz_is_auth_failure(&self, resp: &RawResponse) -> bool {
        self.inner.is_auth_failure(resp)
    }
}

/// The slot's read guard, known to hold a fresh token: derefs to it.
struct FreshToken<'a>(RwLockReadGuard<'a, Option<Arc<Token>>>);

impl std::ops::Deref for FreshToken<'_> {
    type Target = Token;

    fn deref(&self) -> &Token {
        self.0
            .as_deref()
            .expect("FreshToken is made only over Some")
    }
}

impl Inner {
    fn current(&self) -> Option<Arc<Token>> {
        self.slot.current.read().clone()
    }

    fn is_fresh(&self, token: &Token) -> bool {
        !token
            .expiry()
            .needs_refresh_at(coarse_now_ns(), self.refresh_margin_ns)
    }

    /// The fresh token in memory, borrowed under the slot's read lock (no `Arc` count
    /// touched): the warm paths' one read.
    fn fresh_current(&self) -> Option<FreshToken<'_>> {
        let current = self.slot.current.read();
        current
            .as_deref()
            .is_some_and(|t| self.is_fresh(t))
            .then_some(FreshToken(current))
    }

    fn fresh_in_memory(&self) -> Option<Arc<Token>> {
        self.current().filter(|t| self.is_fresh(t))
    }

    /// The token in the store for this identity, fresh or not.
    fn stored(&self) -> Result<Option<Token>> {
        Ok(self
            .store
            .load(&self.key)?
            .filter(|e| e.matches(&self.key))
            .map(|e| e.to_token(&self.config.profile.scheme)))
    }

    /// The token in memory, else the one in the store; never logs in.
    fn current_or_stored(&self) -> Result<Option<Arc<Token>>> {
        match self.current() {
            Some(t) => Ok(Some(t)),
            None => Ok(self.stored()?.map(Arc::new)),
        }
    }

    /// The password's refusal-record hash, computed once per process for this identity and
    /// password (scrypt is slow on purpose).
    fn password_hash(&self) -> &str {
        self.password_hash
            .get_or_init(|| cooloff::memoized_password_hash(&self.key, &self.config.password))
    }

    /// The error of a refusal remembered for this identity and this password, while it lasts.
    fn active_refusal(&self) -> Result<Option<Error>> {
        if self.config.login_cooloff.is_zero() {
            return Ok(None);
        }
        let now = SystemTime::now();
        let Some(refusal) = self
            .store
            .load_refusal(&self.key)?
            .filter(|r| r.is_active_at(now))
        else {
            return Ok(None);
        };
        if refusal.password_hash != self.password_hash() {
            log::info!(
                "authtoken: a login refusal of {} is remembered until {}, but for another password: logging in",
                self.config.username,
                cooloff::rfc3339(refusal.until())
            );
            return Ok(None);
        }
        Ok(Some(cooloff::remembered_error(&refusal, now)))
    }

    /// Records the refused login `error` for every caller of the identity, when it is a
    /// refusal and the cool-off is on; returns the error the caller sees.
    fn record_refusal(&self, error: Error) -> Error {
        let Some(lasts) = cooloff::duration_for(&error, self.config.login_cooloff) else {
            return error;
        };
        let now = SystemTime::now();
        let until = now + lasts;
        let error = cooloff::first_error(error, until);
        let record = cooloff::record(
            &self.key,
            self.password_hash().to_string(),
            &error,
            now,
            until,
        );
        if let Err(e) = self.store.save_refusal(&self.key, &record) {
            log::warn!(
                "authtoken: could not remember the refused login in {}: {e}",
                self.store.describe()
            );
        }
        error
    }

    /// After a failed (or remembered) login: the current token while it is still valid
    /// (with a warning), else the error.
    fn fail_login(&self, e: Error) -> Result<Arc<Token>> {
        let stale = self
            .current()
            .filter(|t| !t.is_expired_at(SystemTime::now()));
        match stale {
            Some(still_valid) => {
                log::warn!("authtoken: refreshing the token ahead of its expiry failed, using the current one: {e}");
                Ok(still_valid)
            }
            None => Err(e),
        }
    }

    fn fresh_in_store(&self) -> Result<Option<Token>> {
        Ok(self.stored()?.filter(|t| self.is_fresh(t)))
    }

    fn remember(&self, token: Token) -> Arc<Token> {
        let token = Arc::new(token);
        self.slot
            .current
            .update(|current| *current = Some(Arc::clone(&token)));
        token
    }

    /// Compare-and-invalidate: forgets `failed` only where it is still the current token, so
    /// that many callers seeing the same 401 cause one login.
    fn invalidate(&self, failed: &str) -> Result<bool> {
        let in_memory = self.slot.current.update(|current| {
            let matches = current.as_ref().is_some_and(|t| t.secret() == failed);
            if matches {
                *current = None;
            }
            matches
        });
        let in_store = self.store.remove(&self.key, Some(failed))?;
        Ok(in_memory || in_store)
    }

    fn target(&self, path_or_url: &str) -> Result<Url> {
        let lower = path_or_url
            .get(..8)
            .unwrap_or(path_or_url)
            .to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = Url::parse(path_or_url)
                .map_err(|e| Error::argument(format!("invalid URL: {e}")))?;
            self.check_origin(&url)?;
            return Ok(url);
        }
        if has_scheme(path_or_url) {
            return Err(Error::argument(
                "only http:// and https:// URLs are supported",
            ));
        }
        Url::parse(&self.config.profile.url(path_or_url)).map_err(|e| {
            Error::argument(format!(
                "invalid path `{}`: {e}",
                path_or_url.chars().take(128).collect::<String>()
            ))
        })
    }

    /// The origin rule: the Authorization header goes to the base URL's scheme, host and port
    /// only.
    fn check_origin(&self, url: &Url) -> Result<()> {
        if same_origin(url, &self.config.profile.origin) {
            return Ok(());
        }
        Err(Error::argument(format!(
            "refusing to send the Authorization header to {}://{}: this client is for {}",
            url.scheme(),
            url.host_str().unwrap_or(""),
            display_url(&self.config.profile.origin).trim_end_matches('/')
        )))
    }

    fn is_auth_failure(&self, resp: &RawResponse) -> bool {
        self.is_refused_with(resp.status, || &resp.body)
    }

    /// What counts as a refused token (see [`Client::is_refused`]).
    fn is_refused_with<B: AsRef<[u8]>>(&self, status: u16, body: impl FnOnce() -> B) -> bool {
        self.config
            .profile
            .is_refused(status, || parse_server_error(body().as_ref()).0)
    }

    /// The server's message and error code, scrubbed of this client's secrets.
    fn server_error(&self, body: &[u8]) -> (Option<String>, Option<String>) {
        let (message, code) = parse_server_error(body);
        let current = self.current();
        let mut secrets: Vec<&str> = vec![self.config.password.expose_secret()];
        if let Some(t) = &current {
            secrets.push(t.secret());
        }
        (
            message.map(|m| redact(&m, &secrets)),
            code.map(|c| redact(&c, &secrets)),
        )
    }

    fn login(&self) -> Result<Token> {
        let url = Url::parse(&self.config.profile.url(&self.config.profile.login_path))
            .map_err(|e| Error::config(format!("login URL is invalid: {e}")))?;
        let body = Zeroizing::new(
            serde_json::to_vec(&self.config.profile.login_body(
                &self.config.username,
                &self.config.password,
                self.config.organization_id.as_deref(),
            ))
            .map_err(|e| Error::config(format!("login body: {e}")))?,
        );
        let mut headers = HeaderMap::new();
        let (name, value) = http::json_content_type();
        headers.insert(name, value);
        log::debug!(
            "authtoken: logging in to {} as {}",
            display_url(&url),
            self.config.username
        );
        let resp = self.http.send(&Outgoing {
            method: Method::POST,
            url: &url,
            headers: &headers,
            body: Some(&body),
            authorization: None,
            idempotent: false,
            body_limit: SMALL_BODY_LIMIT,
        })?;
        self.login_answer(&url, &resp, SystemTime::now())
    }

    /// The token in a login answer, or the error it means.
    fn login_answer(
        &self,
        url: &Url,
        resp: &RawResponse,
        received_at: SystemTime,
    ) -> Result<Token> {
        if !(200..300).contains(&resp.status) {
            return Err(self.login_error(url, resp));
        }
        self.parse_login(url, resp, received_at)
    }

    fn parse_login(&self, url: &Url, resp: &RawResponse, received_at: SystemTime) -> Result<Token> {
        let shown = display_url(url);
        let json: Value = serde_json::from_slice(&resp.body).map_err(|_| {
            Error::protocol(format!("the login answer from {shown} is not valid JSON"))
                .with_status(resp.status)
        })?;
        let field = &self.config.profile.token_field;
        let value = lookup(&json, field).ok_or_else(|| {
            Error::protocol(format!(
                "the login answer from {shown} has no `{field}` field"
            ))
            .with_status(resp.status)
        })?;
        let token = match value {
            Value::String(s) if is_token_shaped(s) => s.clone(),
            _ => {
                return Err(Error::protocol(format!(
                    "the login answer from {shown} has a `{field}` that is not a usable token"
                ))
                .with_status(resp.status))
            }
        };
        let server_expiry = self
            .config
            .profile
            .expiry_field
            .as_deref()
            .and_then(|f| lookup(&json, f))
            .and_then(parse_expiry)
            .or_else(|| jwt_expiry(&token));
        // The server's expiry is on the server's clock: move it onto ours.
        let skew = resp
            .date()
            .map(|d| signed_secs(d, received_at))
            .unwrap_or(0);
        let mut expires_at =
            server_expiry.map(|exp| shift(exp, if skew.abs() > 5 { -skew } else { 0 }));
        if expires_at.is_some_and(|e| e <= received_at) {
            log::warn!(
                "authtoken: {shown} issued a token that has already expired by this machine's clock; using the configured lifetime instead"
            );
            expires_at = None;
        }
        let expires_at = expires_at.or_else(|| self.config.token_lifetime.map(|l| received_at + l));
        Ok(Token::new(
            token,
            &self.config.profile.scheme,
            received_at,
            expires_at,
        ))
    }

    fn login_error(&self, url: &Url, resp: &RawResponse) -> Error {
        let (message, code) = self.server_error(&resp.body);
        let status = resp.status;
        let limit_reached = self
            .config
            .profile
            .is_token_limit(code.as_deref(), message.as_deref());
        let exchange = Exchange::Login {
            token_limit: status == 403 && limit_reached,
        };
        let hint = match kind_for(exchange, status) {
            ErrorKind::TokenLimit if code.as_deref() == Some("max_login_exceeded") => " (the service has locked this account after too many logins or failed attempts: it unlocks it after its own cool-off)",
            ErrorKind::TokenLimit => " (the service holds its maximum of live tokens for this account or organization: log out tokens that are no longer used, or wait for them to expire)",
            ErrorKind::InvalidCredentials => " (check username and password)",
            _ => "",
        };
        let text = format!(
            "login to {} at {} failed: HTTP {status}{}{hint}",
            self.config.provider,
            display_url(url),
            message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
        status_error(exchange, status, text, message, code, resp.retry_after())
    }

    fn revoke(&self, path: &str, token: &Token) -> Result<()> {
        let url = Url::parse(&self.config.profile.url(path))
            .map_err(|e| Error::config(format!("logout URL is invalid: {e}")))?;
        let resp = self.http.send(&Outgoing {
            method: Method::POST,
            url: &url,
            headers: &HeaderMap::new(),
            body: None,
            authorization: Some(token),
            idempotent: true,
            body_limit: SMALL_BODY_LIMIT,
        })?;
        if (200..300).contains(&resp.status) || self.is_auth_failure(&resp) {
            return Ok(());
        }
        let (message, code) = self.server_error(&resp.body);
        let text = format!(
            "logout at {} failed: HTTP {}{}; the token was kept so that logout can be retried",
            display_url(&url),
            resp.status,
            message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
        Err(status_error(
            Exchange::Logout,
            resp.status,
            text,
            message,
            code,
            resp.retry_after(),
        ))
    }
}

/// Whether `s` starts with a URL scheme (`ftp://…`), as opposed to a path that merely
/// contains `://` in its query.
fn has_scheme(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// A value at a dotted path (`token`, `data.access`).
fn lookup<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |v, key| v.get(key))
}

fn signed_secs(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn shift(t: SystemTime, secs: i64) -> SystemTime {
    if secs >= 0 {
        t + Duration::from_secs(secs as u64)
    } else {
        t.checked_sub(Duration::from_secs(secs.unsigned_abs()))
            .unwrap_or(t)
    }
}

/// The wall clock to the kernel's tick (a few milliseconds) in nanoseconds since the epoch,
/// read without a system call: what the freshness check needs (margins are seconds), at a
/// fraction of the cost of `SystemTime::now()` on the warm path.
#[cfg(target_os = "linux")]
fn coarse_now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_REALTIME_COARSE exists on every Linux
    // this library supports (2.6.32 and later).
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) };
    match (rc, u64::try_from(ts.tv_sec), u64::try_from(ts.tv_nsec)) {
        (0, Ok(secs), Ok(nanos)) => secs.saturating_mul(1_000_000_000).saturating_add(nanos),
        _ => unix_nanos(SystemTime::now()),
    }
}

#[cfg(not(target_os = "linux"))]
fn coarse_now_ns() -> u64 {
    unix_nanos(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Provider;

    #[test]
    fn lookup_dotted() {
        let v = serde_json::json!({"data": {"access": "t"}, "token": "u"});
        assert_eq!(lookup(&v, "data.access"), Some(&Value::String("t".into())));
        assert_eq!(lookup(&v, "token"), Some(&Value::String("u".into())));
        assert_eq!(lookup(&v, "data.nope"), None);
    }

    #[test]
    fn provider_is_used() {
        assert_eq!(
            Provider::from_name("tpstreams-legacy"),
            Some(Provider::TpStreamsLegacy)
        );
    }
}
