//! Bindings for the entity recogniser (gazetteers plus an optional tagger).

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::extract_docs;
use super::errors::guard;
use super::tagger::PyEntityTagger;
use super::text::normalizer_config;
use crate::features::entities::{parse_tsv, Gazetteer};
use crate::model::tagger::TagScratch;
use crate::parallel::{map_doc_parts, resolve_n_jobs};
use crate::recognizer::Recognizer;

type Found = Vec<(usize, usize, String, String)>;

/// A compiled recogniser (immutable).
#[pyclass(frozen, module = "khabar._core", name = "GazetteerCore")]
pub struct PyGazetteer {
    inner: Recognizer,
}

impl PyGazetteer {
    fn found(&self, text: &str, scratch: &mut TagScratch) -> Found {
        self.inner
            .find(text, scratch)
            .into_iter()
            .map(|m| (m.start, m.end, m.kind, m.canonical))
            .collect()
    }
}

#[pymethods]
impl PyGazetteer {
    /// Compile TSV sources (`TYPE<TAB>name<TAB>variants`); earlier sources
    /// win a name claimed twice. Names from the first `user_sources`
    /// sources also win over the tagger's mentions.
    #[new]
    #[pyo3(signature = (sources, normalizer = None, tagger = None, user_sources = 0, o_penalty = 0.0))]
    fn new(
        sources: Vec<String>,
        normalizer: Option<&Bound<'_, PyDict>>,
        tagger: Option<PyRef<'_, PyEntityTagger>>,
        user_sources: usize,
        o_penalty: f32,
    ) -> PyResult<Self> {
        let cfg = normalizer_config("arabic", normalizer)?;
        let mut entries = Vec::new();
        let mut n_user = 0;
        for (i, s) in sources.iter().enumerate() {
            entries.extend(guard(|| parse_tsv(s))?);
            if i < user_sources {
                n_user = entries.len();
            }
        }
        Ok(Self {
            inner: Recognizer {
                gazetteer: guard(|| Gazetteer::new(entries, cfg))?,
                n_user,
                tagger: tagger.map(|t| t.inner.clone()),
                o_penalty,
            },
        })
    }

    fn __len__(&self) -> usize {
        self.inner.gazetteer.len()
    }

    /// Mentions as `(start, end, type, canonical)` character offsets.
    fn find(&self, py: Python<'_>, text: &str) -> PyResult<Found> {
        py.detach(|| guard(|| Ok(self.found(text, &mut TagScratch::default()))))
    }

    #[pyo3(signature = (texts, n_jobs = None))]
    fn find_batch(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Vec<Found>> {
        let docs = extract_docs(texts, "texts")?;
        let parts = py.detach(|| {
            guard(|| {
                let threads = resolve_n_jobs(n_jobs)?;
                map_doc_parts(threads, &docs, |r| {
                    let mut sc = TagScratch::default();
                    docs[r]
                        .iter()
                        .map(|d| self.found(d.as_ref(), &mut sc))
                        .collect::<Vec<_>>()
                })
            })
        })?;
        Ok(parts.into_iter().flatten().collect())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGazetteer>()?;
    Ok(())
}
