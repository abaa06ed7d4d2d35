//! Clients for one command: the password is asked for only when a login is really needed.
//!
//! Without a password at hand (no `AUTHTOKEN_PASSWORD`, no `--password-stdin`), the command
//! first runs with a client whose store refuses the login lock ([`CacheOnly`]). The core
//! takes that lock before every login, after finding no usable token, so such a client can
//! use cached tokens, revoke and forget them, but can never send a password. When it finds
//! that a login is needed, the user is prompted (on a terminal) and the command runs again
//! with a client that holds the password.

use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use authtoken::store::{CacheKey, Entry, LockGuard, Refusal, TokenStore};
use authtoken::{Client, Config, ErrorKind};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::failure::Failure;
use crate::settings::Settings;

/// Where the password comes from, if a login turns out to be needed.
pub enum Password {
    /// Given by `--password-stdin` or `AUTHTOKEN_PASSWORD`.
    Given(Zeroizing<String>),
    /// Asked for on the terminal, only when needed.
    Prompt,
    /// Not available: a login is an error.
    Missing,
}

impl Password {
    /// The password source for this run: `--password-stdin`, else `AUTHTOKEN_PASSWORD`, else a
    /// prompt when stdin is a terminal.
    pub fn detect(from_stdin: bool) -> Result<Password, Failure> {
        if from_stdin {
            let mut buf = Zeroizing::new(Vec::new());
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Local(format!("--password-stdin: cannot read stdin: {e}")))?;
            let mut text = Zeroizing::new(String::from_utf8(buf.to_vec()).map_err(|_| {
                Failure::Usage("--password-stdin: the password is not UTF-8".into())
            })?);
            // One trailing newline is what `echo` and here-strings add; it is not part of the password.
            if text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
            if text.is_empty() {
                return Err(Failure::Usage(
                    "--password-stdin: stdin held no password".into(),
                ));
            }
            return Ok(Password::Given(text));
        }
        match std::env::var(authtoken::ENV_PASSWORD) {
            Ok(p) if !p.is_empty() => Ok(Password::Given(Zeroizing::new(p))),
            _ if std::io::stdin().is_terminal() => Ok(Password::Prompt),
            _ => Ok(Password::Missing),
        }
    }
}

/// The settings and the password of one command.
pub struct Session {
    settings: Settings,
    password: Password,
}

/// A value the core never receives as a password: clients built with it can only log in
/// through [`CacheOnly::lock`], which refuses.
const NO_PASSWORD: &str = "(authtoken-cli: no password given)";

const LOGIN_NEEDED: &str = "a login is needed and no password was given";

impl Session {
    /// A session for these settings.
    pub fn new(settings: Settings, password: Password) -> Session {
        Session { settings, password }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Runs `f` with a client that logs in only if needed, prompting for the password then.
    ///
    /// `f` may run twice: once without a password, and again with one after the prompt.
    pub fn run<T>(&mut self, f: impl Fn(&Client) -> authtoken::Result<T>) -> Result<T, Failure> {
        if let Password::Given(p) = &self.password {
            let client = self.client(p)?;
            return f(&client).map_err(Failure::Lib);
        }
        let (client, store) = self.cache_only()?;
        match f(&client) {
            Err(_) if store.login_needed() => {
                drop(client);
                let password = match &self.password {
                    Password::Prompt => self.prompt()?,
                    _ => return Err(self.no_password()),
                };
                let client = self.client(&password)?;
                let result = f(&client).map_err(Failure::Lib);
                // A good password is kept for the rest of this command.
                self.password = Password::Given(password);
                result
            }
            other => other.map_err(Failure::Lib),
        }
    }

    /// A client that can use, revoke and forget cached tokens but never logs in.
    pub fn cache_only_client(&self) -> Result<Client, Failure> {
        Ok(self.cache_only()?.0)
    }

    fn cache_only(&self) -> Result<(Client, Arc<CacheOnly>), Failure> {
        let config = self.config(NO_PASSWORD)?;
        let inner = authtoken::store::open(&config).map_err(Failure::Lib)?;
        let store = Arc::new(CacheOnly {
            inner,
            login_needed: AtomicBool::new(false),
        });
        let client = Client::with_store(config, store.clone()).map_err(Failure::Lib)?;
        Ok((client, store))
    }

    fn client(&self, password: &str) -> Result<Client, Failure> {
        Client::new(self.config(password)?).map_err(Failure::Lib)
    }

    fn config(&self, password: &str) -> Result<Config, Failure> {
        let mut doc = self.settings.doc.clone();
        doc.insert("password".into(), Value::String(password.to_string()));
        let mut doc = Value::Object(doc);
        let config = Config::from_value(&doc);
        if let Some(Value::String(p)) = doc.as_object_mut().and_then(|m| m.remove("password")) {
            drop(Zeroizing::new(p));
        }
        config.map_err(|e| self.config_failure(e))
    }

    /// A configuration error, with where the settings come from.
    pub fn config_failure(&self, e: authtoken::Error) -> Failure {
        if e.kind() == ErrorKind::InvalidConfig {
            Failure::with_hint(e, format!("give it as {}", self.settings.where_to_set()))
        } else {
            Failure::Lib(e)
        }
    }

    fn prompt(&self) -> Result<Zeroizing<String>, Failure> {
        let user = self.settings.text("username").unwrap_or("?");
        let provider = self.settings.text("provider").unwrap_or("?");
        let password = Zeroizing::new(
            rpassword::prompt_password(format!("Password for {user} ({provider}): ")).map_err(
                |e| Failure::Local(format!("cannot read the password from the terminal: {e}")),
            )?,
        );
        if password.is_empty() {
            return Err(Failure::Usage("no password was typed".into()));
        }
        Ok(password)
    }

    fn no_password(&self) -> Failure {
        Failure::with_hint(
            authtoken::Error::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{LOGIN_NEEDED} (no usable cached token for {} at {})",
                    self.settings.text("username").unwrap_or("?"),
                    self.settings.text("provider").unwrap_or("?")
                ),
            ),
            "set AUTHTOKEN_PASSWORD, pipe the password to --password-stdin, or run in a terminal to be prompted".into(),
        )
    }
}

/// The configured store, except that the login lock is refused: a client using it never
/// logs in. It records that a login was wanted.
struct CacheOnly {
    inner: Arc<dyn TokenStore>,
    login_needed: AtomicBool,
}

impl CacheOnly {
    fn login_needed(&self) -> bool {
        self.login_needed.load(Ordering::SeqCst)
    }
}

impl TokenStore for CacheOnly {
    fn load(&self, key: &CacheKey) -> authtoken::Result<Option<Entry>> {
        self.inner.load(key)
    }

    fn save(&self, key: &CacheKey, entry: &Entry) -> authtoken::Result<()> {
        self.inner.save(key, entry)
    }

    fn remove(&self, key: &CacheKey, only_token: Option<&str>) -> authtoken::Result<bool> {
        self.inner.remove(key, only_token)
    }

    fn lock(&self, _key: &CacheKey, _timeout: Duration) -> authtoken::Result<Box<dyn LockGuard>> {
        self.login_needed.store(true, Ordering::SeqCst);
        Err(authtoken::Error::new(
            ErrorKind::InvalidConfig,
            LOGIN_NEEDED,
        ))
    }

    fn list(&self) -> authtoken::Result<Vec<Entry>> {
        self.inner.list()
    }

    fn load_refusal(&self, key: &CacheKey) -> authtoken::Result<Option<Refusal>> {
        self.inner.load_refusal(key)
    }

    fn save_refusal(&self, key: &CacheKey, refusal: &Refusal) -> authtoken::Result<()> {
        self.inner.save_refusal(key, refusal)
    }

    fn remove_refusal(&self, key: &CacheKey) -> authtoken::Result<bool> {
        self.inner.remove_refusal(key)
    }

    fn list_refusals(&self) -> authtoken::Result<Vec<Refusal>> {
        self.inner.list_refusals()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// The store the settings name, opened without an identity (for `status`, `cache clear --all`).
///
/// The store needs only the cache settings; the configuration built here for it has a
/// placeholder identity and is never used to log in.
pub fn open_store(settings: &Settings) -> Result<Arc<dyn TokenStore>, Failure> {
    let mut doc = serde_json::Map::new();
    doc.insert("provider".into(), "tpstreams-legacy".into());
    doc.insert("username".into(), "authtoken-status".into());
    doc.insert("password".into(), NO_PASSWORD.into());
    for key in [
        "cache",
        "cache_dir",
        "redis_key_prefix",
        "redis_fallback",
        "connect_timeout_ms",
        "timeout_ms",
    ] {
        if let Some(v) = settings.doc.get(key) {
            doc.insert(key.into(), v.clone());
        }
    }
    let config = Config::from_value(&Value::Object(doc))
        .map_err(|e| Failure::with_hint(e, format!("give it as {}", settings.where_to_set())))?;
    authtoken::store::open(&config).map_err(Failure::Lib)
}
