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
    /// in column order. A block repeated in `N` column slots (one per
    /// target: `body_by_target`) is named `"<block>*N"` and gives `N` times
    /// its vectorizer's columns; the targets themselves are in the model
    /// file's metadata.
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
        let mut expected = n_pair;
        for (name, v) in &self.vectorizers {
            let Some(slots) = block_slots(name) else {
                return bad(&format!("bad column-slot count in the block name {name:?}"));
            };
            match v
                .n_features()
                .checked_mul(slots)
                .and_then(|n| n.checked_add(expected))
            {
                Some(n) => expected = n,
                None => return bad("the term blocks are too wide"),
            }
        }
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

/// How many column slots a term block fills: 1, or `N` for a name ending in
/// `*N` (`N` >= 1); `None` for a malformed count.
pub fn block_slots(name: &str) -> Option<usize> {
    match name.rsplit_once('*') {
        None => Some(1),
        Some((_, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
            n.parse::<usize>().ok().filter(|&n| n >= 1)
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::block_slots;

    #[test]
    fn block_slots_parse_the_name_suffix() {
        assert_eq!(block_slots("body"), Some(1));
        assert_eq!(block_slots("body_by_target*3"), Some(3));
        assert_eq!(block_slots("body_by_target*0"), None);
        assert_eq!(block_slots("body_by_target*"), None);
        assert_eq!(block_slots("body_by_target*-1"), None);
        assert_eq!(block_slots("body_by_target*+1"), None);
        assert_eq!(block_slots("body_by_target*99999999999999999999999"), None);
    }
}
