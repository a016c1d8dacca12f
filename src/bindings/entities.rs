//! Bindings for the gazetteer recogniser.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::extract_docs;
use super::errors::guard;
use super::text::normalizer_config;
use crate::features::entities::{parse_tsv, Gazetteer};
use crate::parallel::{map_ranges, resolve_n_jobs, transform_parts};

type Found = Vec<(usize, usize, &'static str, String)>;

/// A compiled gazetteer (immutable).
#[pyclass(frozen, module = "khabar._core", name = "GazetteerCore")]
pub struct PyGazetteer {
    inner: Gazetteer,
}

impl PyGazetteer {
    fn found(&self, text: &str) -> Found {
        self.inner
            .find(text)
            .into_iter()
            .map(|m| {
                let e = &self.inner.entries[m.entry as usize];
                (m.start, m.end, e.kind.as_str(), e.canonical.clone())
            })
            .collect()
    }
}

#[pymethods]
impl PyGazetteer {
    /// Compile TSV sources (`TYPE<TAB>name<TAB>variants`); earlier sources
    /// win a name claimed twice.
    #[new]
    #[pyo3(signature = (sources, normalizer = None))]
    fn new(sources: Vec<String>, normalizer: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let cfg = normalizer_config("arabic", normalizer)?;
        let mut entries = Vec::new();
        for s in &sources {
            entries.extend(guard(|| parse_tsv(s))?);
        }
        Ok(Self {
            inner: guard(|| Gazetteer::new(entries, cfg))?,
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Mentions as `(start, end, type, canonical)` character offsets.
    fn find(&self, py: Python<'_>, text: &str) -> PyResult<Found> {
        py.detach(|| guard(|| Ok(self.found(text))))
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
                map_ranges(
                    threads,
                    docs.len(),
                    transform_parts(threads, docs.len()),
                    |r| docs[r].iter().map(|d| self.found(d)).collect::<Vec<_>>(),
                )
            })
        })?;
        Ok(parts.into_iter().flatten().collect())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGazetteer>()?;
    Ok(())
}
