//! Bindings for the one-hidden-layer MLP.

use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::convert::{with_csr, CsrArg};
use super::errors::guard;
use crate::io::{self, Model, ModelFile};
use crate::model::mlp::{Mlp, MlpConfig};

/// A trained MLP (immutable).
#[pyclass(frozen, module = "khabar._core", name = "MlpCore")]
pub struct PyMlp {
    pub(crate) inner: Mlp,
}

#[pymethods]
impl PyMlp {
    /// Train on CSR `x`, class codes `y` and per-row weights.
    #[staticmethod]
    #[pyo3(signature = (x, y, sample_weight, n_classes, hidden = 100, alpha = 1e-4, learning_rate = 1e-3, batch_size = 64, max_iter = 50, dropout = 0.2, validation_fraction = 0.1, n_iter_no_change = 5, tol = 1e-4, seed = 0))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: PyReadonlyArray1<'_, i64>,
        sample_weight: PyReadonlyArray1<'_, f64>,
        n_classes: usize,
        hidden: usize,
        alpha: f64,
        learning_rate: f64,
        batch_size: usize,
        max_iter: usize,
        dropout: f64,
        validation_fraction: f64,
        n_iter_no_change: usize,
        tol: f64,
        seed: u64,
    ) -> PyResult<Self> {
        let x = CsrArg::extract(x)?;
        let y = y.as_slice()?;
        if let Some(bad) = y.iter().find(|&&c| c < 0 || c as usize >= n_classes) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "class code {bad} outside 0..{n_classes}"
            )));
        }
        let y: Vec<usize> = y.iter().map(|&c| c as usize).collect();
        let sw = sample_weight.as_slice()?;
        let cfg = MlpConfig {
            hidden,
            alpha,
            learning_rate,
            batch_size,
            max_iter,
            dropout,
            validation_fraction,
            n_iter_no_change,
            tol,
            seed,
        };
        let inner =
            with_csr!(x, v => py.detach(|| guard(|| Mlp::fit(&v?, &y, sw, n_classes, &cfg))))?;
        Ok(Self { inner })
    }

    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let x = CsrArg::extract(x)?;
        let p = with_csr!(x, v => py.detach(|| guard(|| self.inner.predict_proba(&v?))))?;
        let k = self.inner.n_classes;
        let rows = p.len() / k;
        p.into_pyarray(py).reshape([rows, k])
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features
    }

    #[getter]
    fn n_classes(&self) -> usize {
        self.inner.n_classes
    }

    #[getter]
    fn n_iter(&self) -> usize {
        self.inner.n_iter
    }

    #[getter]
    fn loss_curve(&self) -> Vec<f64> {
        self.inner.loss_curve.clone()
    }

    #[getter]
    fn validation_curve(&self) -> Vec<f64> {
        self.inner.validation_curve.clone()
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(Model::Mlp(Box::new(self.inner.clone())), metadata);
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMlp>()?;
    Ok(())
}
