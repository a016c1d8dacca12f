//! A fitted text classifier in one piece: a TF-IDF vectorizer and a linear
//! model. Predicting goes from text to scores without handing a matrix to
//! Python, which is what keeps single-document latency in microseconds.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::features::csr::{CsrData, CsrIndex, CsrMatrix};
use crate::features::vectorizer::TextVectorizer;
use crate::model::{CsrView, LinearModel};

/// Vectorizer + linear model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextPipeline {
    pub vectorizer: TextVectorizer,
    pub model: LinearModel,
}

/// Decision values of a CSR matrix built by a vectorizer.
pub fn decision_of(m: &CsrMatrix, model: &LinearModel, threads: usize) -> Result<Vec<f64>> {
    let widened: Vec<i64>;
    let narrowed: Vec<i32>;
    let (indptr, indices): (&[i64], &[i32]) = match &m.index {
        CsrIndex::I32 { indptr, indices } => {
            widened = indptr.iter().map(|&v| i64::from(v)).collect();
            (&widened, indices)
        }
        CsrIndex::I64 { indptr, indices } => {
            // columns always fit in i32 (the vectorizers cap them)
            narrowed = indices.iter().map(|&v| v as i32).collect();
            (indptr, &narrowed)
        }
    };
    match &m.data {
        CsrData::F32(d) => model.decision(&CsrView::new(indptr, indices, d, m.n_cols)?, threads),
        CsrData::F64(d) => model.decision(&CsrView::new(indptr, indices, d, m.n_cols)?, threads),
    }
}

impl TextPipeline {
    /// Decision values, `docs.len() * n_outputs`.
    pub fn decision<S: AsRef<str> + Sync>(&self, docs: &[S], threads: usize) -> Result<Vec<f64>> {
        // scores do not need sorted columns: skip the per-row sort
        let x = self.vectorizer.transform_unsorted(docs, threads)?;
        decision_of(&x, &self.model, threads)
    }

    /// Probabilities, `docs.len() * n_proba_cols`.
    pub fn proba<S: AsRef<str> + Sync>(&self, docs: &[S], threads: usize) -> Result<Vec<f64>> {
        let z = self.decision(docs, threads)?;
        self.model.proba(&z)
    }
}
