//! A fitted stance classifier's parts, bundled for saving: the pair
//! featuriser, the term vectorizers of headline, body and the two
//! "difference" texts, the standardisation of the pair features, and the
//! model (MLP or linear). Prediction is composed by the Python estimator
//! from these parts (each is a fast Rust object); this struct is what a
//! model file holds.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::pairs::{PairFeaturizer, FEATURE_NAMES};
use crate::features::vectorizer::TextVectorizer;
use crate::model::mlp::Mlp;
use crate::model::LinearModel;

/// The classifier inside a stance bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum StanceModel {
    Mlp(Box<Mlp>),
    Linear(Box<LinearModel>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StanceBundle {
    pub pairs: Option<PairFeaturizer>,
    /// Term-block vectorizers by block name (`"headline"`, `"body"`, ...),
    /// in column order.
    pub vectorizers: Vec<(String, TextVectorizer)>,
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    pub model: StanceModel,
}

impl StanceBundle {
    /// Check the parts fit together (after loading).
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::ModelFormat(format!("stance bundle: {m}")));
        // The pair-feature extractor may be kept without its 52 features in
        // the design (pair_features=False): it also builds the word-diff and
        // best-sentence term blocks. So the scaling is empty or full, and
        // full only with an extractor.
        let n_pair = self.mean.len();
        if self.scale.len() != n_pair
            || (n_pair != 0 && (n_pair != FEATURE_NAMES.len() || self.pairs.is_none()))
        {
            return bad("the pair-feature scaling has the wrong length");
        }
        let n_terms: usize = self.vectorizers.iter().map(|(_, v)| v.n_features()).sum();
        let expected = n_pair + n_terms;
        let got = match &self.model {
            StanceModel::Mlp(m) => {
                m.validate()?;
                m.n_features
            }
            StanceModel::Linear(m) => m.n_features,
        };
        if got != expected {
            return bad(&format!(
                "the model takes {got} features but the parts produce {expected}"
            ));
        }
        Ok(())
    }
}
