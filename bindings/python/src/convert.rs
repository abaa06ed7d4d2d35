//! Python values to the JSON configuration document the core reads, and request pieces
//! (query, headers, body) from Python arguments.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView,
    PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

/// Nesting deeper than this in a configuration value is refused (no recursion bombs).
const MAX_DEPTH: usize = 32;

/// A configuration value as JSON. `what` names the argument in errors.
pub fn to_json(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    to_json_at(value, what, 0)
}

fn to_json_at(value: &Bound<'_, PyAny>, what: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "{what} is nested too deeply"
        )));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = value.extract::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        return Err(PyValueError::new_err(format!("{what} is out of range")));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{what} must be a finite number")));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(map) = value.cast::<PyMapping>() {
        let mut out = Map::new();
        for item in map.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = k
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err(format!("{what} must have string keys")))?
                .to_cow()?
                .into_owned();
            let inner = format!("{what}[{key:?}]");
            out.insert(key, to_json_at(&v, &inner, depth + 1)?);
        }
        return Ok(Value::Object(out));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            out.push(to_json_at(&item?, &format!("{what}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if value.hasattr(intern!(value.py(), "__fspath__"))? {
        let path = os_fspath(value.py())?.call1((value,))?;
        return path
            .cast::<PyString>()
            .map_err(|_| {
                PyTypeError::new_err(format!("{what} must be a str path, not a bytes path"))
            })?
            .to_cow()
            .map(|s| Value::String(s.into_owned()));
    }
    Err(PyTypeError::new_err(format!(
        "{what} has unsupported type {}",
        value.get_type().name()?
    )))
}

fn os_fspath(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static FSPATH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    FSPATH.import(py, "os", "fspath")
}

fn urlencode(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static URLENCODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    URLENCODE.import(py, "urllib.parse", "urlencode")
}

fn json_dumps(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    DUMPS.import(py, "json", "dumps")
}

/// `urllib.parse.urlencode(value, doseq=True)`: a mapping or a sequence of pairs.
fn form_encode(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item(intern!(py, "doseq"), true)?;
    urlencode(py)?.call((value,), Some(&kwargs))?.extract()
}

/// `url` with `params` appended to its query string.
pub fn with_params(url: String, params: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let Some(params) = params.filter(|p| !p.is_none()) else {
        return Ok(url);
    };
    let query = match params.cast::<PyString>() {
        Ok(s) => s.to_cow()?.trim_start_matches('?').to_owned(),
        Err(_) => form_encode(params).map_err(|e| {
            annotate(
                params.py(),
                e,
                "params must be a mapping, a sequence of pairs or a str",
            )
        })?,
    };
    if query.is_empty() {
        return Ok(url);
    }
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
        None => (url, None),
    };
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{sep}{query}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&f);
    }
    Ok(out)
}

fn annotate(py: Python<'_>, err: PyErr, message: &str) -> PyErr {
    if err.is_instance_of::<PyTypeError>(py) {
        PyTypeError::new_err(format!("{message}: {}", err.value(py)))
    } else {
        err
    }
}

/// Request headers from a mapping or a sequence of pairs of strings.
pub fn headers(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let items = match value.cast::<PyMapping>() {
        Ok(m) => m.items()?.into_any(),
        Err(_) => value.clone(),
    };
    let mut out = Vec::new();
    for item in items.try_iter().map_err(|_| {
        PyTypeError::new_err("headers must be a mapping or a sequence of (name, value) pairs")
    })? {
        let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
            item?.extract().map_err(|_| {
                PyTypeError::new_err(
                    "headers must be a mapping or a sequence of (name, value) pairs",
                )
            })?;
        let name: String = name
            .extract()
            .map_err(|_| PyTypeError::new_err("header names must be str"))?;
        let value: String = value.extract().map_err(|_| {
            PyTypeError::new_err(format!("the value of header {name:?} must be str"))
        })?;
        out.push((name, value));
    }
    Ok(out)
}

/// A request body and the `Content-Type` it implies, from `json=` or `data=`.
pub fn body(
    json: Option<&Bound<'_, PyAny>>,
    data: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<Vec<u8>>, Option<&'static str>)> {
    let json = json.filter(|v| !v.is_none());
    let data = data.filter(|v| !v.is_none());
    match (json, data) {
        (Some(_), Some(_)) => Err(PyTypeError::new_err("pass json= or data=, not both")),
        (Some(json), None) => {
            let py = json.py();
            let kwargs = PyDict::new(py);
            kwargs.set_item(intern!(py, "allow_nan"), false)?;
            kwargs.set_item(intern!(py, "ensure_ascii"), false)?;
            kwargs.set_item(intern!(py, "separators"), (",", ":"))?;
            let text = json_dumps(py)?.call((json,), Some(&kwargs))?;
            let text = text.cast::<PyString>()?.to_cow()?;
            Ok((Some(text.as_bytes().to_vec()), Some("application/json")))
        }
        (None, Some(data)) => {
            if let Ok(b) = data.cast::<PyBytes>() {
                return Ok((Some(b.as_bytes().to_vec()), None));
            }
            if let Ok(b) = data.cast::<PyByteArray>() {
                return Ok((Some(b.to_vec()), None));
            }
            if let Ok(s) = data.cast::<PyString>() {
                return Ok((Some(s.to_cow()?.as_bytes().to_vec()), None));
            }
            if data.is_instance_of::<PyMapping>()
                || data.is_instance_of::<PyList>()
                || data.is_instance_of::<PyTuple>()
            {
                let form = form_encode(data).map_err(|e| annotate(data.py(), e, "data"))?;
                return Ok((
                    Some(form.into_bytes()),
                    Some("application/x-www-form-urlencoded"),
                ));
            }
            if data.is_instance_of::<PyMemoryView>() {
                let bytes = data.call_method0(intern!(data.py(), "tobytes"))?;
                return Ok((Some(bytes.cast::<PyBytes>()?.as_bytes().to_vec()), None));
            }
            Err(PyTypeError::new_err(format!(
                "data must be bytes, bytearray, str, a mapping or a sequence of pairs, not {}",
                data.get_type().name()?
            )))
        }
        (None, None) => Ok((None, None)),
    }
}
