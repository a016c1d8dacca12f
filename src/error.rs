//! The crate's one error type.
//!
//! Every fallible core function returns [`Result`]. The bindings map each
//! variant to one Python exception class in a single place
//! (`bindings::errors`), so messages are written once, here, for both Rust
//! and Python users.

use thiserror::Error;

/// Everything that can go wrong in khabar's core.
#[derive(Debug, Error)]
pub enum Error {
    /// A parameter is out of range or inconsistent with another one.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter { name: &'static str, message: String },

    /// Input data cannot be used (for example an empty corpus).
    #[error("{0}")]
    InvalidInput(String),

    /// A model file or byte string is not a valid khabar model.
    #[error("invalid khabar model data: {0}")]
    ModelFormat(String),

    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),

    /// The worker thread pool could not be built.
    #[error("could not start worker threads: {0}")]
    ThreadPool(String),

    /// Training was stopped by its progress observer (in Python, by an
    /// exception such as `KeyboardInterrupt` raised in the progress
    /// callback, which the bindings raise instead of this).
    #[error("training was interrupted")]
    Interrupted,
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name,
            message: message.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
