//! khabar (خبر, "news"): Arabic-first news text features and classifiers.
//!
//! Data flows one way: text -> [`text`] (normalise, tokenise) ->
//! [`features`] (n-grams, vocabularies, TF-IDF, hashing) -> CSR matrices.
//! Everything outside `bindings` builds and tests without Python:
//! `cargo test --no-default-features`.

pub mod error;
pub mod features;
pub(crate) mod hugepages;
pub mod io;
pub mod model;
pub mod parallel;
pub mod pipeline;
pub mod recognizer;
pub mod stance;
pub mod text;
pub(crate) mod trace;

#[cfg(feature = "python")]
mod bindings;

pub use error::{Error, Result};
