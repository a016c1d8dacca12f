//! Word clusters for the entity tagger's features: each word of a list
//! belongs to one cluster at each of up to four granularities. Serialised
//! as words, levels and ids; the word index is rebuilt (and validated) on
//! load.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Word clusters (e.g. k-means on distributional vectors learnt from
/// unlabelled text) at up to four granularities: they let the tagger
/// generalise from `محمد` to names it never saw tagged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(into = "ClusterData", try_from = "ClusterData")]
pub struct WordClusters {
    pub(crate) levels: usize,
    /// `words × levels` cluster ids.
    pub(crate) ids: Vec<u16>,
    words: Vec<String>,
    pub(crate) index: FxHashMap<String, u32>,
}

#[derive(Serialize, Deserialize)]
struct ClusterData {
    levels: usize,
    words: Vec<String>,
    ids: Vec<u16>,
}

impl From<WordClusters> for ClusterData {
    fn from(c: WordClusters) -> Self {
        Self {
            levels: c.levels,
            words: c.words,
            ids: c.ids,
        }
    }
}

impl TryFrom<ClusterData> for WordClusters {
    type Error = Error;
    fn try_from(d: ClusterData) -> Result<Self> {
        WordClusters::new(d.words, d.levels, d.ids)
    }
}

impl WordClusters {
    /// `words[i]` (normalised as the tagger normalises tokens) belongs to
    /// clusters `ids[i·levels..(i+1)·levels]`.
    pub fn new(words: Vec<String>, levels: usize, ids: Vec<u16>) -> Result<Self> {
        if !(1..=4).contains(&levels) {
            return Err(Error::param(
                "word_clusters",
                "give 1 to 4 cluster levels per word",
            ));
        }
        if ids.len() != words.len() * levels {
            return Err(Error::param(
                "word_clusters",
                format!(
                    "{} words need {} cluster ids, got {}",
                    words.len(),
                    words.len() * levels,
                    ids.len()
                ),
            ));
        }
        let mut index = FxHashMap::default();
        for (i, w) in words.iter().enumerate() {
            if index.insert(w.clone(), i as u32).is_some() {
                return Err(Error::param(
                    "word_clusters",
                    format!("the word {w:?} is listed twice"),
                ));
            }
        }
        Ok(Self {
            levels,
            ids,
            words,
            index,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn levels(&self) -> usize {
        self.levels
    }
}
