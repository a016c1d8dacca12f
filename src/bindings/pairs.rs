//! Bindings for stance pair features.

use numpy::{IntoPyArray, PyArray2, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use super::mlp::PyMlp;
use super::models::PyLinearModel;
use super::vectorizers::PyTextVectorizer;
use crate::stance::{StanceBundle, StanceModel};

use super::convert::extract_str_list;
use super::errors::guard;
use super::text::normalizer_config;
use crate::features::entities::Gazetteer;
use crate::features::pairs::{PairFeaturizer, FEATURE_NAMES};
use crate::io::{self, Model, ModelFile};
use crate::parallel::resolve_n_jobs;

/// Fitted pair featuriser (immutable).
#[pyclass(frozen, module = "khabar._core", name = "PairFeaturesCore")]
pub struct PyPairFeatures {
    pub(crate) inner: PairFeaturizer,
}

fn pairs_of(
    heads: &Bound<'_, PyAny>,
    bodies: &Bound<'_, PyAny>,
) -> PyResult<Vec<(pyo3::pybacked::PyBackedStr, pyo3::pybacked::PyBackedStr)>> {
    let h = extract_str_list(heads, "headlines")?;
    let b = extract_str_list(bodies, "bodies")?;
    if h.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "{} headlines but {} bodies",
            h.len(),
            b.len()
        )));
    }
    Ok(h.into_iter().zip(b).collect())
}

#[pymethods]
impl PyPairFeatures {
    /// Fit IDF on the distinct headlines and bodies; `gazetteer` is a list
    /// of TSV sources for entity overlap (or `None`).
    #[staticmethod]
    #[pyo3(signature = (headlines, bodies, normalizer = None, gazetteer = None, n_jobs = None))]
    fn fit(
        py: Python<'_>,
        headlines: &Bound<'_, PyAny>,
        bodies: &Bound<'_, PyAny>,
        normalizer: Option<&Bound<'_, PyDict>>,
        gazetteer: Option<Vec<String>>,
        n_jobs: Option<i64>,
    ) -> PyResult<Self> {
        let cfg = normalizer_config("arabic", normalizer)?;
        let pairs = pairs_of(headlines, bodies)?;
        let inner = py.detach(|| {
            guard(|| {
                let gaz = gazetteer
                    .map(|sources| Gazetteer::from_tsv_sources(&sources, cfg))
                    .transpose()?;
                PairFeaturizer::fit(&pairs, cfg, gaz, resolve_n_jobs(n_jobs)?)
            })
        })?;
        Ok(Self { inner })
    }

    /// Dense features, `(n_pairs, n_features)` float32.
    #[pyo3(signature = (headlines, bodies, n_jobs = None))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        headlines: &Bound<'py, PyAny>,
        bodies: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let pairs = pairs_of(headlines, bodies)?;
        let n = pairs.len();
        let out = py.detach(|| guard(|| self.inner.transform(&pairs, resolve_n_jobs(n_jobs)?)))?;
        out.into_pyarray(py).reshape([n, FEATURE_NAMES.len()])
    }

    /// Features and, per pair, the content words of the body's `k`
    /// sentences most similar to the headline.
    #[pyo3(signature = (headlines, bodies, k, n_jobs = None))]
    fn transform_with_sentences<'py>(
        &self,
        py: Python<'py>,
        headlines: &Bound<'py, PyAny>,
        bodies: &Bound<'py, PyAny>,
        k: usize,
        n_jobs: Option<i64>,
    ) -> PyResult<(Bound<'py, PyArray2<f32>>, Vec<String>)> {
        let pairs = pairs_of(headlines, bodies)?;
        let n = pairs.len();
        let (out, texts) = py.detach(|| {
            guard(|| {
                self.inner
                    .transform_with(&pairs, k, resolve_n_jobs(n_jobs)?)
            })
        })?;
        Ok((
            out.into_pyarray(py).reshape([n, FEATURE_NAMES.len()])?,
            texts,
        ))
    }

    /// `(body words not in the headline, headline words not in the body)`
    /// per pair, as texts.
    #[pyo3(signature = (headlines, bodies, n_jobs = None))]
    fn diff_texts(
        &self,
        py: Python<'_>,
        headlines: &Bound<'_, PyAny>,
        bodies: &Bound<'_, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<(Vec<String>, Vec<String>)> {
        let pairs = pairs_of(headlines, bodies)?;
        py.detach(|| guard(|| self.inner.diff_texts(&pairs, resolve_n_jobs(n_jobs)?)))
    }

    #[staticmethod]
    fn feature_names() -> Vec<&'static str> {
        FEATURE_NAMES.to_vec()
    }

    #[getter]
    fn n_idf_terms(&self) -> usize {
        self.inner.n_idf_terms()
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(Model::PairFeatures(Box::new(self.inner.clone())), metadata);
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// A fitted stance classifier's parts, for saving and loading.
#[pyclass(frozen, module = "khabar._core", name = "StanceBundleCore")]
pub struct PyStanceBundle {
    pub(crate) inner: StanceBundle,
}

#[pymethods]
impl PyStanceBundle {
    /// Bundle fitted parts; `vectorizers` is a list of `(block name,
    /// vectorizer)` in column order.
    #[new]
    #[pyo3(signature = (pairs, vectorizers, mean, scale, model))]
    fn new(
        pairs: Option<PyRef<'_, PyPairFeatures>>,
        vectorizers: Vec<(String, PyRef<'_, PyTextVectorizer>)>,
        mean: Vec<f32>,
        scale: Vec<f32>,
        model: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let model = if let Ok(m) = model.cast::<PyMlp>() {
            StanceModel::Mlp(Box::new(m.get().inner.clone()))
        } else if let Ok(m) = model.cast::<PyLinearModel>() {
            StanceModel::Linear(Box::new(m.get().snapshot()?))
        } else {
            return Err(PyTypeError::new_err(
                "model must be an MlpCore or a LinearModelCore",
            ));
        };
        let inner = StanceBundle {
            pairs: pairs.map(|p| p.inner.clone()),
            vectorizers: vectorizers
                .into_iter()
                .map(|(name, v)| (name, v.inner.clone()))
                .collect(),
            mean,
            scale,
            model,
        };
        guard(|| inner.validate())?;
        Ok(Self { inner })
    }

    /// The parts as separate core objects:
    /// `(pairs, [vectorizers], mean, scale, model)`.
    fn parts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let b = &self.inner;
        let pairs = match &b.pairs {
            Some(p) => Some(Bound::new(py, PyPairFeatures { inner: p.clone() })?),
            None => None,
        };
        let mut vecs = Vec::new();
        for (name, v) in &b.vectorizers {
            vecs.push((
                name.clone(),
                Bound::new(py, PyTextVectorizer { inner: v.clone() })?,
            ));
        }
        let model = match &b.model {
            StanceModel::Mlp(m) => Bound::new(
                py,
                PyMlp {
                    inner: (**m).clone(),
                },
            )?
            .into_any(),
            StanceModel::Linear(m) => Bound::new(py, PyLinearModel::new((**m).clone()))?.into_any(),
        };
        (pairs, vecs, b.mean.clone(), b.scale.clone(), model).into_pyobject(py)
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(Model::StanceBundle(Box::new(self.inner.clone())), metadata);
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPairFeatures>()?;
    m.add_class::<PyStanceBundle>()?;
    Ok(())
}
