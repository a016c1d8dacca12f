//! Python bindings: the only module that imports pyo3 and numpy.
//!
//! Classes are thin frozen wrappers around immutable core objects (so they
//! are safe to share between threads, free-threaded builds included).
//! Methods convert arguments, release the GIL with `py.detach` for the real
//! work, and map errors through `errors`. The Python package
//! (`python/khabar`) builds the scikit-learn estimators on top.

mod arrow;
mod convert;
mod entities;
mod errors;
mod hook;
mod mlp;
mod models;
mod naive_bayes;
mod pairs;
mod pipeline;
mod tagger;
mod text;
mod vectorizers;

use pyo3::prelude::*;

#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FORMAT_VERSION", crate::io::FORMAT_VERSION)?;
    m.add(
        "ModelFormatError",
        py.get_type::<errors::ModelFormatError>(),
    )?;
    text::register(m)?;
    vectorizers::register(m)?;
    models::register(m)?;
    entities::register(m)?;
    tagger::register(m)?;
    pairs::register(m)?;
    mlp::register(m)?;
    Ok(())
}
