//! `authtoken._authtoken`: the Python extension module over the authtoken core.
//!
//! The Python package `authtoken` (python/authtoken/__init__.py) re-exports this module.
//! Every call that can touch the network or wait for a lock releases the GIL; core errors
//! become one exception class per error kind under `authtoken.AuthTokenError`; the core's
//! `log` records reach Python's `logging` under the `authtoken` logger.

mod client;
mod convert;
mod errors;
mod response;

use log::LevelFilter;
use pyo3::prelude::*;
use pyo3::types::PyList;

/// The configuration keys `Client()` accepts as keyword arguments, in the documented order.
#[pyfunction]
fn config_keys(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    PyList::new(py, authtoken::config_keys())
}

/// Forwards `log` records to Python's `logging`: the core's (targets `authtoken::…`, Python
/// loggers `authtoken.…`) from DEBUG up, its dependencies' from WARNING up. Levels are read
/// from Python on every record that passes, so reconfiguring `logging` at any time works; the
/// core logs only at login, refresh, retries and errors, so this costs nothing per request.
fn init_logging(py: Python<'_>) -> PyResult<()> {
    let logger = pyo3_log::Logger::new(py, pyo3_log::Caching::Loggers)?
        .filter(LevelFilter::Warn)
        .filter_target("authtoken".to_owned(), LevelFilter::Debug);
    // A second initialization (sub-interpreters, reloads) keeps the first logger.
    let _ = logger.install();
    Ok(())
}

#[pymodule]
fn _authtoken(m: &Bound<'_, PyModule>) -> PyResult<()> {
    init_logging(m.py())?;
    m.add("__version__", authtoken::VERSION)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<response::PyResponse>()?;
    m.add_function(wrap_pyfunction!(config_keys, m)?)?;
    errors::register(m)?;
    Ok(())
}
