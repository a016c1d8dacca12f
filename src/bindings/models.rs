//! Bindings for the classifiers. The Python estimators own parameters and
//! labels; these cores own the fitted numbers and do the work with the GIL
//! released.
//!
//! This module holds the linear model and NB-SVM ratios; Naive Bayes and
//! the text pipeline are in `naive_bayes` and `pipeline`, re-exported here
//! and registered by [`register`] with the rest.

use std::sync::RwLock;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::convert::{opt, req, with_csr, CsrArg};
use super::errors::guard;
use super::hook::Raised;
pub(crate) use super::naive_bayes::PyNaiveBayes;
pub(crate) use super::pipeline::PyTextPipeline;
use crate::io::{self, Model, ModelFile};
use crate::model::calibration::fit_calibrated_observed;
use crate::model::linear::{LinearConfig, LinearModel, Solver};
use crate::model::naive_bayes::log_count_ratio;
use crate::model::progress::{Observer, Step};
use crate::model::{Loss, Targets};
use crate::parallel::resolve_n_jobs;

/// Targets from Python: `y` (uint32 class codes) with `n_classes`, or a
/// multi-label `(indptr, labels)` pair with `n_classes` labels.
struct TargetArgs<'py> {
    y: Option<PyReadonlyArray1<'py, u32>>,
    multi: Option<(PyReadonlyArray1<'py, i64>, PyReadonlyArray1<'py, u32>)>,
    n: usize,
}

impl<'py> TargetArgs<'py> {
    fn extract(y: &Bound<'py, PyAny>, n: usize) -> PyResult<Self> {
        if let Ok(a) = y.extract::<PyReadonlyArray1<'py, u32>>() {
            return Ok(Self {
                y: Some(a),
                multi: None,
                n,
            });
        }
        let (ip, ls) = y.extract().map_err(|_| {
            PyValueError::new_err("y must be uint32 class codes or (indptr, labels) arrays")
        })?;
        Ok(Self {
            y: None,
            multi: Some((ip, ls)),
            n,
        })
    }

    fn view(&self) -> PyResult<Targets<'_>> {
        Ok(match (&self.y, &self.multi) {
            (Some(y), _) => Targets::Classes {
                y: y.as_slice()?,
                n_classes: self.n,
            },
            (None, Some((ip, ls))) => Targets::MultiLabel {
                indptr: ip.as_slice()?,
                labels: ls.as_slice()?,
                n_labels: self.n,
            },
            _ => unreachable!("one of the two is set"),
        })
    }
}

fn linear_config(cfg: &Bound<'_, PyDict>) -> PyResult<LinearConfig> {
    let d = LinearConfig::default();
    let loss = guard(|| Loss::parse(&req::<String>(cfg, "loss").unwrap_or_default()))?;
    let solver: String = opt(cfg, "solver")?.unwrap_or_else(|| "auto".into());
    let multi: String = opt(cfg, "multi_class")?.unwrap_or_else(|| "auto".into());
    let multinomial = match multi.as_str() {
        "auto" => loss == Loss::Log,
        "multinomial" => true,
        "ovr" => false,
        other => {
            return Err(PyValueError::new_err(format!(
            "invalid parameter `multi_class`: {other:?}; use \"auto\", \"multinomial\" or \"ovr\""
        )))
        }
    };
    let count = |key: &'static str, default: usize| -> PyResult<usize> {
        match opt::<i64>(cfg, key)? {
            None => Ok(default),
            Some(v) if v >= 1 => Ok(v as usize),
            Some(v) => Err(PyValueError::new_err(format!(
                "invalid parameter `{key}`: {v}; must be a positive integer"
            ))),
        }
    };
    let c = LinearConfig {
        loss,
        multinomial,
        solver: guard(|| Solver::parse(&solver, loss))?,
        c: opt(cfg, "C")?.unwrap_or(d.c),
        fit_intercept: opt(cfg, "fit_intercept")?.unwrap_or(d.fit_intercept),
        intercept_scaling: opt(cfg, "intercept_scaling")?.unwrap_or(d.intercept_scaling),
        max_iter: count("max_iter", d.max_iter)?,
        tol: opt(cfg, "tol")?.unwrap_or(d.tol),
        random_state: opt::<u64>(cfg, "random_state")?.unwrap_or(0),
        alpha: opt(cfg, "alpha")?.unwrap_or(d.alpha),
        eta0: opt(cfg, "eta0")?.unwrap_or(d.eta0),
        batch_size: count("batch_size", d.batch_size)?,
        early_stopping: opt(cfg, "early_stopping")?.unwrap_or(false),
        validation_fraction: opt(cfg, "validation_fraction")?.unwrap_or(d.validation_fraction),
        n_iter_no_change: count("n_iter_no_change", d.n_iter_no_change)?,
        l1_ratio: opt(cfg, "l1_ratio")?.unwrap_or(d.l1_ratio),
    };
    guard(|| c.validate())?;
    Ok(c)
}

fn weights<'py>(sw: &'py PyReadonlyArray1<'py, f64>) -> PyResult<&'py [f64]> {
    Ok(sw.as_slice()?)
}

/// A fitted linear model. Reads share a lock; `partial_fit` takes it.
#[pyclass(frozen, module = "khabar._core", name = "LinearModelCore")]
pub struct PyLinearModel {
    pub(crate) inner: RwLock<LinearModel>,
}

impl PyLinearModel {
    pub(crate) fn new(m: LinearModel) -> Self {
        Self {
            inner: RwLock::new(m),
        }
    }

    /// A copy of the current model (for bundling).
    pub(crate) fn snapshot(&self) -> PyResult<LinearModel> {
        Ok(self.read()?.clone())
    }

    pub(crate) fn read(&self) -> PyResult<std::sync::RwLockReadGuard<'_, LinearModel>> {
        self.inner
            .read()
            .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("model lock poisoned"))
    }
}

#[pymethods]
impl PyLinearModel {
    /// Fit. `scale` is an optional feature-major per-output scale (NB-SVM);
    /// `probability` fits Platt sigmoids on `cv`-fold decision values.
    /// `on_step(done, total)`, if given, is called as solver passes complete
    /// (a progress bar); an exception it raises stops training and is
    /// raised here.
    #[staticmethod]
    #[pyo3(signature = (config, x, y, n_classes, sample_weight, scale = None, n_jobs = None, probability = false, cv = 2, on_step = None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        config: &Bound<'_, PyDict>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        n_classes: usize,
        sample_weight: PyReadonlyArray1<'_, f64>,
        scale: Option<PyReadonlyArray1<'_, f64>>,
        n_jobs: Option<i64>,
        probability: bool,
        cv: usize,
        on_step: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let cfg = linear_config(config)?;
        let x = CsrArg::extract(x)?;
        let t = TargetArgs::extract(y, n_classes)?;
        let targets = t.view()?;
        let sw = weights(&sample_weight)?;
        let scale = scale.as_ref().map(|s| s.as_slice()).transpose()?;
        // errors from the callback stop the fit and are raised (see `hook`)
        let mut raised = Raised::default();
        let mut hook = on_step
            .as_ref()
            .map(|cb| |s: Step| raised.call(cb, (s.done, s.total)));
        let model = with_csr!(x, v => py.detach(|| guard(|| {
            let v = v?;
            let threads = resolve_n_jobs(n_jobs)?;
            let observer = hook.as_mut().map(|h| h as Observer<'_>);
            if probability {
                fit_calibrated_observed(&cfg, &v, &targets, sw, scale, cv, threads, observer)
            } else {
                LinearModel::fit_observed(&cfg, &v, &targets, sw, scale, threads, observer)
            }
        })));
        Ok(Self::new(raised.or(model)?))
    }

    /// An untrained SGD model for a first `partial_fit`.
    #[staticmethod]
    fn start_sgd(
        config: &Bound<'_, PyDict>,
        n_features: usize,
        y: &Bound<'_, PyAny>,
        n_classes: usize,
    ) -> PyResult<Self> {
        let mut cfg = linear_config(config)?;
        cfg.solver = Solver::Sgd;
        let t = TargetArgs::extract(y, n_classes)?;
        let targets = t.view()?;
        Ok(Self::new(guard(|| {
            LinearModel::start_sgd(&cfg, n_features, &targets)
        })?))
    }

    #[pyo3(signature = (x, y, n_classes, sample_weight, l1_ratio = 0.0))]
    fn partial_fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        n_classes: usize,
        sample_weight: PyReadonlyArray1<'_, f64>,
        l1_ratio: f64,
    ) -> PyResult<()> {
        let x = CsrArg::extract(x)?;
        let t = TargetArgs::extract(y, n_classes)?;
        let targets = t.view()?;
        let sw = weights(&sample_weight)?;
        with_csr!(x, v => py.detach(|| guard(|| {
            let v = v?;
            let mut m = self.inner.write().map_err(|_| crate::Error::InvalidInput("model lock poisoned".into()))?;
            m.partial_fit(&v, &targets, sw, l1_ratio)
        })))
    }

    #[pyo3(signature = (x, n_jobs = None))]
    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = CsrArg::extract(x)?;
        let m = self.read()?;
        let k = m.n_outputs;
        let z =
            with_csr!(x, v => py.detach(|| guard(|| m.decision(&v?, resolve_n_jobs(n_jobs)?))))?;
        to_2d(py, z, k)
    }

    #[pyo3(signature = (x, n_jobs = None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = CsrArg::extract(x)?;
        let m = self.read()?;
        let cols = m.n_proba_cols();
        let p = with_csr!(x, v => py.detach(|| guard(|| {
            let z = m.decision(&v?, resolve_n_jobs(n_jobs)?)?;
            m.proba(&z)
        })))?;
        to_2d(py, p, cols)
    }

    /// Weights as `(n_outputs, n_features)` float64 (scikit-learn layout).
    fn coef<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let m = self.read()?;
        let (k, d) = (m.n_outputs, m.n_features);
        let mut out = vec![0.0f64; k * d];
        for j in 0..d {
            for o in 0..k {
                out[o * d + j] = f64::from(m.coef[j * k + o]);
            }
        }
        out.into_pyarray(py).reshape([k, d])
    }

    fn intercept<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(self.read()?.intercept.clone().into_pyarray(py))
    }

    /// Weighted parameter average of models fitted on parts of one dataset.
    #[staticmethod]
    fn average(models: Vec<PyRef<'_, PyLinearModel>>, weights: Vec<f64>) -> PyResult<Self> {
        let guards = models
            .iter()
            .map(|m| m.read())
            .collect::<PyResult<Vec<_>>>()?;
        let refs: Vec<&LinearModel> = guards.iter().map(|g| &**g).collect();
        Ok(Self::new(guard(|| {
            crate::model::linear::average(&refs, &weights)
        })?))
    }

    #[getter]
    fn n_iter(&self) -> PyResult<usize> {
        Ok(self.read()?.n_iter)
    }

    #[getter]
    fn converged(&self) -> PyResult<bool> {
        Ok(self.read()?.converged)
    }

    #[getter]
    fn n_features(&self) -> PyResult<usize> {
        Ok(self.read()?.n_features)
    }

    #[getter]
    fn n_outputs(&self) -> PyResult<usize> {
        Ok(self.read()?.n_outputs)
    }

    #[getter]
    fn has_proba(&self) -> PyResult<bool> {
        Ok(self.read()?.has_proba())
    }

    #[getter]
    fn can_partial_fit(&self) -> PyResult<bool> {
        Ok(self.read()?.sgd.is_some())
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(Model::Linear(Box::new(self.read()?.clone())), metadata);
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// A row-major buffer with `cols` columns as a 2-d numpy array (no copy).
pub(crate) fn to_2d(
    py: Python<'_>,
    v: Vec<f64>,
    cols: usize,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let rows = v.len().checked_div(cols).unwrap_or(0);
    v.into_pyarray(py).reshape([rows, cols])
}

/// NB-SVM log-count ratios, feature-major `n_features * n_outputs`.
#[pyfunction(name = "log_count_ratio")]
fn log_count_ratio_py<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    n_classes: usize,
    alpha: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let x = CsrArg::extract(x)?;
    let t = TargetArgs::extract(y, n_classes)?;
    let targets = t.view()?;
    let r = with_csr!(x, v => py.detach(|| guard(|| {
        targets.check()?;
        log_count_ratio(&v?, &targets, alpha)
    })))?;
    Ok(r.into_pyarray(py))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLinearModel>()?;
    m.add_class::<PyNaiveBayes>()?;
    m.add_class::<PyTextPipeline>()?;
    m.add_function(wrap_pyfunction!(log_count_ratio_py, m)?)?;
    Ok(())
}
