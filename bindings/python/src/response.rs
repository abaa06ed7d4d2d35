//! `authtoken.Response`: the answer to a signed request.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::errors;

/// The answer to a signed request, fully read: `status_code`, `headers`, `content`, `text`,
/// `json()`, `raise_for_status()`.
///
/// Immutable and safe to share between threads. Any status is returned as a Response; call
/// `raise_for_status()` to turn 4xx/5xx into an exception.
#[pyclass(module = "authtoken", name = "Response", frozen)]
pub struct PyResponse {
    inner: authtoken::Response,
    content: PyOnceLock<Py<PyBytes>>,
    headers: PyOnceLock<Py<PyAny>>,
}

impl PyResponse {
    pub fn new(inner: authtoken::Response) -> PyResponse {
        PyResponse {
            inner,
            content: PyOnceLock::new(),
            headers: PyOnceLock::new(),
        }
    }

    fn content_bytes<'py>(&self, py: Python<'py>) -> &Bound<'py, PyBytes> {
        self.content
            .get_or_init(py, || PyBytes::new(py, self.inner.body()).unbind())
            .bind(py)
    }

    /// The `charset` parameter of the Content-Type header, if any.
    fn charset(&self) -> Option<String> {
        let content_type = self.inner.header("content-type")?;
        content_type.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        })
    }
}

fn headers_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static HEADERS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    HEADERS.import(py, "authtoken._headers", "Headers")
}

fn json_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOADS.import(py, "json", "loads")
}

#[pymethods]
impl PyResponse {
    /// The HTTP status code.
    #[getter]
    fn status_code(&self) -> u16 {
        self.inner.status()
    }

    /// Whether the status is below 400 (as in requests).
    #[getter]
    fn ok(&self) -> bool {
        self.inner.status() < 400
    }

    /// The final URL (after redirects).
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    /// The headers: a read-only, case-insensitive mapping (`authtoken.Headers`). A name sent
    /// more than once maps to its values joined with ", "; `headers.get_list(name)` has each.
    #[getter]
    fn headers(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if let Some(h) = self.headers.get(py) {
            return Ok(h.clone_ref(py));
        }
        let pairs = PyList::new(
            py,
            self.inner
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )?;
        let h = headers_class(py)?.call1((pairs,))?.unbind();
        Ok(self.headers.get_or_init(py, || h).clone_ref(py))
    }

    /// The body as bytes.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.content_bytes(py).clone()
    }

    /// The body as text, decoded with the Content-Type's charset (UTF-8 when there is none);
    /// undecodable bytes are replaced.
    #[getter]
    fn text<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        let charset = self.charset();
        match charset.as_deref() {
            None | Some("utf-8") | Some("utf8") => Ok(PyString::new(
                py,
                &String::from_utf8_lossy(self.inner.body()),
            )),
            Some(charset) => {
                match self
                    .content_bytes(py)
                    .call_method1(intern!(py, "decode"), (charset, "replace"))
                {
                    Ok(text) => Ok(text.cast_into::<PyString>()?),
                    Err(e) if e.is_instance_of::<pyo3::exceptions::PyLookupError>(py) => Ok(
                        PyString::new(py, &String::from_utf8_lossy(self.inner.body())),
                    ),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The body parsed as JSON (`json.loads`). Raises `json.JSONDecodeError` (a ValueError)
    /// when it is not JSON.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py)?.call1((self.content_bytes(py),))
    }

    /// Returns the response when its status is below 400; otherwise raises the matching
    /// `AuthTokenError` subclass (401 `UnauthorizedError`, 403 `ForbiddenError`, 429
    /// `RateLimitedError`, 5xx `ServerError`, other 4xx `HttpStatusError`) carrying `status`,
    /// `server_message` and this response as `response`.
    fn raise_for_status(slf: &Bound<'_, Self>) -> PyResult<Py<PyResponse>> {
        let this = slf.get();
        if this.inner.status() < 400 {
            return Ok(slf.clone().unbind());
        }
        match this.inner.clone().error_for_status() {
            Ok(_) => Ok(slf.clone().unbind()),
            Err(e) => Err(errors::to_pyerr(
                slf.py(),
                &e,
                Some(slf.clone().into_any().unbind()),
            )),
        }
    }

    fn __repr__(&self) -> String {
        format!("<Response [{}]>", self.inner.status())
    }
}
