//! Bindings for `text::`: Normalizer, tokenize, stop words.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::extract_docs;
use super::errors::guard;
use crate::parallel::{map_ranges, resolve_n_jobs, transform_parts};
use crate::text::normalize::OPTION_NAMES;
use crate::text::{Normalizer, NormalizerConfig, TokenKind, Tokenizer, TokenizerConfig};

/// Build a normaliser config from a preset and a dict of overrides.
pub fn normalizer_config(
    preset: &str,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<NormalizerConfig> {
    let mut cfg = guard(|| NormalizerConfig::preset(preset))?;
    if let Some(opts) = options {
        for (k, v) in opts.iter() {
            let name: String = k.extract()?;
            if v.is_none() {
                continue;
            }
            let value: bool = v.extract().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "normalizer option `{name}` must be a bool"
                ))
            })?;
            guard(|| cfg.set(&name, value))?;
        }
    }
    Ok(cfg)
}

pub fn config_dict<'py>(py: Python<'py>, cfg: &NormalizerConfig) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for name in OPTION_NAMES {
        d.set_item(name, cfg.get(name).map_err(PyErr::from)?)?;
    }
    Ok(d)
}

/// Core normaliser: immutable, shareable across threads.
#[pyclass(frozen, module = "khabar._core", name = "NormalizerCore")]
pub struct PyNormalizer {
    pub inner: Normalizer,
}

#[pymethods]
impl PyNormalizer {
    #[new]
    #[pyo3(signature = (preset = "arabic", options = None))]
    fn new(preset: &str, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(Self {
            inner: Normalizer::new(normalizer_config(preset, options)?),
        })
    }

    fn normalize(&self, py: Python<'_>, text: &str) -> PyResult<String> {
        let n = self.inner;
        let text = text.to_owned();
        py.detach(move || guard(|| Ok(n.normalize(&text))))
    }

    #[pyo3(signature = (texts, n_jobs = None))]
    fn normalize_batch(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Vec<String>> {
        let docs = extract_docs(texts, "texts")?;
        let n = self.inner;
        py.detach(|| {
            guard(|| {
                let threads = resolve_n_jobs(n_jobs)?;
                let parts = map_ranges(
                    threads,
                    docs.len(),
                    transform_parts(threads, docs.len()),
                    |r| {
                        docs[r]
                            .iter()
                            .map(|d| n.normalize(d.as_ref()))
                            .collect::<Vec<_>>()
                    },
                )?;
                Ok(parts.into_iter().flatten().collect())
            })
        })
    }

    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        config_dict(py, self.inner.config())
    }
}

/// Tokenise one text; optionally with (start, end, kind) character offsets.
#[pyfunction]
#[pyo3(signature = (text, normalizer = None, keep_punct = false, split_hashtags = false, segment_clitics = false, with_offsets = false))]
fn tokenize<'py>(
    py: Python<'py>,
    text: &str,
    normalizer: Option<&PyNormalizer>,
    keep_punct: bool,
    split_hashtags: bool,
    segment_clitics: bool,
    with_offsets: bool,
) -> PyResult<Bound<'py, PyList>> {
    if with_offsets && (split_hashtags || segment_clitics) {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "with_offsets=True reports raw token spans; it cannot be combined with split_hashtags or segment_clitics",
        ));
    }
    let tok = Tokenizer::new(TokenizerConfig {
        keep_punct,
        split_hashtags,
        segment_clitics,
    });
    // Normalise and tokenise without the GIL (other Python threads run
    // meanwhile); only building the list needs it.
    let (plain, spans) = py.detach(|| {
        let text = match normalizer {
            Some(n) => n.inner.normalize(text),
            None => text.to_owned(),
        };
        if !with_offsets {
            let toks: Vec<String> = tok.tokens(&text).into_iter().map(String::from).collect();
            return (toks, Vec::new());
        }
        // Character offsets into the (normalised) text: Python indexes by code point.
        let mut char_at = Vec::with_capacity(text.len() + 1);
        let mut ci = 0usize;
        for (b, _) in text.char_indices() {
            char_at.resize(b + 1, ci);
            ci += 1;
        }
        char_at.resize(text.len() + 1, ci);
        let mut out: Vec<(String, usize, usize, &'static str)> = Vec::new();
        crate::text::tokenize::scan(&text, |sp| {
            if sp.kind == TokenKind::Punct && !keep_punct {
                return;
            }
            out.push((
                text[sp.start..sp.end].to_string(),
                char_at[sp.start],
                char_at[sp.end],
                sp.kind.as_str(),
            ));
        });
        (Vec::new(), out)
    });
    if with_offsets {
        PyList::new(py, spans)
    } else {
        PyList::new(py, plain)
    }
}

/// A built-in stop-word list.
#[pyfunction]
fn stop_words(name: &str) -> PyResult<Vec<String>> {
    guard(|| crate::text::stop_words(name))
}

/// MurmurHash3 x86_32 of the UTF-8 bytes of `key` (signed), as used by
/// `HashingVectorizer`.
#[pyfunction]
#[pyo3(signature = (key, seed = 0))]
fn murmurhash3_32(key: &str, seed: u32) -> i32 {
    crate::features::hashing::murmur3_32(key.as_bytes(), seed) as i32
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNormalizer>()?;
    m.add_function(wrap_pyfunction!(tokenize, m)?)?;
    m.add_function(wrap_pyfunction!(stop_words, m)?)?;
    m.add_function(wrap_pyfunction!(murmurhash3_32, m)?)?;
    m.add("NORMALIZER_OPTIONS", OPTION_NAMES.to_vec())?;
    Ok(())
}
