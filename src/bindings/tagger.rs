//! Bindings for the entity tagger.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyDict, PyList};

use super::convert::extract_str_list;
use super::errors::guard;
use super::hook::Raised;
use super::text::normalizer_config;
use crate::features::entities::Gazetteer;
use crate::features::token_features::{TokenFeaturizer, WordClusters};
use crate::io::{self, Model, ModelFile};
use crate::model::tagger::{EntityTagger, TagScratch, TaggerConfig};
use crate::parallel::{map_ranges, resolve_n_jobs, transform_parts};
use crate::text::Normalizer;

/// A trained tagger (immutable; shared with recognisers that use it).
#[pyclass(frozen, module = "khabar._core", name = "EntityTaggerCore")]
pub struct PyEntityTagger {
    pub(crate) inner: Arc<EntityTagger>,
}

/// A list of token lists; errors name the sentence and token.
fn extract_sentences(x: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Vec<PyBackedStr>>> {
    let list = x
        .cast::<PyList>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a list of token lists")))?;
    list.iter()
        .enumerate()
        .map(|(i, s)| extract_str_list(&s, &format!("{what}[{i}]")))
        .collect()
}

#[pymethods]
impl PyEntityTagger {
    /// Train on token lists and IOB2 tag lists. `gazetteer` is a list of
    /// TSV sources whose names become features (or `None`).
    /// `on_epoch(k)`, if given, is called after pass `k` (a progress bar);
    /// an exception it raises stops training after that pass and is raised
    /// here.
    #[staticmethod]
    #[pyo3(signature = (sentences, tags, normalizer = None, gazetteer = None, cues = None, clusters = None, n_iter = 10, min_count = 1, random_state = 0, n_jobs = None, on_epoch = None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        sentences: &Bound<'_, PyAny>,
        tags: &Bound<'_, PyAny>,
        normalizer: Option<&Bound<'_, PyDict>>,
        gazetteer: Option<Vec<String>>,
        cues: Option<Vec<String>>,
        clusters: Option<(Vec<String>, usize, Vec<u16>)>,
        n_iter: usize,
        min_count: u32,
        random_state: u64,
        n_jobs: Option<i64>,
        on_epoch: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let cfg = normalizer_config("arabic", normalizer)?;
        let sents = extract_sentences(sentences, "sentences")?;
        let tags = extract_sentences(tags, "tags")?;
        // errors from the callback stop the fit and are raised (see `hook`)
        let mut raised = Raised::default();
        let mut hook = on_epoch
            .as_ref()
            .map(|cb| |epoch: usize| raised.call(cb, (epoch,)));
        let inner = py.detach(|| {
            guard(|| {
                let compile = |sources: Option<Vec<String>>| {
                    sources
                        .map(|s| Gazetteer::from_tsv_sources(&s, cfg))
                        .transpose()
                };
                let clusters = clusters
                    .map(|(words, levels, ids)| WordClusters::new(words, levels, ids))
                    .transpose()?;
                let featurizer = TokenFeaturizer::new(
                    Normalizer::new(cfg),
                    compile(gazetteer)?,
                    compile(cues)?,
                    clusters,
                );
                let tc = TaggerConfig {
                    epochs: n_iter,
                    seed: random_state,
                    min_count,
                    threads: resolve_n_jobs(n_jobs)?,
                };
                match hook.as_mut() {
                    Some(h) => EntityTagger::fit_observed(&sents, &tags, featurizer, &tc, h),
                    None => EntityTagger::fit(&sents, &tags, featurizer, &tc),
                }
            })
        });
        Ok(Self {
            inner: Arc::new(raised.or(inner)?),
        })
    }

    /// IOB2 tag lists for token lists.
    #[pyo3(signature = (sentences, n_jobs = None, o_penalty = 0.0))]
    fn predict(
        &self,
        py: Python<'_>,
        sentences: &Bound<'_, PyAny>,
        n_jobs: Option<i64>,
        o_penalty: f32,
    ) -> PyResult<Vec<Vec<String>>> {
        let sents = extract_sentences(sentences, "sentences")?;
        let parts = py.detach(|| {
            guard(|| {
                let threads = resolve_n_jobs(n_jobs)?;
                map_ranges(
                    threads,
                    sents.len(),
                    transform_parts(threads, sents.len()),
                    |r| {
                        let mut sc = TagScratch::default();
                        sents[r]
                            .iter()
                            .map(|s| {
                                self.inner
                                    .predict(s, o_penalty, &mut sc)
                                    .into_iter()
                                    .map(String::from)
                                    .collect::<Vec<_>>()
                            })
                            .collect::<Vec<_>>()
                    },
                )
            })
        })?;
        Ok(parts.into_iter().flatten().collect())
    }

    #[getter]
    fn tags(&self) -> Vec<String> {
        self.inner.tags().to_vec()
    }

    /// Training tokens tagged wrongly in each pass (before its update).
    #[getter]
    fn errors(&self) -> Vec<u64> {
        self.inner.errors().to_vec()
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }

    /// Sizes of the feature resources: `(gazetteer entries, cue entries,
    /// clustered words)`.
    #[getter]
    fn resources(&self) -> (usize, usize, usize) {
        let f = self.inner.featurizer();
        (
            f.gazetteer().map_or(0, Gazetteer::len),
            f.cues().map_or(0, Gazetteer::len),
            f.clusters().map_or(0, WordClusters::len),
        )
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(
            Model::EntityTagger(Box::new((*self.inner).clone())),
            metadata,
        );
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEntityTagger>()?;
    Ok(())
}
