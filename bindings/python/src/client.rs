//! `authtoken.Client`: one identity on one service, over the Rust core.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError, RwLock};

use authtoken::{Client, Config};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyMapping, PyString, PyTuple, PyType};
use serde_json::{Map, Value};

use crate::convert;
use crate::errors;
use crate::response::PyResponse;

/// Runs `f` (which may touch the network or wait on a lock) without the GIL, turning core
/// errors into `AuthTokenError` subclasses and panics into `InternalError`.
pub fn run<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> authtoken::Result<T> + Send,
    T: Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(errors::to_pyerr(py, &e, None)),
        Err(panic) => Err(errors::internal(py, panic)),
    }
}

/// A client for one identity (provider, base URL, username, organization) on one service.
///
/// Every configuration key is a keyword argument: `Client(provider="tpstreams",
/// username=..., password=..., organization_id=...)`; `None` means "not set". An unknown
/// keyword raises `TypeError`; an invalid value raises `InvalidConfigError` (a `ValueError`)
/// naming the key. No network traffic happens here: the first login is on first use.
///
/// Thread-safety: one Client may be shared by any number of threads; every call that can touch
/// the network or wait for a lock releases the GIL. Clients of the same identity share one
/// token: across threads (always), across processes (with the file cache, the default), and
/// across machines (with a Redis cache). A Client cannot be pickled; one created before
/// `fork()` keeps working in the child (which opens its own connections).
///
/// As a context manager it closes itself on exit. Closing does not log out: other threads and
/// processes may be using the same token. Call `logout()` to revoke it.
#[pyclass(module = "authtoken", name = "Client", subclass, frozen)]
pub struct PyClient {
    core: RwLock<Option<Client>>,
    /// The last header handed out, as a Python string, with the serial of its token: returned
    /// again (a reference count, no copy) while the core's fresh token has that serial.
    header: Mutex<Option<(u64, Py<PyString>)>>,
    provider: String,
    username: String,
    base_url: String,
    store: String,
}

impl PyClient {
    fn build(py: Python<'_>, document: &Value) -> PyResult<PyClient> {
        let config = Config::from_value(document).map_err(|e| errors::to_pyerr(py, &e, None))?;
        let client = run(py, move || Client::new(config))?;
        Ok(PyClient {
            provider: client.config().provider().name().to_owned(),
            username: client.config().username().to_owned(),
            base_url: client.base_url().to_owned(),
            store: client.store_description(),
            core: RwLock::new(Some(client)),
            header: Mutex::new(None),
        })
    }

    fn core(&self, py: Python<'_>) -> PyResult<Client> {
        self.core
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| errors::invalid_argument(py, "this authtoken.Client is closed"))
    }

    #[allow(clippy::too_many_arguments)]
    fn send(
        &self,
        py: Python<'_>,
        method: String,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        let url = convert::with_params(url, params)?;
        let mut headers = convert::headers(headers)?;
        let (body, content_type) = convert::body(json, data)?;
        if let Some(content_type) = content_type {
            if !headers
                .iter()
                .any(|(k, _)| k.trim().eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".to_owned(), content_type.to_owned()));
            }
        }
        let core = self.core(py)?;
        let response = run(py, move || {
            let pairs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            core.request(&method, &url, &pairs, body.as_deref())
        })?;
        Ok(PyResponse::new(response))
    }
}

/// `TypeError` for a keyword argument that is not a configuration key, with a suggestion.
fn unknown_keyword(key: &str) -> PyErr {
    let hint = authtoken::suggest_config_key(key)
        .map(|k| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default();
    PyTypeError::new_err(format!(
        "Client() got an unexpected keyword argument '{key}'{hint}"
    ))
}

/// The configuration document from keyword arguments.
fn document_from_kwargs(
    kwargs: Option<&Bound<'_, PyDict>>,
    into: &mut Map<String, Value>,
) -> PyResult<()> {
    let Some(kwargs) = kwargs else {
        return Ok(());
    };
    for (k, v) in kwargs.iter() {
        let key: String = k.extract()?;
        if !authtoken::config_keys().any(|c| c == key) {
            return Err(unknown_keyword(&key));
        }
        let value = convert::to_json(&v, &format!("argument '{key}'"))?;
        into.insert(key, value);
    }
    Ok(())
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (provider = None, **config))]
    fn new(
        py: Python<'_>,
        provider: Option<&Bound<'_, PyAny>>,
        config: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClient> {
        let mut document = Map::new();
        if let Some(provider) = provider {
            document.insert(
                "provider".to_owned(),
                convert::to_json(provider, "argument 'provider'")?,
            );
        }
        document_from_kwargs(config, &mut document)?;
        PyClient::build(py, &Value::Object(document))
    }

    /// A client from a configuration document: a JSON text (`str` or `bytes`) or a mapping,
    /// the same document every language reads. Keyword arguments override its keys (for
    /// example `password=os.environ["TPSTREAMS_PASSWORD"]`).
    ///
    /// Raises `InvalidConfigError` (a `ValueError`) naming the key for an unknown key or an
    /// invalid value, and `TypeError` when `config` is neither text nor a mapping.
    #[classmethod]
    #[pyo3(signature = (config, **overrides))]
    fn from_config<'py>(
        cls: &Bound<'py, PyType>,
        config: &Bound<'py, PyAny>,
        overrides: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let mapping = if config.is_instance_of::<PyString>() || config.is_instance_of::<PyBytes>() {
            let text = match config.cast::<PyString>() {
                Ok(s) => s.to_cow()?.into_owned(),
                Err(_) => String::from_utf8(config.extract::<Vec<u8>>()?).map_err(|_| {
                    errors::to_pyerr(
                        py,
                        &authtoken::Error::new(
                            authtoken::ErrorKind::InvalidConfig,
                            "config is not valid UTF-8",
                        ),
                        None,
                    )
                })?,
            };
            // Validate the text with the core, so that syntax errors never echo the document.
            let parsed: Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(_) => {
                    let e = Config::from_json(&text).err().unwrap_or_else(|| {
                        authtoken::Error::new(
                            authtoken::ErrorKind::InvalidConfig,
                            "config is not valid JSON",
                        )
                    });
                    return Err(errors::to_pyerr(py, &e, None));
                }
            };
            if !parsed.is_object() {
                let e = Config::from_value(&parsed).err().unwrap_or_else(|| {
                    authtoken::Error::new(
                        authtoken::ErrorKind::InvalidConfig,
                        "config must be a JSON object",
                    )
                });
                return Err(errors::to_pyerr(py, &e, None));
            }
            LOADS.import(py, "json", "loads")?.call1((text,))?
        } else if config.is_instance_of::<PyMapping>() {
            config.clone()
        } else {
            return Err(PyTypeError::new_err(format!(
                "config must be a JSON str or bytes, or a mapping, not {}",
                config.get_type().name()?
            )));
        };
        let merged = PyDict::new(py);
        for item in mapping.cast::<PyMapping>()?.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            merged.set_item(k, v)?;
        }
        if let Some(overrides) = overrides {
            merged.update(overrides.as_mapping())?;
        }
        // Validate the whole document first: an unknown key in a document is a configuration
        // error naming the key, not a keyword-argument error.
        let document = convert::to_json(merged.as_any(), "config")?;
        Config::from_value(&document).map_err(|e| errors::to_pyerr(py, &e, None))?;
        cls.call((), Some(&merged))
    }

    /// The bare token, logging in first if there is no valid one. Treat it as a password.
    ///
    /// Raises the errors of a login (`InvalidCredentialsError`, `TokenLimitError`,
    /// `NetworkError`, ...) and `StoreError`/`LockTimeoutError` from the cache.
    #[getter]
    fn token(&self, py: Python<'_>) -> PyResult<String> {
        let core = self.core(py)?;
        run(py, move || core.token().map(|t| t.secret().to_owned()))
    }

    /// The `Authorization` header value, exactly as the service wants it: `Token 3f…`
    /// (TPStreams, CruxConnect), `token 3f…` (TPStreams legacy), `JWT eyJ…` (Testpress).
    /// Logs in only when there is no valid token. Raises as `token` does.
    fn authorization_header(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let serial = {
            let core = self.core.read().unwrap_or_else(PoisonError::into_inner);
            core.as_ref().and_then(Client::fresh_token_serial)
        };
        if let Some(serial) = serial {
            if let Some((cached, header)) =
                &*self.header.lock().unwrap_or_else(PoisonError::into_inner)
            {
                if *cached == serial {
                    return Ok(header.clone_ref(py));
                }
            }
        }
        let core = self.core(py)?;
        let token = run(py, move || core.token())?;
        let header = PyString::new(py, token.header_value()).unbind();
        *self.header.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((token.serial(), header.clone_ref(py)));
        Ok(header)
    }

    /// Sends a signed request to `url` (a path below `base_url`, or an absolute URL of the
    /// same origin) and returns the `Response`, whatever its status.
    ///
    /// `json` is sent as JSON; `data` as is (bytes, str) or form-encoded (a mapping or pairs);
    /// `headers` are added (the Authorization header is authtoken's); `params` are appended to
    /// the query string. On a 401 the token is replaced once (one login however many threads
    /// see it) and the request resent.
    ///
    /// Raises `InvalidArgumentError` for a bad method, header or URL or another origin,
    /// `UnauthorizedError` when a fresh token is refused too, the errors of a login, and
    /// `NetworkError`/`TimeoutError`/`TlsError`/`ProtocolError` from the request.
    #[pyo3(signature = (method, url, *, json = None, data = None, headers = None, params = None))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        self.send(py, method, url, json, data, headers, params)
    }

    /// A signed GET; see `request()`.
    #[pyo3(signature = (url, *, json = None, data = None, headers = None, params = None))]
    fn get(
        &self,
        py: Python<'_>,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        self.send(py, "GET".into(), url, json, data, headers, params)
    }

    /// A signed POST; see `request()`.
    #[pyo3(signature = (url, *, json = None, data = None, headers = None, params = None))]
    fn post(
        &self,
        py: Python<'_>,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        self.send(py, "POST".into(), url, json, data, headers, params)
    }

    /// A signed PUT; see `request()`.
    #[pyo3(signature = (url, *, json = None, data = None, headers = None, params = None))]
    fn put(
        &self,
        py: Python<'_>,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        self.send(py, "PUT".into(), url, json, data, headers, params)
    }

    /// A signed PATCH; see `request()`.
    #[pyo3(signature = (url, *, json = None, data = None, headers = None, params = None))]
    fn patch(
        &self,
        py: Python<'_>,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        self.send(py, "PATCH".into(), url, json, data, headers, params)
    }

    /// A signed DELETE; see `request()`.
    #[pyo3(signature = (url, *, json = None, data = None, headers = None, params = None))]
    fn delete(
        &self,
        py: Python<'_>,
        url: String,
        json: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        self.send(py, "DELETE".into(), url, json, data, headers, params)
    }

    /// Revokes the token on the server (where the service has a logout endpoint) and removes
    /// it from the cache, so that every thread and process sharing it logs in again on next
    /// use. Without a token, nothing is sent. When the server fails to revoke, the token is
    /// kept (so that logout can be retried) and the error raised (`ServerError`,
    /// `NetworkError`, ...).
    fn logout(&self, py: Python<'_>) -> PyResult<()> {
        let core = self.core(py)?;
        run(py, move || core.logout())
    }

    /// Forgets the token locally (memory and cache) without revoking it on the server.
    /// Raises `StoreError` when the cache cannot be changed.
    fn forget(&self, py: Python<'_>) -> PyResult<()> {
        let core = self.core(py)?;
        run(py, move || core.forget())
    }

    /// Releases this client's connections. It does not log out: other threads and processes
    /// may share the token. Calls on a closed client raise `InvalidArgumentError`; closing
    /// twice does nothing.
    fn close(&self, py: Python<'_>) {
        let core = self
            .core
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.header
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // Dropping the HTTP client joins its runtime thread: do it without the GIL.
        py.detach(move || drop(core));
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.core
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// The provider profile (`tpstreams`, `tpstreams-legacy`, `testpress`, `cruxconnect`,
    /// `custom`).
    #[getter]
    fn provider(&self) -> &str {
        &self.provider
    }

    /// The username the token belongs to.
    #[getter]
    fn username(&self) -> &str {
        &self.username
    }

    /// The base URL requests are sent to (no trailing slash).
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Where tokens are kept: `memory`, `file:<directory>` or `redis:<server>`.
    #[getter]
    fn store(&self) -> &str {
        &self.store
    }

    /// Whether an answer with `status` and `body` to a request signed by this client says the
    /// token was refused: 401, or, for Testpress, a 403 whose message is one of its JWT views'
    /// rejections. The core decides (the rule of the client's own requests). `body` is the
    /// answer's bytes, or a callable returning them, called only when the decision needs the
    /// body (so a streamed answer is read only for such a 403). Without `body`, returns `None`
    /// when the decision needs it (for async code: read the body, then ask again with it).
    /// On `True`, call `invalidate(header_sent)`, take a fresh header and resend once.
    ///
    /// Raises `InvalidArgumentError` when the client is closed, `TypeError` when `body` (or
    /// what the callable returns) is not bytes, and whatever the callable raises.
    #[pyo3(signature = (status, body=None))]
    fn is_refused(
        &self,
        py: Python<'_>,
        status: u16,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<bool>> {
        let core = self.core(py)?;
        let Some(body) = body else {
            return Ok(core.is_refused_by_status(status));
        };
        let mut failure: Option<PyErr> = None;
        let refused = core.is_refused_with(status, || {
            let bytes = if body.is_callable() {
                body.call0()
            } else {
                Ok(body.clone())
            };
            match bytes.and_then(|b| Ok(b.cast_into::<PyBytes>()?.as_bytes().to_vec())) {
                Ok(bytes) => bytes,
                Err(e) => {
                    failure = Some(e);
                    Vec::new()
                }
            }
        });
        match failure {
            Some(e) => Err(e),
            None => Ok(Some(refused)),
        }
    }

    /// Raises `InvalidArgumentError` unless this client's Authorization header may be sent to
    /// `url`: an absolute `http://` or `https://` URL with the base URL's scheme, host and
    /// port, the one origin the token is ever sent to. The message names what was wrong.
    fn check_url(&self, py: Python<'_>, url: &str) -> PyResult<()> {
        self.core(py)?
            .check_url(url)
            .map_err(|e| errors::to_pyerr(py, &e, None))
    }

    /// Compare-and-invalidate, for requests sent with another HTTP client that were refused
    /// (401, or Testpress' 403 for a bad JWT): forgets `failed` (the Authorization value or
    /// the bare token that was sent) only while it is still the current token, in memory and
    /// in the cache. Many threads or processes reporting the same refused token therefore
    /// cause one login, and a token another process has just obtained is kept. Returns whether
    /// this call forgot it. The next `authorization_header()` logs in again.
    ///
    /// Raises `InvalidArgumentError` for an empty value and `StoreError` from the cache.
    fn invalidate(&self, py: Python<'_>, failed: String) -> PyResult<bool> {
        let core = self.core(py)?;
        run(py, move || core.invalidate(&failed))
    }

    /// Signs a `requests` request: `requests.get(url, auth=client)`. A 401 logs in again
    /// (once, however many requests see it) and resends. For httpx use
    /// `authtoken.HttpxAuth(client)`.
    fn __call__<'py>(
        slf: &Bound<'py, Self>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        static SIGN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let py = slf.py();
        SIGN.import(py, "authtoken._requests", "sign")?
            .call1((slf, request))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let this = slf.get();
        let quoted = |s: &str| -> PyResult<String> {
            Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned())
        };
        Ok(format!(
            "<authtoken.{} provider={} username={} base_url={}{}>",
            slf.get_type().name()?,
            quoted(&this.provider)?,
            quoted(&this.username)?,
            quoted(&this.base_url)?,
            if this.closed() { " closed" } else { "" }
        ))
    }
}
