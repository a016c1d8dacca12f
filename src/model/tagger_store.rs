//! How an [`EntityTagger`] is stored: features sorted by hash
//! (delta-coded) with only their non-zero weights, and the checks that
//! rebuild a tagger from that form.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::tagger::{allowed_transitions, EntityTagger};
use crate::error::{Error, Result};
use crate::features::token_features::TokenFeaturizer;

/// What is stored: features sorted by hash (delta-coded) with only their
/// non-zero weights.
#[derive(Serialize, Deserialize)]
pub(crate) struct TaggerData {
    tags: Vec<String>,
    featurizer: TokenFeaturizer,
    key_deltas: Vec<u64>,
    /// Per feature: the bit mask of tags with a stored weight.
    masks: Vec<u32>,
    values: Vec<f32>,
    trans: Vec<f32>,
    errors: Vec<u64>,
    scripts: [f32; 3],
}

impl From<EntityTagger> for TaggerData {
    fn from(m: EntityTagger) -> Self {
        let nt = m.tags.len();
        let mut keys: Vec<(u64, u32)> = m.index.iter().map(|(&k, &v)| (k, v)).collect();
        keys.sort_unstable();
        let (mut key_deltas, mut masks, mut values) = (Vec::new(), Vec::new(), Vec::new());
        let mut last = 0u64;
        for (k, row) in keys {
            let w = &m.weights[row as usize * nt..(row as usize + 1) * nt];
            let mask = w
                .iter()
                .enumerate()
                .filter(|(_, &x)| x != 0.0)
                .fold(0u32, |m, (j, _)| m | (1 << j));
            if mask == 0 {
                continue;
            }
            key_deltas.push(k.wrapping_sub(last));
            last = k;
            masks.push(mask);
            values.extend(w.iter().copied().filter(|&x| x != 0.0));
        }
        Self {
            tags: m.tags,
            featurizer: m.featurizer,
            key_deltas,
            masks,
            values,
            trans: m.trans,
            errors: m.errors,
            scripts: m.scripts,
        }
    }
}

impl TryFrom<TaggerData> for EntityTagger {
    type Error = Error;
    fn try_from(d: TaggerData) -> Result<Self> {
        let bad = |m: &str| Error::ModelFormat(format!("entity tagger: {m}"));
        let nt = d.tags.len();
        if nt == 0 || nt > 32 {
            return Err(bad("the tag count must be between 1 and 32"));
        }
        let allowed = allowed_transitions(&d.tags).map_err(|e| bad(&e.to_string()))?;
        if d.trans.len() != (nt + 1) * nt || d.masks.len() != d.key_deltas.len() {
            return Err(bad("inconsistent weight shapes"));
        }
        let stored: usize = d.masks.iter().map(|m| m.count_ones() as usize).sum();
        if stored != d.values.len() || d.masks.iter().any(|&m| m >> nt != 0) {
            return Err(bad("the weight masks do not match the stored weights"));
        }
        let mut index = FxHashMap::default();
        index.reserve(d.masks.len());
        let mut weights = vec![0f32; d.masks.len() * nt];
        let mut key = 0u64;
        let mut v = d.values.iter();
        for (row, (&delta, &mask)) in d.key_deltas.iter().zip(&d.masks).enumerate() {
            key = key.wrapping_add(delta);
            if index.insert(key, row as u32).is_some() {
                return Err(bad("a feature is stored twice"));
            }
            for j in (0..nt).filter(|j| mask & (1 << j) != 0) {
                weights[row * nt + j] = *v.next().expect("counted above");
            }
        }
        Ok(Self {
            tags: d.tags,
            featurizer: d.featurizer,
            index,
            weights,
            trans: d.trans,
            allowed,
            errors: d.errors,
            scripts: d.scripts,
        })
    }
}
