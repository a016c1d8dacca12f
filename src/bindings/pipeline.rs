//! Bindings for a fitted text pipeline (vectorizer + linear model), which
//! predicts straight from Python strings with the GIL released.

use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::convert::extract_docs;
use super::errors::guard;
use super::models::{to_2d, PyLinearModel};
use super::vectorizers::PyTextVectorizer;
use crate::io::{self, Model, ModelFile};
use crate::parallel::resolve_n_jobs;
use crate::pipeline::TextPipeline;

/// Borrow `docs`, release the GIL and run `f` with the resolved threads.
fn on_docs<R: Send>(
    py: Python<'_>,
    docs: &Bound<'_, PyAny>,
    n_jobs: Option<i64>,
    f: impl Fn(&[super::convert::DocStr], usize) -> crate::Result<R> + Sync,
) -> PyResult<R> {
    let docs = extract_docs(docs, "X")?;
    py.detach(|| guard(|| f(&docs, resolve_n_jobs(n_jobs)?)))
}

/// A fitted vectorizer + linear model, predicting straight from text.
#[pyclass(frozen, module = "khabar._core", name = "TextPipelineCore")]
pub struct PyTextPipeline {
    pub(crate) inner: TextPipeline,
}

#[pymethods]
impl PyTextPipeline {
    #[new]
    fn new(
        vectorizer: &Bound<'_, PyTextVectorizer>,
        model: &Bound<'_, PyLinearModel>,
    ) -> PyResult<Self> {
        let model = model.get().read()?.clone();
        let vectorizer = vectorizer.get().inner.clone();
        if vectorizer.n_features() != model.n_features {
            return Err(PyValueError::new_err(format!(
                "the vectorizer makes {} features but the model expects {}",
                vectorizer.n_features(),
                model.n_features
            )));
        }
        Ok(Self {
            inner: TextPipeline { vectorizer, model },
        })
    }

    #[pyo3(signature = (docs, n_jobs = None))]
    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let k = self.inner.model.n_outputs;
        let z = on_docs(py, docs, n_jobs, |d, t| self.inner.decision(d, t))?;
        to_2d(py, z, k)
    }

    #[pyo3(signature = (docs, n_jobs = None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let m = self.inner.model.n_proba_cols();
        let p = on_docs(py, docs, n_jobs, |d, t| self.inner.proba(d, t))?;
        to_2d(py, p, m)
    }

    /// Index of the best class per document (single-label models).
    #[pyo3(signature = (docs, n_jobs = None))]
    fn predict_codes<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let k = self.inner.model.n_outputs;
        let codes = on_docs(py, docs, n_jobs, |d, t| {
            let z = self.inner.decision(d, t)?;
            Ok(z.chunks_exact(k)
                .map(|row| {
                    if k == 1 {
                        i64::from(row[0] > 0.0)
                    } else {
                        crate::model::sgd::argmax(row) as i64
                    }
                })
                .collect::<Vec<i64>>())
        })?;
        Ok(codes.into_pyarray(py))
    }

    fn vectorizer(&self) -> PyTextVectorizer {
        PyTextVectorizer {
            inner: self.inner.vectorizer.clone(),
        }
    }

    fn model(&self) -> PyLinearModel {
        PyLinearModel::new(self.inner.model.clone())
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(Model::TextPipeline(Box::new(self.inner.clone())), metadata);
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}
