//! A local stand-in for the token-auth APIs of TPStreams, Testpress and CruxConnect.
//!
//! One [`Emulator`] serves every service on one loopback port, each under its own path
//! prefix (`/tpstreams`, `/tpstreams-legacy`, `/testpress`, `/cruxconnect`), plus an admin
//! API under `/_emulator/` for counters, configuration, revocation and fault injection.
//! See the crate's README for the endpoints.
//!
//! ```no_run
//! use authtoken_emulator::{Emulator, Fault, Options};
//!
//! let emu = Emulator::start(Options::default()).unwrap();
//! let base = emu.base_url("tpstreams"); // http://127.0.0.1:PORT/tpstreams
//! emu.inject(Fault::status(503).service("tpstreams").path("login"));
//! // ... run a client against `base` ...
//! assert_eq!(emu.login_count("tpstreams", "alice@example.com"), 0);
//! ```

#![warn(missing_docs)]

mod admin;
mod app;
mod fault;
mod jwt;
mod reply;
mod server;
mod service;
mod state;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

pub use fault::{Fault, FaultKind, DEFAULT_OVERSIZED_BYTES, MAX_OVERSIZED_BYTES};
pub use service::{Service, UnknownService};

use app::Shared;
use state::{Config, Selector, State};

/// The password every user logs in with unless configured otherwise.
pub const DEFAULT_PASSWORD: &str = "demo-password";

/// The environment variable that sets the test suites' emulator password (the secrets audit
/// sets it to a fresh sentinel); see [`test_password`].
pub const TEST_PASSWORD_ENV: &str = "AUTHTOKEN_TEST_PASSWORD";

/// The environment variable naming a file the emulator appends every token it issues to, one
/// per line (the secrets audit looks for them in the suites' output); see [`Options::token_log`].
pub const TOKEN_LOG_ENV: &str = "AUTHTOKEN_EMULATOR_TOKEN_LOG";

/// The password the test suites use: `$AUTHTOKEN_TEST_PASSWORD` when set and not empty,
/// otherwise [`DEFAULT_PASSWORD`]. [`Options::default`] uses it.
pub fn test_password() -> String {
    match std::env::var(TEST_PASSWORD_ENV) {
        Ok(p) if !p.is_empty() => p,
        _ => DEFAULT_PASSWORD.to_owned(),
    }
}

/// How an [`Emulator`] starts.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen; default `127.0.0.1:0` (a free port).
    pub bind: SocketAddr,
    /// The password that logs in any username; default [`test_password`]
    /// (`$AUTHTOKEN_TEST_PASSWORD`, else [`DEFAULT_PASSWORD`]).
    pub password: String,
    /// TPStreams token lifetime; default 10 hours. `None`: tokens never expire (`"expiry": null`).
    pub tpstreams_token_lifetime: Option<Duration>,
    /// Legacy TPStreams token lifetime; default `None` (never expire).
    pub tpstreams_legacy_token_lifetime: Option<Duration>,
    /// Testpress JWT lifetime (the `exp` claim, whole seconds); default 1 hour.
    /// `None`: JWTs without `exp`.
    pub testpress_token_lifetime: Option<Duration>,
    /// CruxConnect token lifetime; default 2 hours.
    pub cruxconnect_token_lifetime: Option<Duration>,
    /// Live TPStreams tokens allowed per organization; default 20.
    pub max_tokens_per_org: usize,
    /// Live Testpress tokens allowed per username; default `None` (no limit).
    pub testpress_max_parallel_logins: Option<usize>,
    /// Allow binding to an address that is not loopback; default `false`.
    pub allow_non_loopback: bool,
    /// Log one line per request to stderr; default `false`.
    pub log_requests: bool,
    /// Append every token issued to this file, one per line; default
    /// `$AUTHTOKEN_EMULATOR_TOKEN_LOG` when set and not empty, else `None`. For the secrets
    /// audit only: the file holds live tokens.
    pub token_log: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            password: test_password(),
            tpstreams_token_lifetime: Some(Duration::from_secs(10 * 3600)),
            tpstreams_legacy_token_lifetime: None,
            testpress_token_lifetime: Some(Duration::from_secs(3600)),
            cruxconnect_token_lifetime: Some(Duration::from_secs(2 * 3600)),
            max_tokens_per_org: 20,
            testpress_max_parallel_logins: None,
            allow_non_loopback: false,
            log_requests: false,
            token_log: std::env::var_os(TOKEN_LOG_ENV)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        }
    }
}

impl Options {
    /// The token lifetime configured for `service`.
    pub fn token_lifetime(&self, service: Service) -> Option<Duration> {
        match service {
            Service::Tpstreams => self.tpstreams_token_lifetime,
            Service::TpstreamsLegacy => self.tpstreams_legacy_token_lifetime,
            Service::Testpress => self.testpress_token_lifetime,
            Service::Cruxconnect => self.cruxconnect_token_lifetime,
        }
    }

    /// Set the token lifetime of `service` (`None`: tokens never expire).
    pub fn set_token_lifetime(&mut self, service: Service, lifetime: Option<Duration>) {
        match service {
            Service::Tpstreams => self.tpstreams_token_lifetime = lifetime,
            Service::TpstreamsLegacy => self.tpstreams_legacy_token_lifetime = lifetime,
            Service::Testpress => self.testpress_token_lifetime = lifetime,
            Service::Cruxconnect => self.cruxconnect_token_lifetime = lifetime,
        }
    }
}

/// A running emulator. Dropping it stops the server and joins its thread.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}

fn svc(service: impl AsRef<str>) -> Service {
    match service.as_ref().parse() {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

impl Emulator {
    /// Bind, start serving on a background thread (with its own tokio runtime) and return
    /// once the socket is listening.
    ///
    /// Fails when the address cannot be bound, or is not loopback and
    /// [`Options::allow_non_loopback`] is not set.
    pub fn start(opts: Options) -> io::Result<Emulator> {
        if !opts.bind.ip().is_loopback() && !opts.allow_non_loopback {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "refusing to bind to {}: not a loopback address (allow_non_loopback is off)",
                    opts.bind
                ),
            ));
        }
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(opts.bind),
            socket2::Type::STREAM,
            None,
        )?;
        socket.set_reuse_address(true)?;
        socket.bind(&opts.bind.into())?;
        socket.listen(1024)?;
        socket.set_nonblocking(true)?;
        let std_listener: std::net::TcpListener = socket.into();
        let addr = std_listener.local_addr()?;

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("authtoken-emulator")
            .enable_all()
            .build()?;
        let listener = {
            let _guard = rt.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };

        let mut secret = [0u8; 32];
        fastrand::fill(&mut secret);
        let mut lifetimes = [None; 4];
        for s in Service::ALL {
            lifetimes[s as usize] = opts.token_lifetime(s);
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(Config {
                password: opts.password.clone(),
                lifetimes,
                max_tokens_per_org: opts.max_tokens_per_org,
                max_parallel_logins: opts.testpress_max_parallel_logins,
                lockout_after: None,
                lockout: Duration::from_secs(60),
                html_errors: false,
            })),
            secret,
            token_log: opts.token_log.clone(),
            log: if opts.log_requests {
                Some(app::Logger::start()?)
            } else {
                None
            },
        });

        let (tx, rx) = oneshot::channel();
        let app = shared.clone();
        let thread = std::thread::Builder::new()
            .name("authtoken-emulator".into())
            .spawn(move || {
                rt.block_on(server::serve(listener, app, rx));
                rt.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(Emulator {
            addr,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): the root, where `/_emulator/` lives.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/<service>`: the base URL a client uses for that service.
    /// The name is not checked.
    pub fn base_url(&self, service: &str) -> String {
        format!("http://{}/{}", self.addr, service)
    }

    /// Successful logins (tokens issued) of `username` on `service`.
    ///
    /// # Panics
    /// On an unknown service name (here and in the other methods taking one).
    pub fn login_count(&self, service: impl AsRef<str>, username: &str) -> u64 {
        self.count(|st, s| &st.counters.logins[s as usize], service, username)
    }

    /// Login POSTs of `username` on `service`, failed ones included.
    pub fn login_attempts(&self, service: impl AsRef<str>, username: &str) -> u64 {
        self.count(|st, s| &st.counters.attempts[s as usize], service, username)
    }

    /// Successful logouts of `username` on `service`.
    pub fn logout_count(&self, service: impl AsRef<str>, username: &str) -> u64 {
        self.count(|st, s| &st.counters.logouts[s as usize], service, username)
    }

    /// Authenticated API calls of `username` on `service` that passed authentication.
    pub fn request_count(&self, service: impl AsRef<str>, username: &str) -> u64 {
        self.count(|st, s| &st.counters.requests[s as usize], service, username)
    }

    /// Requests on `service` rejected for a missing, invalid, expired or revoked token.
    pub fn unauthorized_count(&self, service: impl AsRef<str>) -> u64 {
        let s = svc(service);
        self.shared.lock().counters.unauthorized[s as usize]
    }

    /// Live (unexpired, unrevoked) tokens of `username` on `service`.
    pub fn live_tokens(&self, service: impl AsRef<str>, username: &str) -> usize {
        let s = svc(service);
        self.shared
            .lock()
            .live_for_user(s, username, std::time::SystemTime::now())
    }

    /// Live TPStreams tokens of one organization.
    pub fn live_tokens_for_org(&self, organization_id: &str) -> usize {
        self.shared
            .lock()
            .live_for_org(organization_id, std::time::SystemTime::now())
    }

    fn count(
        &self,
        pick: impl Fn(&State, Service) -> &std::collections::BTreeMap<String, u64>,
        service: impl AsRef<str>,
        username: &str,
    ) -> u64 {
        let s = svc(service);
        let st = self.shared.lock();
        pick(&st, s).get(username).copied().unwrap_or(0)
    }

    /// The same JSON as `GET /_emulator/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.shared.lock().stats()
    }

    /// Queue a fault (as `POST /_emulator/faults`).
    ///
    /// # Panics
    /// When the fault is invalid ([`Fault::validate`]).
    pub fn inject(&self, fault: Fault) {
        if let Err(e) = fault.validate() {
            panic!("invalid fault: {e}");
        }
        self.shared.lock().faults.push_back(fault);
    }

    /// The faults still pending, in matching order.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.shared.lock().faults.iter().cloned().collect()
    }

    /// Drop every pending fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Forget every token, counter and fault (as `POST /_emulator/reset`); configuration stays.
    pub fn reset(&self) {
        self.shared.lock().reset();
    }

    /// Revoke the tokens of `service` (of one user, or all); returns how many live ones.
    /// API calls with them then get the service's 401.
    pub fn revoke_all(&self, service: impl AsRef<str>, username: Option<&str>) -> usize {
        let sel = Selector {
            service: Some(svc(service)),
            username: username.map(str::to_owned),
            org: None,
        };
        self.shared.lock().revoke(&sel)
    }

    /// Make the live tokens of `service` (of one user, or all) expire now; returns how many.
    pub fn expire_all(&self, service: impl AsRef<str>, username: Option<&str>) -> usize {
        let sel = Selector {
            service: Some(svc(service)),
            username: username.map(str::to_owned),
            org: None,
        };
        self.shared.lock().expire(&sel)
    }

    /// Change the lifetime of tokens issued from now on (`None`: never expire).
    pub fn set_token_lifetime(&self, service: impl AsRef<str>, lifetime: Option<Duration>) {
        let s = svc(service);
        self.shared.lock().cfg.lifetimes[s as usize] = lifetime;
    }

    /// Change the TPStreams limit of live tokens per organization.
    pub fn set_max_tokens_per_org(&self, max: usize) {
        self.shared.lock().cfg.max_tokens_per_org = max;
    }

    /// Change the Testpress limit of live tokens per username (`None`: no limit).
    pub fn set_max_parallel_logins(&self, max: Option<usize>) {
        self.shared.lock().cfg.max_parallel_logins = max;
    }

    /// Testpress' lockout: after `after` failed logins in a row (`None`: never) a user is locked
    /// out for `cooloff`; while locked out every login, even with the right password, answers
    /// `403 {"detail": …, "error_code": "max_login_exceeded"}` with `Retry-After`.
    pub fn set_testpress_lockout(&self, after: Option<u32>, cooloff: Duration) {
        let mut st = self.shared.lock();
        st.cfg.lockout_after = after;
        st.cfg.lockout = cooloff;
    }

    /// Whether the login endpoints send their JSON error bodies as `text/html`.
    pub fn set_html_errors(&self, on: bool) {
        self.shared.lock().cfg.html_errors = on;
    }

    /// Change the password that logs everyone in.
    pub fn set_password(&self, password: &str) {
        self.shared.lock().cfg.password = password.to_owned();
    }

    /// The password that logs everyone in.
    pub fn password(&self) -> String {
        self.shared.lock().cfg.password.clone()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.shared.flush_log();
    }
}
