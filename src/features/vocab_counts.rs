//! Step 1 of a vocabulary fit (see [`crate::features::vocabulary`]):
//! counting one worker's documents against a local vocabulary
//! ([`LocalCounts`], with its word-n-gram trie and `char_wb` word cache),
//! and summing counts across the chunks of a streaming fit
//! ([`StreamCounts`]). Kept apart from the vocabulary and its merge because
//! this is the per-token hot path, with scratch state of its own.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::features::char_trie::CharTrie;
use crate::features::id_map::{prefetch, prefetch_span, IdMap};
use crate::features::inline_map::{InlineMap, INLINE};
use crate::features::interner::{hash_str, Interner};
use crate::features::vocab_order::{TermTree, ROOT};
use crate::features::word_trie::{TrieTerms, WordTrie, AHEAD};

/// One worker's counts for one analyzer block.
#[derive(Default)]
pub struct LocalCounts {
    pub terms: Interner,
    pub row_nnz: Vec<u32>,
    pub ids: Vec<u32>,
    pub counts: Vec<u32>,
    dense: Vec<u32>,
    touched: Vec<u32>,
    trie: WordTrie,
    wb: WordCache,
    chars: CharTrie,
    /// How each term was built, while every term so far came from
    /// [`LocalCounts::add_word_ngrams`] with unigrams among the terms: it
    /// lets the merge order the vocabulary without sorting every string
    /// (see `vocab_order`). `None` once any term came another way.
    pub(crate) tree: Option<TermTree>,
}

/// `char_wb` n-grams never cross words, so a word's n-gram ids are computed
/// once and replayed for its later occurrences (most word occurrences are
/// repeats). Bounded: past [`WordCache::MAX_WORDS`] new words are analysed
/// without being cached.
#[derive(Default)]
struct WordCache {
    /// Words of up to `INLINE` bytes -> their span of `ids`.
    short: InlineMap,
    /// Longer words, and their spans of `ids` by word id.
    long: Interner,
    long_spans: Vec<(u32, u32)>,
    ids: Vec<u32>,
    grams: Vec<u32>,
    /// The current document's words (byte range, hash) ...
    doc: Vec<(usize, usize, u64)>,
    /// ... and the spans of `ids` to count for them.
    replay: Vec<(u32, u32)>,
}

impl WordCache {
    const MAX_WORDS: usize = 1 << 20;
}

impl LocalCounts {
    /// Count one n-gram of the current document.
    #[inline]
    pub fn add(&mut self, gram: &str) {
        self.tree = None;
        self.terms.index_pending();
        let (id, new) = self.terms.intern_hashed(gram, hash_str(gram));
        if new {
            self.dense.push(0);
        }
        self.bump(id);
    }

    #[inline]
    fn bump(&mut self, id: u32) {
        let slot = &mut self.dense[id as usize];
        if *slot == 0 {
            self.touched.push(id);
        }
        *slot += 1;
    }

    /// Count the word n-grams (`min_n..=max_n`) of one document's tokens;
    /// the same terms as joining every window with one space and calling
    /// [`LocalCounts::add`], faster.
    ///
    /// A block is counted either this way or through `add` /
    /// `add_char_wb`, never both: new tokens are recognised as new among
    /// the tokens seen here, not among all terms.
    pub fn add_word_ngrams(&mut self, toks: &[&str], min_n: usize, max_n: usize) {
        let mut trie = std::mem::take(&mut self.trie);
        let len = toks.len();
        // With unigrams among the terms, a token's trie id is its term id
        // (through `term_of`), so a unigram costs one lookup. Otherwise the
        // trie ids are the tokens' own.
        let unigrams = min_n == 1;
        if !unigrams {
            self.tree = None;
        } else if self.terms.is_empty() && self.tree.is_none() {
            self.tree = Some(TermTree::default());
        }
        // Tokens are looked up among the tokens only, not among all terms:
        // that table and its strings are a fifth the size, and the frequent
        // words (seen first) share cache lines instead of each sitting among
        // n-grams. New terms are appended unindexed, for the merge or the
        // fitted vocabulary to index in one sweep, if ever: counting finds
        // n-grams through the trie, not by their strings.
        trie.tids.clear();
        for t in toks {
            let h = hash_str(t);
            let (tid, new) = trie.tokens.intern_hashed(t, h);
            let tid = if !unigrams {
                tid
            } else if new {
                let id = self.terms.push_unindexed(t, h);
                trie.term_of.push(id);
                self.dense.push(0);
                if let Some(tree) = &mut self.tree {
                    tree.push(ROOT, id);
                }
                self.bump(id);
                id
            } else {
                let id = trie.term_of[tid as usize];
                self.bump(id);
                id
            };
            trie.tids.push(tid);
        }
        if trie.levels.len() + 1 < max_n {
            trie.levels.resize_with(max_n - 1, IdMap::default);
        }
        trie.nodes.clear();
        trie.nodes.extend_from_slice(&trie.tids);
        for n in 2..=max_n.min(len) {
            let is_term = n >= min_n;
            // Keys and hashes first, so that each slot is prefetched
            // `AHEAD` lookups before it is read: the lookups of rare
            // n-grams are misses to memory, which then overlap.
            trie.keys.clear();
            trie.keys.extend((0..=(len - n)).map(|i| {
                let key = (u64::from(trie.nodes[i]) << 32) | u64::from(trie.tids[i + n - 1]);
                (key, IdMap::hash(key))
            }));
            for i in 0..=(len - n) {
                if let Some(&(_, h)) = trie.keys.get(i + AHEAD) {
                    trie.levels[n - 2].prefetch(h);
                }
                let (key, hash) = trie.keys[i];
                // A level's values are term ids once n-grams of that size are
                // terms, otherwise level-local node ids (prefixes only).
                let node = trie.levels[n - 2].get_or_insert_with(key, hash, |len| {
                    if is_term {
                        trie.join.clear();
                        for (k, t) in toks[i..i + n].iter().enumerate() {
                            if k > 0 {
                                trie.join.push(' ');
                            }
                            trie.join.push_str(t);
                        }
                        // Tokens hold no spaces, so a joined n-gram is new
                        // exactly when its key is.
                        let hash = hash_str(&trie.join);
                        self.dense.push(0);
                        if let Some(tree) = &mut self.tree {
                            // With unigrams among the terms, the node of
                            // the (n-1)-gram at `i` is a term id.
                            tree.push(trie.nodes[i], trie.tids[i + n - 1]);
                        }
                        self.terms.push_unindexed(&trie.join, hash)
                    } else {
                        len as u32
                    }
                });
                trie.nodes[i] = node;
            }
            if is_term {
                let grams = &trie.nodes[..=(len - n)];
                for (i, &node) in grams.iter().enumerate() {
                    if let Some(&ahead) = grams.get(i + AHEAD) {
                        if let Some(slot) = self.dense.get(ahead as usize) {
                            prefetch(slot);
                        }
                    }
                    self.bump(node);
                }
            }
        }
        self.trie = trie;
    }

    /// Count the `char_wb` n-grams of one (normalised) document. A block
    /// counted this way is counted only this way: its terms are found
    /// through a character trie (`char_trie`), which must have made each.
    pub fn add_char_wb(&mut self, spec: &crate::features::ngrams::AnalyzerSpec, text: &str) {
        self.tree = None;
        use crate::features::ngrams::wb_word_spans;
        let mut wb = std::mem::take(&mut self.wb);
        let WordCache {
            short,
            long,
            long_spans,
            ids,
            grams,
            doc,
            replay,
        } = &mut wb;
        // The words and their hashes first, so that each word's slot is
        // prefetched `AHEAD` words before it is looked up; the hits' ids are
        // prefetched when found and counted after the last word. Misses to
        // memory then overlap instead of following one another.
        doc.clear();
        replay.clear();
        wb_word_spans(text, doc);
        for i in 0..doc.len() {
            if let Some(&(s, e, h)) = doc.get(i + AHEAD) {
                if e - s <= INLINE {
                    short.prefetch(h);
                }
            }
            let (s, e, h) = doc[i];
            let w = &text[s..e];
            let hit = if w.len() <= INLINE {
                short.get(w, h).map(|(start, n)| (start, u32::from(n)))
            } else {
                long.find_hashed(w, h).map(|wid| long_spans[wid as usize])
            };
            if let Some((start, n)) = hit {
                prefetch_span(&ids[start as usize..(start + n) as usize]);
                replay.push((start, n));
                continue;
            }
            grams.clear();
            let dense = &mut self.dense;
            self.chars
                .word_grams(spec, w, &mut self.terms, &mut || dense.push(0), grams);
            if short.len() + long.len() < WordCache::MAX_WORDS {
                let (start, n) = (ids.len() as u32, grams.len() as u32);
                ids.extend_from_slice(grams);
                if w.len() <= INLINE {
                    // at most 20 characters, padded to 22: at most 22 * 23 / 2
                    // n-grams, which fits a u16
                    short.insert_new(w, h, start, n as u16);
                } else {
                    long.push_new(w, h);
                    long_spans.push((start, n));
                }
                replay.push((start, n));
            } else {
                for &id in grams.iter() {
                    self.bump(id);
                }
            }
        }
        for &(start, n) in replay.iter() {
            for &id in &ids[start as usize..(start + n) as usize] {
                self.bump(id);
            }
        }
        self.wb = wb;
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

    /// Release the scratch buffers once counting is done. The word trie is
    /// kept while it describes every term, for the merge to find terms by
    /// (`LocalCounts::trie_terms`; it drops the trie). Terms appended
    /// unindexed while counting (word n-grams, `char_wb` n-grams) stay so:
    /// a one-worker fit never looks its terms up by string (the fitted
    /// vocabulary indexes them on its first lookup), a two-worker merge
    /// indexes only the first worker's, and a merge of more workers goes
    /// by the stored hashes. Nothing may be counted after this: the
    /// counting arrays and the tries that know the terms are dropped
    /// (`count_local` makes new counts for every fit and streamed chunk).
    pub fn finish(&mut self) {
        self.dense = Vec::new();
        self.touched = Vec::new();
        self.wb = WordCache::default();
        self.chars = CharTrie::default();
        if self.trie_terms().is_none() {
            self.trie = WordTrie::default();
        } else {
            let t = &mut self.trie;
            (t.tids, t.nodes, t.keys, t.join) = Default::default();
        }
    }

    /// The word trie and n-gram tree, when they describe every term.
    pub(crate) fn trie_terms(&self) -> Option<TrieTerms<'_>> {
        let tt = TrieTerms {
            trie: &self.trie,
            tree: self.tree.as_ref()?,
        };
        tt.covers(self.terms.len()).then_some(tt)
    }

    /// Free the word trie (once the merge is done with it).
    pub(crate) fn drop_trie(&mut self) {
        self.trie = WordTrie::default();
    }

    /// Document and total frequency of every local term.
    pub(crate) fn frequencies(&self) -> (Vec<u64>, Vec<u64>) {
        self.frequencies_with_room(0, true)
    }

    /// [`LocalCounts::frequencies`] in vectors with room for `extra` more
    /// terms, so that a merge appending terms moves nothing; without
    /// `with_tf` the term frequencies are left empty (one array of
    /// millions fewer to fill at random).
    pub(crate) fn frequencies_with_room(
        &self,
        extra: usize,
        with_tf: bool,
    ) -> (Vec<u64>, Vec<u64>) {
        let n = self.terms.len();
        let mut df = Vec::with_capacity(n + extra);
        df.resize(n, 0u64);
        if !with_tf {
            for &id in &self.ids {
                df[id as usize] += 1;
            }
            return (df, Vec::new());
        }
        let mut tf = Vec::with_capacity(n + extra);
        tf.resize(n, 0u64);
        for (&id, &c) in self.ids.iter().zip(&self.counts) {
            df[id as usize] += 1;
            tf[id as usize] += u64::from(c);
        }
        (df, tf)
    }
}

/// Document and term frequencies of one analyzer block summed over the
/// chunks of a streaming fit. Candidate terms are kept until the end (the
/// pruning needs the final totals), so memory grows with the number of
/// distinct n-grams, not with the number of documents.
#[derive(Clone, Debug, Default)]
pub struct StreamCounts {
    pub terms: Interner,
    pub df: Vec<u64>,
    pub tf: Vec<u64>,
}

impl StreamCounts {
    /// Add one worker's counts of a chunk.
    pub fn absorb(&mut self, lc: &LocalCounts) {
        let (df, tf) = lc.frequencies();
        for (id, term) in lc.terms.iter().enumerate() {
            self.add(term, lc.terms.hash_of(id as u32), df[id], tf[id]);
        }
    }

    /// Add another stream's totals (counts gathered elsewhere, e.g. on
    /// another worker of a cluster).
    pub fn merge(&mut self, other: &StreamCounts) {
        for (id, term) in other.terms.iter().enumerate() {
            let id32 = id as u32;
            self.add(term, other.terms.hash_of(id32), other.df[id], other.tf[id]);
        }
    }

    fn add(&mut self, term: &str, hash: u64, df: u64, tf: u64) {
        let (g, new) = self.terms.intern_hashed(term, hash);
        if new {
            self.df.push(0);
            self.tf.push(0);
        }
        self.df[g as usize] += df;
        self.tf[g as usize] += tf;
    }

    /// Totals of one term (zeros when unseen).
    pub fn get(&self, term: &str) -> (u64, u64) {
        self.terms
            .find(term)
            .map_or((0, 0), |g| (self.df[g as usize], self.tf[g as usize]))
    }
}

/// Serialised as parallel lists (terms, df, tf): what crosses process
/// boundaries when partial counts are merged on a cluster.
impl Serialize for StreamCounts {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> std::result::Result<Ser::Ok, Ser::Error> {
        let terms: Vec<&str> = self.terms.iter().collect();
        (terms, &self.df, &self.tf).serialize(s)
    }
}

impl<'de> Deserialize<'de> for StreamCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let (terms, df, tf): (Vec<String>, Vec<u64>, Vec<u64>) = Deserialize::deserialize(d)?;
        if df.len() != terms.len() || tf.len() != terms.len() {
            return Err(serde::de::Error::custom(
                "stream counts: list lengths differ",
            ));
        }
        let mut out = StreamCounts::default();
        for (i, t) in terms.iter().enumerate() {
            out.add(t, hash_str(t), df[i], tf[i]);
        }
        Ok(out)
    }
}
