//! The word n-gram trie a worker counts through
//! ([`crate::features::vocab_counts`]), and finding another worker's terms
//! in it when two workers' vocabularies are merged
//! ([`crate::features::vocab_merge`]).
//!
//! Merging by the trie instead of by the terms' strings: a unigram is
//! looked up among the tokens only (a fifth of the terms, their strings
//! compact), and an n-gram by one integer key in a table whose slots are
//! prefetched a few lookups ahead. Looking up every term's string in the
//! whole vocabulary costs several dependent cache misses per term instead.

use crate::error::Result;
use crate::features::id_map::IdMap;
use crate::features::interner::Interner;
use crate::features::vocab_order::{TermTree, ROOT};
use crate::parallel::map_ranges;

/// Word n-grams as a trie of integer keys: a token is interned once per
/// occurrence, and an n-gram is found by `(id of its first n-1 tokens, id of
/// its last token)` in a `u64`-keyed map. Only an n-gram seen for the first
/// time is joined into a string. This replaces, for every bigram occurrence,
/// a string join + string hash + byte comparison against the arena.
#[derive(Default)]
pub(crate) struct WordTrie {
    pub tokens: Interner,
    /// With unigrams among the terms: the term id of each token.
    pub term_of: Vec<u32>,
    /// `levels[k]`: (node of the (k+1)-gram prefix, last token) -> node of
    /// the (k+2)-gram. With unigrams among the terms, tokens and nodes are
    /// term ids.
    pub levels: Vec<IdMap>,
    pub tids: Vec<u32>,
    pub nodes: Vec<u32>,
    /// One level's keys of the current document and their hashes.
    pub keys: Vec<(u64, u64)>,
    pub join: String,
}

/// How many lookups ahead a trie slot or a count is prefetched: far enough
/// for a miss to memory to complete meanwhile, near enough to stay cached.
pub(crate) const AHEAD: usize = 8;

/// A worker's terms as the merge sees them: counted through `trie` with
/// unigrams among the terms, so that `tree` describes every term.
pub(crate) struct TrieTerms<'a> {
    pub trie: &'a WordTrie,
    pub tree: &'a TermTree,
}

impl TrieTerms<'_> {
    /// Whether the trie and tree describe all `n_terms` terms (a block
    /// counted only through `add_word_ngrams` with unigrams).
    pub fn covers(&self, n_terms: usize) -> bool {
        self.tree.len() == n_terms && self.trie.term_of.len() == self.trie.tokens.len()
    }
}

/// For each term of `second`, its term id in `first`, or `u32::MAX` where
/// `first` lacks it. Both must [`TrieTerms::covers`] their terms. Terms are
/// resolved depth by depth (an n-gram needs its prefix's id), each depth on
/// all threads.
pub(crate) fn find_terms(
    first: &TrieTerms<'_>,
    second: &TrieTerms<'_>,
    threads: usize,
) -> Result<Vec<u32>> {
    const NONE: u32 = u32::MAX;
    let (t1, t2) = (first.trie, second.trie);
    let tree = second.tree;
    let n = tree.len();
    // Unigrams: the second worker's tokens among the first's.
    let found = map_ranges(threads, t2.tokens.len(), threads, |r| {
        r.map(|tid| {
            let tid = tid as u32;
            t1.tokens
                .find_hashed(t2.tokens.get(tid), t2.tokens.hash_of(tid))
                .unwrap_or(NONE)
        })
        .collect::<Vec<u32>>()
    })?;
    // `map[term]`: the term's id in `first`. With unigrams among the terms
    // a trie key is made of term ids, so resolved unigrams and prefixes
    // give the keys of the next depth.
    let mut map = vec![NONE; n];
    for (tid2, tid1) in found.into_iter().flatten().enumerate() {
        if tid1 != NONE {
            map[t2.term_of[tid2] as usize] = t1.term_of[tid1 as usize];
        }
    }
    // Depth of each term (1 for a unigram); a parent's id is below its
    // child's, so one pass in id order does.
    let max_depth = t2.levels.len().min(t1.levels.len()) + 1;
    let depth: Vec<u32> = if max_depth <= 2 {
        Vec::new() // every non-unigram is a bigram
    } else {
        let mut d = vec![1u32; n];
        for t in 0..n {
            let p = tree.parent[t];
            if p != ROOT {
                d[t] = d[p as usize] + 1;
            }
        }
        d
    };
    let depth_of = |t: usize| -> usize {
        if tree.parent[t] == ROOT {
            1
        } else if depth.is_empty() {
            2
        } else {
            depth[t] as usize
        }
    };
    for d in 2..=max_depth {
        let level = &t1.levels[d - 2];
        let prev = &map;
        let parts = map_ranges(threads, n, threads * 4, |r| {
            let mut out: Vec<u32> = prev[r.clone()].to_vec();
            // Each slot is prefetched `AHEAD` lookups before it is read,
            // through a ring of the keys in flight.
            let mut ring = [(0u32, 0u64, 0u64); AHEAD];
            let mut in_flight = 0usize;
            let look = |(at, key, hash): (u32, u64, u64), out: &mut [u32]| {
                if let Some(g) = level.get(key, hash) {
                    out[at as usize] = g;
                }
            };
            for t in r.clone() {
                if depth_of(t) != d {
                    continue;
                }
                let (p, l) = (prev[tree.parent[t] as usize], prev[tree.last[t] as usize]);
                if p == NONE || l == NONE {
                    continue; // a part is new to `first`, so is the n-gram
                }
                let key = (u64::from(p) << 32) | u64::from(l);
                let hash = IdMap::hash(key);
                level.prefetch(hash);
                let slot = &mut ring[in_flight % AHEAD];
                if in_flight >= AHEAD {
                    look(*slot, &mut out);
                }
                *slot = ((t - r.start) as u32, key, hash);
                in_flight += 1;
            }
            for k in in_flight.saturating_sub(AHEAD)..in_flight {
                look(ring[k % AHEAD], &mut out);
            }
            out
        })?;
        map = parts.concat();
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use crate::features::vocab_counts::LocalCounts;

    // `find_terms` against string lookups: `vocab_order`'s tests, which
    // have the documents to count.

    #[test]
    fn a_worker_without_unigram_terms_keeps_no_trie_for_the_merge() {
        let mut lc = LocalCounts::default();
        lc.add_word_ngrams(&["a", "b", "c"], 2, 3);
        lc.end_doc();
        lc.finish();
        assert!(lc.trie_terms().is_none());
        // ... and its terms are left unindexed, for the merge (or the
        // fitted vocabulary's first lookup) to index.
        assert!(!lc.terms.is_indexed());
        lc.terms.index_pending();
        assert!(lc.terms.find("a b").is_some());
    }
}
