//! Bindings for the vectorizers. The Python estimators own the parameters;
//! these cores own fitted state and do the work with the GIL released.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::convert::{csr_to_py, extract_docs, opt, req};
use super::errors::guard;
use super::text::{config_dict, normalizer_config};
use crate::features::csr::Dtype;
use crate::features::hashing::{HashingConfig, HashingVectorizer};
use crate::features::ngrams::{AnalyzerKind, AnalyzerSpec};
use crate::features::stream::VocabStream;
use crate::features::tfidf::{Norm, Weighting};
use crate::features::vectorizer::{TextVectorizer, TextVectorizerConfig};
use crate::features::vocabulary::{DfBound, Pruning, Vocabulary};
use crate::io::{self, Model, ModelFile};
use crate::parallel::resolve_n_jobs;
use crate::text::{NormalizerConfig, TokenizerConfig};

fn analyzers(cfg: &Bound<'_, PyDict>) -> PyResult<Vec<AnalyzerSpec>> {
    let raw: Vec<(String, i64, i64)> = req(cfg, "analyzers")?;
    raw.into_iter()
        .map(|(k, lo, hi)| {
            guard(|| {
                let kind = AnalyzerKind::parse(&k)?;
                if lo < 1 || hi < 1 {
                    return Err(crate::Error::param(
                        "ngram_range",
                        format!("({lo}, {hi}) is invalid; n-gram sizes must be >= 1"),
                    ));
                }
                AnalyzerSpec::new(kind, lo as usize, hi as usize)
            })
        })
        .collect()
}

fn normalizer(cfg: &Bound<'_, PyDict>) -> PyResult<NormalizerConfig> {
    let d: Option<Bound<'_, PyDict>> = opt(cfg, "normalizer")?;
    normalizer_config("none", d.as_ref()).map(|mut c| {
        // "none" then overrides: the Python side always sends every option.
        if d.is_none() {
            c = NormalizerConfig::arabic();
        }
        c
    })
}

fn tokenizer(cfg: &Bound<'_, PyDict>) -> PyResult<TokenizerConfig> {
    Ok(TokenizerConfig {
        keep_punct: opt(cfg, "keep_punct")?.unwrap_or(false),
        split_hashtags: opt(cfg, "split_hashtags")?.unwrap_or(false),
        segment_clitics: opt(cfg, "segment_clitics")?.unwrap_or(false),
    })
}

fn dtype(cfg: &Bound<'_, PyDict>) -> PyResult<Dtype> {
    match opt::<String>(cfg, "dtype")?.as_deref() {
        None | Some("float64") => Ok(Dtype::F64),
        Some("float32") => Ok(Dtype::F32),
        Some(other) => Err(PyValueError::new_err(format!(
            "invalid parameter `dtype`: {other:?}; expected numpy.float32 or numpy.float64"
        ))),
    }
}

fn df_bound(cfg: &Bound<'_, PyDict>, key: &'static str, default: DfBound) -> PyResult<DfBound> {
    let Some(v) = cfg.get_item(key)? else {
        return Ok(default);
    };
    if v.is_none() {
        return Ok(default);
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyValueError::new_err(format!(
            "invalid parameter `{key}`: a bool is not a count"
        )));
    }
    if let Ok(i) = v.extract::<i64>() {
        if i < 0 {
            return Err(PyValueError::new_err(format!(
                "invalid parameter `{key}`: {i} is negative"
            )));
        }
        return Ok(DfBound::Count(i as u64));
    }
    let f: f64 = v.extract().map_err(|_| {
        PyValueError::new_err(format!(
            "invalid parameter `{key}`: expected an int count or a float fraction"
        ))
    })?;
    let b = DfBound::Fraction(f);
    guard(|| b.validate(key))?;
    Ok(b)
}

fn stop_words(cfg: &Bound<'_, PyDict>) -> PyResult<Option<Vec<String>>> {
    opt(cfg, "stop_words")
}

fn text_config(cfg: &Bound<'_, PyDict>) -> PyResult<TextVectorizerConfig> {
    let vocabulary = match opt::<Vec<(String, i64)>>(cfg, "vocabulary")? {
        None => None,
        Some(pairs) => Some(guard(|| Vocabulary::from_mapping(pairs))?),
    };
    let max_features: Option<i64> = opt(cfg, "max_features")?;
    if let Some(m) = max_features {
        if m <= 0 {
            return Err(PyValueError::new_err(format!(
                "invalid parameter `max_features`: {m}; must be a positive integer or None"
            )));
        }
    }
    Ok(TextVectorizerConfig {
        analyzers: analyzers(cfg)?,
        normalizer: normalizer(cfg)?,
        tokenizer: tokenizer(cfg)?,
        stop_words: stop_words(cfg)?,
        pruning: Pruning {
            min_df: df_bound(cfg, "min_df", DfBound::Count(1))?,
            max_df: df_bound(cfg, "max_df", DfBound::Fraction(1.0))?,
            max_features: max_features.map(|m| m as usize),
        },
        weighting: Weighting {
            binary: opt(cfg, "binary")?.unwrap_or(false),
            use_idf: opt(cfg, "use_idf")?.unwrap_or(true),
            smooth_idf: opt(cfg, "smooth_idf")?.unwrap_or(true),
            sublinear_tf: opt(cfg, "sublinear_tf")?.unwrap_or(false),
            norm: guard(|| Norm::parse(opt::<String>(cfg, "norm").ok().flatten().as_deref()))?,
        },
        dtype: dtype(cfg)?,
        vocabulary,
    })
}

/// Shared body of the `transform` methods: borrow the documents, release
/// the GIL, run `f` with the resolved thread count, hand back CSR parts.
fn transform_docs<'py>(
    py: Python<'py>,
    docs: &Bound<'py, PyAny>,
    n_jobs: Option<i64>,
    f: impl Fn(&[super::convert::DocStr], usize) -> crate::Result<crate::features::csr::CsrMatrix>
        + Sync,
) -> PyResult<Bound<'py, PyAny>> {
    let docs = extract_docs(docs, "raw_documents")?;
    let m = py.detach(|| guard(|| f(&docs, resolve_n_jobs(n_jobs)?)))?;
    csr_to_py(py, m)
}

/// A fitted TF-IDF vectorizer (immutable).
#[pyclass(frozen, module = "khabar._core", name = "TextVectorizerCore")]
pub struct PyTextVectorizer {
    pub(crate) inner: TextVectorizer,
}

#[pymethods]
impl PyTextVectorizer {
    /// Fit on `docs` (a list of str). Returns `(core, csr_parts_or_None)`.
    #[staticmethod]
    #[pyo3(signature = (config, docs, n_jobs = None, transform = false))]
    fn fit<'py>(
        py: Python<'py>,
        config: &Bound<'py, PyDict>,
        docs: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
        transform: bool,
    ) -> PyResult<(Self, Option<Bound<'py, PyAny>>)> {
        let cfg = text_config(config)?;
        let docs = extract_docs(docs, "raw_documents")?;
        let (model, m) = py.detach(|| {
            guard(|| {
                let threads = resolve_n_jobs(n_jobs)?;
                TextVectorizer::fit(cfg, &docs, threads, transform)
            })
        })?;
        let m = m.map(|m| csr_to_py(py, m)).transpose()?;
        Ok((Self { inner: model }, m))
    }

    #[pyo3(signature = (docs, n_jobs = None))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        transform_docs(py, docs, n_jobs, |d, t| self.inner.transform(d, t))
    }

    fn feature_names(&self) -> Vec<String> {
        self.inner.feature_names()
    }

    fn idf<'py>(&self, py: Python<'py>) -> Option<Bound<'py, numpy::PyArray1<f64>>> {
        use numpy::IntoPyArray;
        self.inner.idf().map(|v| v.into_pyarray(py))
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }

    #[getter]
    fn n_docs(&self) -> usize {
        self.inner.n_docs
    }

    /// Per block: (analyzer, min_n, max_n, n_terms).
    fn blocks(&self) -> Vec<(String, usize, usize, usize)> {
        self.inner
            .blocks
            .iter()
            .map(|b| {
                (
                    b.spec.kind.name().to_string(),
                    b.spec.min_n,
                    b.spec.max_n,
                    b.vocab.len(),
                )
            })
            .collect()
    }

    fn normalizer_config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        config_dict(py, &self.inner.config.normalizer)
    }

    /// Serialise to the model file format, with `metadata` (JSON text).
    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(
            Model::TextVectorizer(Box::new(self.inner.clone())),
            metadata,
        );
        let bytes = py.detach(|| guard(|| io::to_bytes(&file)))?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// A configured hashing vectorizer (stateless).
#[pyclass(frozen, module = "khabar._core", name = "HashingVectorizerCore")]
pub struct PyHashingVectorizer {
    inner: HashingVectorizer,
}

#[pymethods]
impl PyHashingVectorizer {
    #[new]
    fn new(config: &Bound<'_, PyDict>) -> PyResult<Self> {
        let n_features: i64 = req(config, "n_features")?;
        if n_features < 1 || n_features > i64::from(i32::MAX) {
            return Err(PyValueError::new_err(format!(
                "invalid parameter `n_features`: {n_features}; need 1 <= n_features <= 2**31 - 1"
            )));
        }
        let cfg = HashingConfig {
            analyzers: analyzers(config)?,
            normalizer: normalizer(config)?,
            tokenizer: tokenizer(config)?,
            stop_words: stop_words(config)?,
            n_features: n_features as u32,
            alternate_sign: opt(config, "alternate_sign")?.unwrap_or(true),
            binary: opt(config, "binary")?.unwrap_or(false),
            norm: guard(|| Norm::parse(opt::<String>(config, "norm").ok().flatten().as_deref()))?,
            dtype: dtype(config)?,
        };
        Ok(Self {
            inner: guard(|| HashingVectorizer::new(cfg))?,
        })
    }

    #[pyo3(signature = (docs, n_jobs = None))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        transform_docs(py, docs, n_jobs, |d, t| self.inner.transform(d, t))
    }

    #[pyo3(signature = (metadata = String::new()))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: String) -> PyResult<Bound<'py, PyBytes>> {
        let file = ModelFile::new(
            Model::HashingVectorizer(self.inner.config.clone()),
            metadata,
        );
        Ok(PyBytes::new(py, &guard(|| io::to_bytes(&file))?))
    }
}

/// The running counts of a streaming `TextVectorizer` fit (mutable; one
/// owner at a time: concurrent calls on one object raise instead of racing).
#[pyclass(module = "khabar._core", name = "VocabStreamCore")]
pub struct PyVocabStream {
    inner: VocabStream,
}

#[pymethods]
impl PyVocabStream {
    #[new]
    fn new(config: &Bound<'_, PyDict>) -> PyResult<Self> {
        let cfg = text_config(config)?;
        Ok(Self {
            inner: guard(|| VocabStream::new(cfg))?,
        })
    }

    /// Count one chunk of documents (a list of str).
    #[pyo3(signature = (docs, n_jobs = None))]
    fn update(
        &mut self,
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<()> {
        let docs = extract_docs(docs, "raw_documents")?;
        let inner = &mut self.inner;
        py.detach(|| guard(|| inner.update(&docs, resolve_n_jobs(n_jobs)?)))
    }

    /// Add the counts of another stream with the same parameters.
    fn merge(&mut self, py: Python<'_>, other: PyRef<'_, PyVocabStream>) -> PyResult<()> {
        let (inner, theirs) = (&mut self.inner, &other.inner);
        py.detach(|| guard(|| inner.merge(theirs)))
    }

    /// The fitted vectorizer for everything counted so far.
    #[pyo3(signature = (n_jobs = None))]
    fn finish(&mut self, py: Python<'_>, n_jobs: Option<i64>) -> PyResult<PyTextVectorizer> {
        let inner = &mut self.inner;
        let model = py.detach(|| guard(|| inner.finish(resolve_n_jobs(n_jobs)?)))?;
        Ok(PyTextVectorizer { inner: model })
    }

    #[getter]
    fn n_docs(&self) -> usize {
        self.inner.n_docs()
    }

    #[getter]
    fn n_candidates(&self) -> usize {
        self.inner.n_candidates()
    }

    /// The counts as bytes (for pickling partial fits between processes).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let inner = &self.inner;
        let bytes = py.detach(|| {
            postcard::to_allocvec(inner).map_err(|e| {
                PyValueError::new_err(format!("cannot serialise streaming counts: {e}"))
            })
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let inner: VocabStream = py.detach(|| {
            postcard::from_bytes(data).map_err(|e| {
                super::errors::ModelFormatError::new_err(format!(
                    "not valid streaming-fit counts: {e}"
                ))
            })
        })?;
        guard(|| inner.config.validate())?;
        Ok(Self { inner })
    }
}

/// Decode model bytes: returns `(kind, core_object, metadata_json, khabar_version)`.
#[pyfunction]
fn load_bytes<'py>(
    py: Python<'py>,
    data: &[u8],
) -> PyResult<(String, Bound<'py, PyAny>, String, String)> {
    let file = py.detach(|| guard(|| io::from_bytes(data)))?;
    let kind = file.model.kind().to_string();
    let obj = match file.model {
        Model::Normalizer(cfg) => Bound::new(
            py,
            super::text::PyNormalizer {
                inner: crate::text::Normalizer::new(cfg),
            },
        )?
        .into_any(),
        Model::TextVectorizer(mut tv) => {
            tv.restore();
            Bound::new(py, PyTextVectorizer { inner: *tv })?.into_any()
        }
        Model::HashingVectorizer(cfg) => Bound::new(
            py,
            PyHashingVectorizer {
                inner: guard(|| HashingVectorizer::new(cfg))?,
            },
        )?
        .into_any(),
        Model::Linear(m) => Bound::new(py, super::models::PyLinearModel::new(*m))?.into_any(),
        Model::TextPipeline(mut p) => {
            p.vectorizer.restore();
            Bound::new(py, super::models::PyTextPipeline { inner: *p })?.into_any()
        }
        Model::NaiveBayes(m) => Bound::new(
            py,
            super::models::PyNaiveBayes {
                inner: std::sync::RwLock::new(*m),
            },
        )?
        .into_any(),
        Model::EntityTagger(m) => Bound::new(
            py,
            super::tagger::PyEntityTagger {
                inner: std::sync::Arc::new(*m),
            },
        )?
        .into_any(),
        Model::Mlp(m) => {
            guard(|| m.validate())?;
            Bound::new(py, super::mlp::PyMlp { inner: *m })?.into_any()
        }
        Model::StanceBundle(mut b) => {
            guard(|| b.validate())?;
            for (_, v) in b.vectorizers.iter_mut() {
                v.restore();
            }
            Bound::new(py, super::pairs::PyStanceBundle { inner: *b })?.into_any()
        }
        Model::PairFeatures(m) => {
            Bound::new(py, super::pairs::PyPairFeatures { inner: *m })?.into_any()
        }
    };
    Ok((kind, obj, file.metadata, file.khabar_version))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTextVectorizer>()?;
    m.add_class::<PyHashingVectorizer>()?;
    m.add_class::<PyVocabStream>()?;
    m.add_function(wrap_pyfunction!(load_bytes, m)?)?;
    Ok(())
}
