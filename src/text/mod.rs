//! Text processing: normalisation, tokenisation, clitic segmentation and
//! stop-word lists. Pure Rust, no Python.

mod char_table;
pub mod normalize;
pub mod stem;
pub mod stopwords;
mod token_classes;
mod token_patterns;
pub mod tokenize;
pub mod utf8;

pub use normalize::{Normalizer, NormalizerConfig};
pub use tokenize::{TokenKind, Tokenizer, TokenizerConfig};

/// A built-in stop-word list by name: `"arabic"` or `"english"`.
pub fn stop_words(name: &str) -> crate::error::Result<Vec<String>> {
    let list = match name {
        "arabic" => stopwords::arabic(),
        "english" => stopwords::english(),
        other => {
            return Err(crate::error::Error::param(
                "stop_words",
                format!(
                    "unknown stop-word list {other:?}; expected \"arabic\", \"english\" or a list"
                ),
            ))
        }
    };
    Ok(list.iter().map(|s| s.to_string()).collect())
}
