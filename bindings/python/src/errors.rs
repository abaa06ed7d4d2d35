//! The exception hierarchy: `authtoken.AuthTokenError` and one subclass per
//! [`authtoken::ErrorKind`], with the kind's stable code.

use std::any::Any;

use authtoken::{Error, ErrorKind};
use pyo3::exceptions::{PyConnectionError, PyException, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

pyo3::create_exception!(
    authtoken,
    AuthTokenError,
    PyException,
    "Base class of every error raised by authtoken.\n\n\
     Attributes: `code` (the stable number of the error kind, the same in C, PHP and Ruby), \
     `kind` (its snake_case name), `status` (the HTTP status, or None), `server_message` \
     (the server's own message, or None), `error_code` (the server's `error_code`, or None), \
     `retry_after` (seconds the server asked to wait, or None) and `response` (the Response, \
     for errors raised by `Response.raise_for_status()`). Messages never contain the \
     password or the token."
);

/// The per-kind classes, indexed by `code - 1`.
static KIND_CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

/// The Python class name of a kind: `token_limit` -> `TokenLimitError`.
pub fn class_name(kind: ErrorKind) -> String {
    let mut name = String::new();
    for part in kind.name().split('_') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    name.push_str("Error");
    name
}

fn class_doc(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidConfig => "The configuration is invalid: a missing, unknown, mistyped or misplaced key (also a ValueError).",
        ErrorKind::InvalidCredentials => "The server refused the username and password at login.",
        ErrorKind::TokenLimit => "The service refused to issue another token (TPStreams' 20 live tokens per organization, Testpress' parallel-login limits).",
        ErrorKind::Unauthorized => "A signed request was refused with 401 even after logging in again.",
        ErrorKind::Forbidden => "The server answered 403.",
        ErrorKind::RateLimited => "The server answered 429 and retrying within the allowed wait did not help.",
        ErrorKind::Network => "The server could not be reached, or the connection broke (also a ConnectionError).",
        ErrorKind::Timeout => "The server did not answer in time (also the built-in TimeoutError).",
        ErrorKind::Tls => "TLS failed: certificate, handshake, or an unreadable ca_file.",
        ErrorKind::Server => "The server answered with a 5xx status.",
        ErrorKind::Protocol => "The server's answer could not be understood (bad JSON, missing token, too large).",
        ErrorKind::Store => "The token store (file cache, Redis) failed or refused an unsafe entry.",
        ErrorKind::LockTimeout => "Another process held the login lock for longer than lock_timeout_ms (also the built-in TimeoutError).",
        ErrorKind::InvalidArgument => "An argument was invalid: method, URL, header, another origin, or a closed client (also a ValueError).",
        ErrorKind::HttpStatus => "A response had an error status (raised by Response.raise_for_status()).",
        ErrorKind::Internal => "A bug inside authtoken (a caught panic). Please report it.",
    }
}

/// Creates the classes and adds them (and `AuthTokenError`) to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<AuthTokenError>();
    for (attr, value) in [
        ("code", 0u32.into_pyobject(py)?.into_any()),
        ("kind", "error".into_pyobject(py)?.into_any()),
    ] {
        base.setattr(attr, value)?;
    }
    for attr in [
        "status",
        "server_message",
        "error_code",
        "retry_after",
        "response",
    ] {
        base.setattr(attr, py.None())?;
    }
    m.add("AuthTokenError", &base)?;

    let builtin_type = py.get_type::<PyType>();
    let mut classes = Vec::with_capacity(ErrorKind::ALL.len());
    for kind in ErrorKind::ALL {
        let name = class_name(kind);
        let mut bases = vec![base.clone().into_any()];
        match kind {
            ErrorKind::InvalidConfig | ErrorKind::InvalidArgument => {
                bases.push(py.get_type::<PyValueError>().into_any())
            }
            ErrorKind::Network => bases.push(py.get_type::<PyConnectionError>().into_any()),
            ErrorKind::Timeout | ErrorKind::LockTimeout => {
                bases.push(py.get_type::<PyTimeoutError>().into_any())
            }
            _ => {}
        }
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "authtoken")?;
        namespace.set_item("__doc__", class_doc(kind))?;
        namespace.set_item("code", kind.code())?;
        namespace.set_item("kind", kind.name())?;
        let class = builtin_type
            .call1((name.as_str(), PyTuple::new(py, bases)?, namespace))?
            .cast_into::<PyType>()?;
        m.add(name.as_str(), &class)?;
        classes.push(class.unbind());
    }
    // Module initialization can run more than once (sub-interpreters, reloads): the first
    // set of classes stays the one raised.
    let _ = KIND_CLASSES.set(py, classes);
    Ok(())
}

fn class_for(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    KIND_CLASSES
        .get(py)
        .and_then(|classes| classes.get(kind.code() as usize - 1))
        .map(|c| c.bind(py).clone())
        .unwrap_or_else(|| py.get_type::<AuthTokenError>())
}

/// The Python exception for a core error; `response` is attached for `raise_for_status()`.
pub fn to_pyerr(py: Python<'_>, error: &Error, response: Option<Py<PyAny>>) -> PyErr {
    match build(py, error, response) {
        Ok(err) => err,
        Err(err) => err,
    }
}

fn build(py: Python<'_>, error: &Error, response: Option<Py<PyAny>>) -> PyResult<PyErr> {
    let exc = class_for(py, error.kind()).call1((error.message(),))?;
    exc.setattr("status", error.status())?;
    exc.setattr("server_message", error.server_message())?;
    exc.setattr("error_code", error.error_code())?;
    exc.setattr("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    if let Some(response) = response {
        exc.setattr("response", response)?;
    }
    Ok(PyErr::from_value(exc))
}

/// An `InvalidArgumentError` with `message`.
pub fn invalid_argument(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_pyerr(py, &Error::new(ErrorKind::InvalidArgument, message), None)
}

/// The `InternalError` for a panic caught inside the core.
pub fn internal(py: Python<'_>, payload: Box<dyn Any + Send>) -> PyErr {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    to_pyerr(
        py,
        &Error::new(
            ErrorKind::Internal,
            format!("internal error in authtoken (a bug; please report it): {detail}"),
        ),
        None,
    )
}
