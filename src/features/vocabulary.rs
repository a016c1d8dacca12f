//! Vocabularies and the counting pass that builds them.
//!
//! Fitting runs in three steps so that it parallelises without making the
//! result depend on the thread count:
//! 1. each worker counts its contiguous slice of documents against a *local*
//!    vocabulary (term -> local id), storing per-document (id, count) pairs;
//! 2. the local vocabularies are merged, sorted alphabetically (scikit-learn
//!    orders features by term), and pruned by `min_df`/`max_df`/
//!    `max_features`;
//! 3. each worker maps its local ids to final columns and emits its rows.
//!
//! Terms are stored once, as the keys of the map; the sorted term list is
//! derived when needed (feature names, serialisation).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// A term -> column map with contiguous columns `0..len`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    map: FxHashMap<Box<str>, u32>,
}

impl Vocabulary {
    /// Build from terms in column order. Fails on duplicates.
    pub fn from_terms<I, S>(terms: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<Box<str>>,
    {
        let mut map = FxHashMap::default();
        for (i, t) in terms.into_iter().enumerate() {
            let t: Box<str> = t.into();
            if let Some(prev) = map.insert(t, i as u32) {
                let dup = map
                    .iter()
                    .find(|(_, &v)| v == i as u32)
                    .map(|(k, _)| k.to_string());
                return Err(Error::param(
                    "vocabulary",
                    format!(
                        "duplicate term {:?} at indices {prev} and {i}",
                        dup.unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(Self { map })
    }

    /// Build from (term, column) pairs, checking columns are exactly `0..n`.
    pub fn from_mapping(pairs: Vec<(String, i64)>) -> Result<Self> {
        let n = pairs.len();
        let mut slots: Vec<Option<String>> = vec![None; n];
        for (term, idx) in pairs {
            if idx < 0 || idx as usize >= n {
                return Err(Error::param(
                    "vocabulary",
                    format!(
                        "index {idx} of term {term:?} is outside 0..{n}; indices must be 0..n-1"
                    ),
                ));
            }
            if slots[idx as usize].is_some() {
                return Err(Error::param(
                    "vocabulary",
                    format!("index {idx} is used twice"),
                ));
            }
            slots[idx as usize] = Some(term);
        }
        Self::from_terms(slots.into_iter().map(|s| s.expect("all slots filled")))
    }

    #[inline]
    pub fn get(&self, term: &str) -> Option<u32> {
        self.map.get(term).copied()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Terms in column order.
    pub fn terms(&self) -> Vec<&str> {
        let mut v = vec![""; self.map.len()];
        for (t, &i) in &self.map {
            v[i as usize] = t;
        }
        v
    }
}

impl Serialize for Vocabulary {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.terms().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Vocabulary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let terms: Vec<String> = Vec::deserialize(d)?;
        Vocabulary::from_terms(terms).map_err(serde::de::Error::custom)
    }
}

/// Document-frequency bound: an absolute count or a fraction of documents.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum DfBound {
    Count(u64),
    Fraction(f64),
}

impl DfBound {
    fn resolve(self, n_docs: usize) -> f64 {
        match self {
            DfBound::Count(c) => c as f64,
            DfBound::Fraction(f) => f * n_docs as f64,
        }
    }

    pub fn validate(self, name: &'static str) -> Result<()> {
        match self {
            DfBound::Fraction(f) if !(0.0..=1.0).contains(&f) || f.is_nan() => Err(Error::param(
                name,
                format!("{f} is not a valid fraction; use a float in [0.0, 1.0] or an int count"),
            )),
            _ => Ok(()),
        }
    }
}

/// Pruning settings for a vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    pub min_df: DfBound,
    pub max_df: DfBound,
    pub max_features: Option<usize>,
}

impl Default for Pruning {
    fn default() -> Self {
        Self {
            min_df: DfBound::Count(1),
            max_df: DfBound::Fraction(1.0),
            max_features: None,
        }
    }
}

/// One worker's counts for one analyzer block.
#[derive(Default)]
pub struct LocalCounts {
    pub map: FxHashMap<Box<str>, u32>,
    pub row_nnz: Vec<u32>,
    pub ids: Vec<u32>,
    pub counts: Vec<u32>,
    dense: Vec<u32>,
    touched: Vec<u32>,
}

impl LocalCounts {
    /// Count one n-gram of the current document.
    #[inline]
    pub fn add(&mut self, gram: &str) {
        let id = match self.map.get(gram) {
            Some(&id) => id,
            None => {
                let id = self.map.len() as u32;
                self.map.insert(gram.into(), id);
                self.dense.push(0);
                id
            }
        };
        let slot = &mut self.dense[id as usize];
        if *slot == 0 {
            self.touched.push(id);
        }
        *slot += 1;
    }

    /// Close the current document.
    pub fn end_doc(&mut self) {
        self.row_nnz.push(self.touched.len() as u32);
        for &id in &self.touched {
            self.ids.push(id);
            self.counts
                .push(std::mem::take(&mut self.dense[id as usize]));
        }
        self.touched.clear();
    }

    /// Release the scratch buffers once counting is done.
    pub fn finish(&mut self) {
        self.dense = Vec::new();
        self.touched = Vec::new();
    }
}

/// The merged, pruned vocabulary of one block plus, for each worker, the
/// map from its local ids to final columns (`u32::MAX` = pruned).
pub struct Merged {
    pub vocab: Vocabulary,
    pub df: Vec<u64>,
    pub local_to_col: Vec<Vec<u32>>,
}

/// Merge workers' local counts into one sorted, pruned vocabulary.
pub fn merge(locals: &mut [LocalCounts], n_docs: usize, pruning: &Pruning) -> Result<Merged> {
    let mut global: FxHashMap<Box<str>, u32> = FxHashMap::default();
    let mut df: Vec<u64> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    let mut local_to_tmp: Vec<Vec<u32>> = Vec::with_capacity(locals.len());
    for lc in locals.iter_mut() {
        let map = std::mem::take(&mut lc.map);
        let mut to_tmp = vec![0u32; map.len()];
        for (term, local) in map {
            let next = global.len() as u32;
            let tmp = *global.entry(term).or_insert(next);
            if tmp == next {
                df.push(0);
                tf.push(0);
            }
            to_tmp[local as usize] = tmp;
        }
        for (&id, &c) in lc.ids.iter().zip(&lc.counts) {
            let t = to_tmp[id as usize] as usize;
            df[t] += 1;
            tf[t] += u64::from(c);
        }
        local_to_tmp.push(to_tmp);
    }
    let mut terms: Vec<Option<Box<str>>> = vec![None; global.len()];
    for (t, i) in global {
        terms[i as usize] = Some(t);
    }
    let mut order: Vec<u32> = (0..terms.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));

    let high = pruning.max_df.resolve(n_docs);
    let low = pruning.min_df.resolve(n_docs);
    if high < low {
        return Err(Error::param(
            "max_df",
            "max_df corresponds to fewer documents than min_df",
        ));
    }
    let mut kept: Vec<u32> = order
        .into_iter()
        .filter(|&t| (df[t as usize] as f64) <= high && (df[t as usize] as f64) >= low)
        .collect();
    if let Some(limit) = pruning.max_features {
        if kept.len() > limit {
            // most frequent first; ties keep alphabetical order (stable sort)
            let mut by_tf = kept.clone();
            by_tf.sort_by(|&a, &b| tf[b as usize].cmp(&tf[a as usize]));
            by_tf.truncate(limit);
            let mut keep = vec![false; terms.len()];
            by_tf.iter().for_each(|&t| keep[t as usize] = true);
            kept.retain(|&t| keep[t as usize]);
        }
    }
    if kept.is_empty() {
        return Err(Error::InvalidInput(
            if terms.is_empty() {
                "empty vocabulary: the documents produced no terms (are they empty or only stop words?)"
            } else {
                "after pruning, no terms remain; try a lower min_df or a higher max_df"
            }
            .into(),
        ));
    }
    let mut tmp_to_col = vec![u32::MAX; terms.len()];
    let mut final_df = Vec::with_capacity(kept.len());
    let mut final_terms = Vec::with_capacity(kept.len());
    for (col, &t) in kept.iter().enumerate() {
        tmp_to_col[t as usize] = col as u32;
        final_df.push(df[t as usize]);
        final_terms.push(terms[t as usize].take().expect("each term kept once"));
    }
    drop(terms);
    let local_to_col = local_to_tmp
        .into_iter()
        .map(|v| v.into_iter().map(|t| tmp_to_col[t as usize]).collect())
        .collect();
    Ok(Merged {
        vocab: Vocabulary::from_terms(final_terms)?,
        df: final_df,
        local_to_col,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(docs: &[&[&str]]) -> LocalCounts {
        let mut lc = LocalCounts::default();
        for d in docs {
            d.iter().for_each(|g| lc.add(g));
            lc.end_doc();
        }
        lc.finish();
        lc
    }

    #[test]
    fn merge_sorts_and_prunes() {
        let mut locals = vec![count(&[&["b", "a", "b"], &["c"]]), count(&[&["a", "d"]])];
        let m = merge(
            &mut locals,
            3,
            &Pruning {
                min_df: DfBound::Count(2),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(m.vocab.terms(), vec!["a"]);
        assert_eq!(m.df, vec![2]);
        let m = merge(
            &mut [count(&[&["b", "a", "b"], &["c"]]), count(&[&["a", "d"]])],
            3,
            &Pruning::default(),
        )
        .unwrap();
        assert_eq!(m.vocab.terms(), vec!["a", "b", "c", "d"]);
        assert_eq!(m.df, vec![2, 1, 1, 1]);
    }

    #[test]
    fn max_features_keeps_most_frequent_with_alphabetical_ties() {
        let mut locals = vec![count(&[&["z", "z", "y", "x"], &["y", "w"]])];
        let p = Pruning {
            max_features: Some(2),
            ..Default::default()
        };
        let m = merge(&mut locals, 2, &p).unwrap();
        // tf: z=2, y=2, x=1, w=1 -> keep y, z (alphabetical order in output)
        assert_eq!(m.vocab.terms(), vec!["y", "z"]);
    }

    #[test]
    fn empty_and_overpruned_are_errors() {
        let mut locals = vec![count(&[&[], &[]])];
        assert!(merge(&mut locals, 2, &Pruning::default()).is_err());
        let mut locals = vec![count(&[&["a"], &["b"]])];
        let p = Pruning {
            min_df: DfBound::Count(2),
            ..Default::default()
        };
        assert!(merge(&mut locals, 2, &p).is_err());
    }

    #[test]
    fn vocabulary_rejects_bad_mappings() {
        assert!(Vocabulary::from_terms(["a", "a"]).is_err());
        assert!(Vocabulary::from_mapping(vec![("a".into(), 0), ("b".into(), 2)]).is_err());
        let v = Vocabulary::from_mapping(vec![("b".into(), 1), ("a".into(), 0)]).unwrap();
        assert_eq!(v.terms(), vec!["a", "b"]);
    }
}
