//! The one mapping from core errors (and panics) to Python exceptions.

use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::error::Error;

create_exception!(
    _core,
    ModelFormatError,
    PyValueError,
    "A model file or byte string is not a valid khabar model (truncated, corrupted, wrong \
     magic bytes, or written by a newer khabar)."
);

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let msg = e.to_string();
        match e {
            Error::InvalidParameter { .. } | Error::InvalidInput(_) => PyValueError::new_err(msg),
            Error::ModelFormat(_) => ModelFormatError::new_err(msg),
            Error::Io(io) => PyOSError::new_err(io.to_string()),
            Error::ThreadPool(_) | Error::Interrupted => PyRuntimeError::new_err(msg),
        }
    }
}

/// Run core work, turning a panic into a `RuntimeError` instead of pyo3's
/// `PanicException` (a `BaseException` that `except Exception` misses and
/// that tears down notebook cells). Core code does not panic on user input;
/// this is the last line of defence.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(PyErr::from),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(PyRuntimeError::new_err(format!(
                "internal error in khabar (please report it with the input that caused it): {what}"
            )))
        }
    }
}
