//! Vocabularies and the counting pass that builds them.
//!
//! Fitting runs in three steps so that it parallelises without making the
//! result depend on the thread count:
//! 1. each worker counts chunks of documents, claimed in turn, against a
//!    *local* vocabulary (an [`Interner`]: term -> local id), storing
//!    per-document (id, count) pairs;
//! 2. the local vocabularies are merged (into the first worker's, or in
//!    parallel by hash shard), then pruned by `min_df`/`max_df`/
//!    `max_features` and sorted alphabetically (scikit-learn orders features
//!    by term; word n-grams by a walk of their tree, see `vocab_order`);
//! 3. the chunks' local ids are mapped to final columns and their rows
//!    emitted in document order (`fit_rows`).
//!
//! With one worker, step 2 skips the merge: the local vocabulary is global.
//!
//! This module holds the [`Vocabulary`] itself and the pruning settings;
//! step 1's counting is in `vocab_counts`, step 2's merge and selection in
//! `vocab_merge` and its ordering in `vocab_order`; the public ones are
//! re-exported here so their paths stay `features::vocabulary::*`.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::features::interner::{Interner, PendingIndex};

pub use crate::features::vocab_counts::{LocalCounts, StreamCounts};
pub use crate::features::vocab_merge::{merge, select_totals, Merged};

/// A term -> column map with contiguous columns `0..len`.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// The interned terms. Usually term id == column; after a fit that
    /// pruned little, the fit's own interner is kept (no copy) and the two
    /// maps below translate.
    pub(crate) terms: Interner,
    /// id -> column (`u32::MAX`: pruned); empty means identity.
    pub(crate) id_to_col: Vec<u32>,
    /// column -> id; empty means identity.
    pub(crate) col_to_id: Vec<u32>,
    /// Set when a fit left `terms` unindexed: their lookup table, built on
    /// the first lookup (see [`LazyIndex`]). Clones share it, as they hold
    /// the same terms.
    lazy: Option<Arc<LazyIndex>>,
}

/// The lookup table of a fitted vocabulary, built on its first lookup.
///
/// Why: a fit that also transforms (`fit_transform`, and every `Pipeline`
/// fit) maps its documents' terms to columns by id and never looks a term
/// up by string, and indexing the 1.9M terms of a word (1, 2) fit of the
/// benchmark corpus was a tenth of it with one thread and 3% with two
/// (where it ran on an extra thread; paired runs). A later `transform`
/// pays for the table once: its cost moved, it did not grow.
struct LazyIndex {
    /// The part of the table the fit had built, until the first lookup
    /// takes it to complete it.
    start: Mutex<Option<PendingIndex>>,
    table: OnceLock<PendingIndex>,
}

impl LazyIndex {
    /// The complete table of `terms` (the vocabulary's own).
    fn table(&self, terms: &Interner) -> &PendingIndex {
        self.table.get_or_init(|| {
            // A panic while building (out of memory) leaves `start` taken;
            // the next lookup then builds from an empty table, which is
            // only slower.
            let mut t = self
                .start
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .unwrap_or_default();
            t.run(terms);
            t
        })
    }
}

impl std::fmt::Debug for LazyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyIndex")
            .field("built", &self.table.get().is_some())
            .finish()
    }
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && (0..self.len() as u32).all(|c| self.term(c) == other.term(c))
    }
}

impl Vocabulary {
    /// Build from terms in column order. Fails on duplicates.
    pub fn from_terms<I, S>(terms: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut it = Interner::default();
        for (i, t) in terms.into_iter().enumerate() {
            let t = t.as_ref();
            let (id, new) = it.intern_hashed(t, crate::features::interner::hash_str(t));
            if !new {
                return Err(Error::param(
                    "vocabulary",
                    format!("duplicate term {t:?} at indices {id} and {i}"),
                ));
            }
        }
        Ok(Self {
            terms: it,
            id_to_col: Vec::new(),
            col_to_id: Vec::new(),
            lazy: None,
        })
    }

    /// A fitted vocabulary over `terms`, which may be partly or wholly
    /// unindexed: `index` is the table detached from them, if it was
    /// (otherwise `terms`' own). The table is completed on the first
    /// lookup, not here. `id_to_col`/`col_to_id` as in the fields (empty:
    /// identity).
    pub(crate) fn fitted(
        mut terms: Interner,
        index: Option<PendingIndex>,
        id_to_col: Vec<u32>,
        col_to_id: Vec<u32>,
    ) -> Self {
        let start = match index {
            Some(index) => Some(index),
            None if terms.is_indexed() => None,
            None => Some(terms.detach_index()),
        };
        Self {
            terms,
            id_to_col,
            col_to_id,
            lazy: start.map(|s| {
                Arc::new(LazyIndex {
                    start: Mutex::new(Some(s)),
                    table: OnceLock::new(),
                })
            }),
        }
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
        let id = match &self.lazy {
            None => self.terms.find(term)?,
            Some(lazy) => lazy.table(&self.terms).find(&self.terms, term)?,
        };
        if self.id_to_col.is_empty() {
            Some(id)
        } else {
            let col = self.id_to_col[id as usize];
            (col != u32::MAX).then_some(col)
        }
    }

    pub fn len(&self) -> usize {
        if self.col_to_id.is_empty() {
            self.terms.len()
        } else {
            self.col_to_id.len()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Terms in column order.
    pub fn terms(&self) -> Vec<&str> {
        (0..self.len() as u32).map(|c| self.term(c)).collect()
    }

    /// The term of column `col`.
    pub fn term(&self, col: u32) -> &str {
        if self.col_to_id.is_empty() {
            self.terms.get(col)
        } else {
            self.terms.get(self.col_to_id[col as usize])
        }
    }
}

impl Serialize for Vocabulary {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq((0..self.len() as u32).map(|c| self.term(c)))
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
    pub(crate) fn resolve(self, n_docs: usize) -> f64 {
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
        for threads in [1, 2] {
            let mut locals = vec![count(&[&["b", "a", "b"], &["c"]]), count(&[&["a", "d"]])];
            let p = Pruning {
                min_df: DfBound::Count(2),
                ..Default::default()
            };
            let m = merge(&mut locals, 3, &p, threads).unwrap();
            assert_eq!(m.vocab.terms(), vec!["a"]);
            assert_eq!(m.df, vec![2]);
            let mut locals = [count(&[&["b", "a", "b"], &["c"]]), count(&[&["a", "d"]])];
            let m = merge(&mut locals, 3, &Pruning::default(), threads).unwrap();
            assert_eq!(m.vocab.terms(), vec!["a", "b", "c", "d"]);
            assert_eq!(m.df, vec![2, 1, 1, 1]);
            // worker 1's local ids: a=0, d=1
            assert_eq!(m.local_to_col[1], vec![0, 3]);
            // max_features ranks by term frequency summed over workers:
            // c 1 + 3, a 1 + 1, b 2 + 0 (a before b on the tie)
            let mut locals = [
                count(&[&["a", "b", "b", "c"]]),
                count(&[&["c", "c", "c"], &["a"]]),
            ];
            let p = Pruning {
                max_features: Some(2),
                ..Default::default()
            };
            let m = merge(&mut locals, 3, &p, threads).unwrap();
            assert_eq!(m.vocab.terms(), vec!["a", "c"]);
            assert_eq!(m.df, vec![2, 2]);
        }
    }

    /// A word fit leaves its terms unindexed; the first lookup builds the
    /// table (clones share it), and it finds every term at its column and
    /// nothing else, whether the fit kept its interner (one or two
    /// workers: the two-worker merge hands over the first's table, with
    /// only its terms, or none of them after a word fit) or copied the
    /// survivors into a new one (pruning).
    #[test]
    fn fitted_vocabularies_index_on_first_lookup() {
        let docs: [&[&str]; 3] = [&["b", "a", "b", "c"], &["a", "d"], &["e", "a"]];
        let word = |range: std::ops::Range<usize>| {
            let mut lc = LocalCounts::default();
            for d in &docs[range] {
                lc.add_word_ngrams(d, 1, 2);
                lc.end_doc();
            }
            lc.finish();
            lc
        };
        let prune = Pruning {
            min_df: DfBound::Count(2),
            ..Default::default()
        };
        let cases = [
            (vec![word(0..3)], Pruning::default(), 1),
            (vec![word(0..1), word(1..3)], Pruning::default(), 2),
            (vec![word(0..2), word(2..3)], Pruning::default(), 1),
            (vec![word(0..3)], prune, 1),
            (vec![word(0..1), word(1..3)], prune, 2),
            // counted through the string table: the first worker's table
            // is complete, the second's new terms are not in it
            (
                vec![count(&docs[0..1]), count(&docs[1..3])],
                Pruning::default(),
                2,
            ),
        ];
        for (k, (mut locals, p, threads)) in cases.into_iter().enumerate() {
            let m = merge(&mut locals, 3, &p, threads).unwrap();
            let lazy = m.vocab.lazy.clone().expect("left unindexed by the fit");
            assert!(
                lazy.table.get().is_none(),
                "case {k}: built before a lookup"
            );
            let copy = m.vocab.clone();
            for (col, t) in m.vocab.terms().into_iter().enumerate() {
                assert_eq!(copy.get(t), Some(col as u32), "case {k}: {t:?}");
            }
            assert!(
                lazy.table.get().is_some(),
                "case {k}: clones share the table"
            );
            for absent in ["", "z", "a z", "b a b"] {
                assert_eq!(m.vocab.get(absent), None, "case {k}: {absent:?}");
            }
        }
        // Built from terms: indexed up front, nothing left to build.
        let v = Vocabulary::from_terms(["x", "y"]).unwrap();
        assert!(v.lazy.is_none());
        assert_eq!((v.get("y"), v.get("z")), (Some(1), None));
    }

    #[test]
    fn word_trie_counts_like_joined_strings() {
        let docs: [&[&str]; 3] = [&["a", "b", "a", "b", "c"], &["b", "c"], &[]];
        for (lo, hi) in [(1, 1), (1, 2), (2, 3), (1, 4), (3, 3)] {
            let mut fast = LocalCounts::default();
            let mut slow = LocalCounts::default();
            for d in docs {
                fast.add_word_ngrams(d, lo, hi);
                for n in lo..=hi.min(d.len()) {
                    for w in d.windows(n) {
                        slow.add(&w.join(" "));
                    }
                }
                fast.end_doc();
                slow.end_doc();
            }
            let f = merge(&mut [fast], 3, &Pruning::default(), 1).unwrap();
            let s = merge(&mut [slow], 3, &Pruning::default(), 1).unwrap();
            assert_eq!(f.vocab.terms(), s.vocab.terms(), "{lo}..{hi}");
            assert_eq!(f.df, s.df);
        }
    }

    #[test]
    fn char_wb_word_cache_counts_like_plain_analysis() {
        use crate::features::ngrams::{for_each_ngram, AnalyzerKind, AnalyzerSpec, Scratch};
        // Words repeat (cached), and some are longer than a cache slot holds.
        let long = "كالمستشفيات الجامعيةالمتخصصة";
        let docs = [
            "بغداد  و بغداد\tطهران",
            "a",
            "",
            "ab ab abc a",
            "بغداد",
            long,
            long,
        ];
        // (6, 8): short words have no n-grams at all.
        for (lo, hi) in [(1, 1), (2, 5), (3, 3), (1, 8), (6, 8)] {
            let spec = AnalyzerSpec::new(AnalyzerKind::CharWb, lo, hi).unwrap();
            let mut fast = LocalCounts::default();
            let mut slow = LocalCounts::default();
            for d in docs {
                fast.add_char_wb(&spec, d);
                let tok = crate::text::Tokenizer::default();
                for_each_ngram(&spec, &tok, None, d, &mut Scratch::default(), &mut |g| {
                    slow.add(g)
                });
                fast.end_doc();
                slow.end_doc();
            }
            let f = merge(&mut [fast], docs.len(), &Pruning::default(), 1).unwrap();
            let s = merge(&mut [slow], docs.len(), &Pruning::default(), 1).unwrap();
            assert_eq!(f.vocab.terms(), s.vocab.terms());
            assert_eq!(f.df, s.df);
        }
    }

    #[test]
    fn sharded_merge_of_many_workers_matches_sequential() {
        let docs: Vec<Vec<String>> = (0..40)
            .map(|i| {
                (0..(i % 7 + 1))
                    .map(|k| format!("t{}", (i * 31 + k * 17) % 23))
                    .collect()
            })
            .collect();
        let counted = |chunks: &[std::ops::Range<usize>]| -> Vec<LocalCounts> {
            chunks
                .iter()
                .map(|r| {
                    let mut lc = LocalCounts::default();
                    for d in &docs[r.clone()] {
                        d.iter().for_each(|g| lc.add(g));
                        lc.end_doc();
                    }
                    lc
                })
                .collect()
        };
        let p = Pruning {
            min_df: DfBound::Count(2),
            ..Default::default()
        };
        let all = 0..40;
        let one = merge(&mut counted(std::slice::from_ref(&all)), 40, &p, 1).unwrap();
        let two = merge(&mut counted(&[0..13, 13..40]), 40, &p, 2).unwrap();
        let four = merge(&mut counted(&[0..5, 5..19, 19..30, 30..40]), 40, &p, 4).unwrap();
        for m in [&two, &four] {
            assert_eq!(m.vocab.terms(), one.vocab.terms());
            assert_eq!(m.df, one.df);
        }
        // every worker's local ids map to the right columns
        let locals = counted(&[0..5, 5..19, 19..30, 30..40]);
        for (w, lc) in locals.iter().enumerate() {
            for id in 0..lc.terms.len() as u32 {
                let col = four.local_to_col[w][id as usize];
                if col != u32::MAX {
                    assert_eq!(four.vocab.term(col), lc.terms.get(id));
                }
            }
        }
    }

    #[test]
    fn single_worker_merge_maps_identity() {
        let mut locals = [count(&[&["z", "y"], &["y"]])];
        let m = merge(&mut locals, 2, &Pruning::default(), 1).unwrap();
        assert_eq!(m.vocab.terms(), vec!["y", "z"]);
        assert_eq!(m.local_to_col[0], vec![1, 0]);
    }

    #[test]
    fn sorting_uses_full_bytes_beyond_the_prefix() {
        let mut locals = [count(&[&["abcdefghZ", "abcdefghA", "abcdefgh", "abc\0"]])];
        let m = merge(&mut locals, 1, &Pruning::default(), 1).unwrap();
        assert_eq!(
            m.vocab.terms(),
            vec!["abc\0", "abcdefgh", "abcdefghA", "abcdefghZ"]
        );
    }

    #[test]
    fn max_features_keeps_most_frequent_with_alphabetical_ties() {
        let mut locals = vec![count(&[&["z", "z", "y", "x"], &["y", "w"]])];
        let p = Pruning {
            max_features: Some(2),
            ..Default::default()
        };
        let m = merge(&mut locals, 2, &p, 1).unwrap();
        // tf: z=2, y=2, x=1, w=1 -> keep y, z (alphabetical order in output)
        assert_eq!(m.vocab.terms(), vec!["y", "z"]);
    }

    #[test]
    fn empty_and_overpruned_are_errors() {
        let mut locals = vec![count(&[&[], &[]])];
        assert!(merge(&mut locals, 2, &Pruning::default(), 1).is_err());
        let mut locals = vec![count(&[&["a"], &["b"]])];
        let p = Pruning {
            min_df: DfBound::Count(2),
            ..Default::default()
        };
        assert!(merge(&mut locals, 2, &p, 1).is_err());
    }

    #[test]
    fn vocabulary_rejects_bad_mappings() {
        assert!(Vocabulary::from_terms(["a", "a"]).is_err());
        assert!(Vocabulary::from_mapping(vec![("a".into(), 0), ("b".into(), 2)]).is_err());
        let v = Vocabulary::from_mapping(vec![("b".into(), 1), ("a".into(), 0)]).unwrap();
        assert_eq!(v.terms(), vec!["a", "b"]);
    }
}
