//! The native addon of the npm package `authtoken` (napi-rs), over the authtoken core.
//!
//! The JavaScript package (index.js) wraps this module: `NativeClient` and `NativeResponse`
//! are its implementation, not its API. Every call that can touch the network or wait for a
//! lock has an asynchronous form that runs on the libuv thread pool (napi `AsyncTask`), so the
//! event loop keeps running; the `*Sync` forms block it and exist for scripts and start-up.
//!
//! Errors: every core error is thrown as a JavaScript `Error` whose message is
//! [`ERROR_MARKER`] followed by a JSON object (`code`, `kind`, `message`, `status`,
//! `serverMessage`, `errorCode`, `retryAfter`); index.js turns it into the `AuthTokenError`
//! subclass of that kind. The message of the core never holds a password or a token.

mod errors;
mod response;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, PoisonError, RwLock};

use authtoken::{Client, Config, ErrorKind};
use napi::bindgen_prelude::{AsyncTask, Buffer, Function};
use napi::{Env, Task};
use napi_derive::napi;

pub use errors::ERROR_MARKER;
use response::NativeResponse;

/// Runs `f`, turning core errors into marked JavaScript errors and panics into `internal`.
fn run<T>(f: impl FnOnce() -> authtoken::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(errors::to_napi(&e)),
        Err(panic) => Err(errors::internal(panic)),
    }
}

/// The configuration keys every language accepts, in the documented order.
#[napi]
pub fn config_keys() -> Vec<String> {
    authtoken::config_keys().map(str::to_owned).collect()
}

/// The library's version.
#[napi]
pub fn version() -> String {
    authtoken::VERSION.to_owned()
}

/// The kinds of error: `[code, kind]` pairs, in code order (the same numbers in every binding).
#[napi]
pub fn error_kinds() -> Vec<(u32, String)> {
    ErrorKind::ALL
        .iter()
        .map(|k| (k.code(), k.name().to_owned()))
        .collect()
}

/// Does nothing: the benchmark's measure of one call across Node-API.
#[napi]
pub fn noop() {}

/// One identity on one service (see index.js `Client`).
#[napi]
pub struct NativeClient {
    /// Shared with the function of [`NativeClient::fresh_token_serial_reader`].
    core: Arc<RwLock<Option<Client>>>,
    provider: String,
    username: String,
    base_url: String,
    store: String,
}

impl NativeClient {
    fn core(&self) -> napi::Result<Client> {
        self.core
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                errors::to_napi(&authtoken::Error::new(
                    ErrorKind::InvalidArgument,
                    "this authtoken Client is closed",
                ))
            })
    }
}

/// A token's serial as a JavaScript number: exact, since serials count the tokens of one
/// process from 1 and stay far below 2^53; one that did not fit would read as 0 ("none").
fn js_serial(serial: u64) -> i64 {
    i64::try_from(serial).unwrap_or(0)
}

/// The header and the serial of the one token it came from (index.js caches the pair).
fn header_and_serial(client: &Client) -> authtoken::Result<(String, i64)> {
    let token = client.token()?;
    Ok((token.header_value().to_owned(), js_serial(token.serial())))
}

/// What an [`AsyncTask`] does on the thread pool.
pub enum Job {
    HeaderAndSerial(Client),
    Request {
        client: Client,
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    },
    Logout(Client),
    Invalidate(Client, String),
}

/// What a [`Job`] produced, turned into JavaScript values on the main thread.
pub enum Outcome {
    HeaderAndSerial(String, i64),
    Response(authtoken::Response),
    Done,
    Flag(bool),
}

/// The JavaScript value of an [`Outcome`].
pub enum Resolved {
    HeaderAndSerial(String, i64),
    Response(NativeResponse),
    Undefined,
    Flag(bool),
}

impl napi::bindgen_prelude::TypeName for Resolved {
    fn type_name() -> &'static str {
        "[string, number] | NativeResponse | undefined | boolean"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Unknown
    }
}

impl napi::bindgen_prelude::ToNapiValue for Resolved {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        val: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        // SAFETY: `env` is the environment napi-rs passed to this conversion, on the main
        // thread; each arm delegates to the conversion of a type napi-rs implements.
        unsafe {
            match val {
                Resolved::HeaderAndSerial(header, serial) => {
                    <(String, i64)>::to_napi_value(env, (header, serial))
                }
                Resolved::Response(r) => NativeResponse::to_napi_value(env, r),
                Resolved::Undefined => <()>::to_napi_value(env, ()),
                Resolved::Flag(b) => bool::to_napi_value(env, b),
            }
        }
    }
}

impl Task for Job {
    type Output = Outcome;
    type JsValue = Resolved;

    fn compute(&mut self) -> napi::Result<Outcome> {
        match self {
            Job::HeaderAndSerial(client) => run(|| header_and_serial(client))
                .map(|(header, serial)| Outcome::HeaderAndSerial(header, serial)),
            Job::Request {
                client,
                method,
                url,
                headers,
                body,
            } => {
                let pairs: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                run(|| client.request(method, url, &pairs, body.as_deref())).map(Outcome::Response)
            }
            Job::Logout(client) => run(|| client.logout()).map(|()| Outcome::Done),
            Job::Invalidate(client, failed) => run(|| client.invalidate(failed)).map(Outcome::Flag),
        }
    }

    fn resolve(&mut self, _env: Env, output: Outcome) -> napi::Result<Resolved> {
        Ok(match output {
            Outcome::HeaderAndSerial(header, serial) => Resolved::HeaderAndSerial(header, serial),
            Outcome::Response(r) => Resolved::Response(NativeResponse::new(r)),
            Outcome::Done => Resolved::Undefined,
            Outcome::Flag(b) => Resolved::Flag(b),
        })
    }
}

#[napi]
impl NativeClient {
    /// A client from a configuration document (JSON text): the core validates every key.
    #[napi(constructor)]
    pub fn new(config_json: String) -> napi::Result<Self> {
        let client = run(|| Config::from_json(&config_json).and_then(Client::new))?;
        Ok(NativeClient {
            provider: client.config().provider().name().to_owned(),
            username: client.config().username().to_owned(),
            base_url: client.base_url().to_owned(),
            store: client.store_description(),
            core: Arc::new(RwLock::new(Some(client))),
        })
    }

    #[napi(getter)]
    pub fn provider(&self) -> String {
        self.provider.clone()
    }

    #[napi(getter)]
    pub fn username(&self) -> String {
        self.username.clone()
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[napi(getter)]
    pub fn store(&self) -> String {
        self.store.clone()
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.core
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// Drops this client's connections (not the token: no logout).
    #[napi]
    pub fn close(&self) {
        let core = self
            .core
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(core);
    }

    /// The Authorization header value and the serial of its token, on the thread pool.
    #[napi(ts_return_type = "Promise<[string, number]>")]
    pub fn authorization_header_and_serial(&self) -> napi::Result<AsyncTask<Job>> {
        Ok(AsyncTask::new(Job::HeaderAndSerial(self.core()?)))
    }

    /// As `authorizationHeaderAndSerial()`, on this thread (blocks the event loop while
    /// logging in).
    #[napi(ts_return_type = "[string, number]")]
    pub fn authorization_header_and_serial_sync(&self) -> napi::Result<(String, i64)> {
        let core = self.core()?;
        run(|| header_and_serial(&core))
    }

    /// A JavaScript function that returns the serial of the fresh token this client holds in
    /// memory, or 0 when it holds none or is closed (`Client::fresh_token_serial`): it never
    /// logs in, reads the store or blocks. While it returns the serial that came with a
    /// cached header, that header is current. A plain function over a closure, not a method:
    /// napi-rs's bookkeeping for a method's `this` costs about 10 times the lookup, and
    /// index.js asks before every warm header. The function keeps this client's slot (not
    /// its connections: `close()` empties the slot) alive until it is collected.
    #[napi(ts_return_type = "() => number")]
    pub fn fresh_token_serial_reader<'env>(
        &self,
        env: &'env Env,
    ) -> napi::Result<Function<'env, (), i64>> {
        let core = Arc::clone(&self.core);
        env.create_function_from_closure("freshTokenSerial", move |_| {
            Ok(core
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .and_then(Client::fresh_token_serial)
                .map_or(0, js_serial))
        })
    }

    /// The bare token, on this thread.
    #[napi]
    pub fn token_sync(&self) -> napi::Result<String> {
        let core = self.core()?;
        run(|| core.token().map(|t| t.secret().to_owned()))
    }

    /// A signed request, on the thread pool: `headers` as `[name, value]` pairs.
    #[napi(ts_return_type = "Promise<NativeResponse>")]
    pub fn request(
        &self,
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Option<Buffer>,
    ) -> napi::Result<AsyncTask<Job>> {
        Ok(AsyncTask::new(Job::Request {
            client: self.core()?,
            method,
            url,
            headers,
            body: body.map(|b| b.to_vec()),
        }))
    }

    /// Revokes the token (where the service can) and forgets it, on the thread pool.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn logout(&self) -> napi::Result<AsyncTask<Job>> {
        Ok(AsyncTask::new(Job::Logout(self.core()?)))
    }

    /// Compare-and-invalidate, on this thread.
    #[napi]
    pub fn invalidate(&self, failed: String) -> napi::Result<bool> {
        let core = self.core()?;
        run(|| core.invalidate(&failed))
    }

    /// Compare-and-invalidate, on the thread pool (for the adapters: the store may be Redis).
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn invalidate_async(&self, failed: String) -> napi::Result<AsyncTask<Job>> {
        Ok(AsyncTask::new(Job::Invalidate(self.core()?, failed)))
    }

    /// Forgets the token locally (memory and store) without revoking it.
    #[napi]
    pub fn forget(&self) -> napi::Result<()> {
        let core = self.core()?;
        run(|| core.forget())
    }

    /// The core's refusal rule. Without `body`, answers `null` when the decision needs the
    /// body (a 403 from a JWT provider): call again with it.
    #[napi]
    pub fn is_refused(&self, status: u32, body: Option<Buffer>) -> napi::Result<Option<bool>> {
        let core = self.core()?;
        let status = u16::try_from(status).unwrap_or(0);
        Ok(match body {
            Some(body) => Some(core.is_refused(status, &body)),
            None => core.is_refused_by_status(status),
        })
    }

    /// The core's origin rule: throws `invalid_argument` unless the header may go to `url`.
    #[napi]
    pub fn check_url(&self, url: String) -> napi::Result<()> {
        let core = self.core()?;
        run(|| core.check_url(&url))
    }
}
