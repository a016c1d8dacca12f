//! Bindings for Naive Bayes: the fitted counts, filled by `partial_fit`,
//! and the joint log-likelihoods (or probabilities) they give.

use std::sync::RwLock;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::convert::{with_csr, CsrArg};
use super::errors::guard;
use super::models::to_2d;
use crate::io::{self, Model, ModelFile};
use crate::model::naive_bayes::{NaiveBayes, NbKind};
use crate::parallel::resolve_n_jobs;

/// A fitted Naive Bayes model.
#[pyclass(frozen, module = "khabar._core", name = "NaiveBayesCore")]
pub struct PyNaiveBayes {
    pub(crate) inner: RwLock<NaiveBayes>,
}

impl PyNaiveBayes {
    fn read(&self) -> PyResult<std::sync::RwLockReadGuard<'_, NaiveBayes>> {
        self.inner
            .read()
            .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("model lock poisoned"))
    }
}

#[pymethods]
impl PyNaiveBayes {
    /// An empty model; counts come from `partial_fit`.
    #[new]
    fn new(
        kind: &str,
        alpha: f64,
        fit_prior: bool,
        norm: bool,
        n_features: usize,
        n_classes: usize,
    ) -> PyResult<Self> {
        let kind = match kind {
            "multinomial" => NbKind::Multinomial,
            "complement" => NbKind::Complement { norm },
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown Naive Bayes kind {other:?}"
                )))
            }
        };
        Ok(Self {
            inner: RwLock::new(guard(|| {
                NaiveBayes::new(kind, alpha, fit_prior, n_features, n_classes)
            })?),
        })
    }

    fn partial_fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: PyReadonlyArray1<'_, u32>,
        sample_weight: PyReadonlyArray1<'_, f64>,
    ) -> PyResult<()> {
        let x = CsrArg::extract(x)?;
        let y = y.as_slice()?;
        let sw = sample_weight.as_slice()?;
        with_csr!(x, v => py.detach(|| guard(|| {
            let v = v?;
            let mut m = self.inner.write().map_err(|_| crate::Error::InvalidInput("model lock poisoned".into()))?;
            m.partial_fit(&v, y, sw)
        })))
    }

    #[pyo3(signature = (x, proba = false, n_jobs = None))]
    fn joint_log_likelihood<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        proba: bool,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = CsrArg::extract(x)?;
        let m = self.read()?;
        let k = m.n_classes;
        let z = with_csr!(x, v => py.detach(|| guard(|| {
            let mut z = m.joint_log_likelihood(&v?, resolve_n_jobs(n_jobs)?)?;
            if proba {
                m.proba(&mut z);
            }
            Ok(z)
        })))?;
        to_2d(py, z, k)
    }

    /// `(class_count, feature_count, class_log_prior, feature_log_prob)`,
    /// the last two in scikit-learn's `(n_classes, n_features)` layout.
    #[allow(clippy::type_complexity)]
    fn arrays<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray2<f64>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray2<f64>>,
    )> {
        let m = self.read()?;
        let (k, d) = (m.n_classes, m.n_features);
        let t = |v: &[f64]| {
            let mut out = vec![0.0; k * d];
            for j in 0..d {
                for c in 0..k {
                    out[c * d + j] = v[j * k + c];
                }
            }
            out
        };
        Ok((
            m.class_count.clone().into_pyarray(py),
            t(&m.feature_count).into_pyarray(py).reshape([k, d])?,
            m.class_log_prior.clone().into_pyarray(py),
            t(&m.feature_log_prob).into_pyarray(py).reshape([k, d])?,
        ))
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(Model::NaiveBayes(Box::new(self.read()?.clone())), metadata);
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}
