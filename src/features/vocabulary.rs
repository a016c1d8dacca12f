//! Vocabularies and the counting pass that builds them.
//!
//! Fitting runs in three steps so that it parallelises without making the
//! result depend on the thread count:
//! 1. each worker counts its contiguous slice of documents against a *local*
//!    vocabulary (an [`Interner`]: term -> local id), storing per-document
//!    (id, count) pairs;
//! 2. the local vocabularies are merged — in parallel, by hash shard — then
//!    pruned by `min_df`/`max_df`/`max_features` and sorted alphabetically
//!    (scikit-learn orders features by term);
//! 3. each worker maps its local ids to final columns and emits its rows.
//!
//! With one worker, step 2 skips the merge: the local vocabulary is global.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::features::interner::{hash_str, Interner};
use crate::parallel::{install, map_ranges};

/// A term -> column map with contiguous columns `0..len`.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// The interned terms. Usually term id == column; after a fit that
    /// pruned little, the fit's own interner is kept (no copy) and the two
    /// maps below translate.
    terms: Interner,
    /// id -> column (`u32::MAX`: pruned); empty means identity.
    id_to_col: Vec<u32>,
    /// column -> id; empty means identity.
    col_to_id: Vec<u32>,
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
        })
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
        let id = self.terms.find(term)?;
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
    pub terms: Interner,
    pub row_nnz: Vec<u32>,
    pub ids: Vec<u32>,
    pub counts: Vec<u32>,
    dense: Vec<u32>,
    touched: Vec<u32>,
    trie: WordTrie,
    wb: WordCache,
}

/// `char_wb` n-grams never cross words, so a word's n-gram ids are computed
/// once and replayed for its later occurrences (most word occurrences are
/// repeats). Bounded: past [`WordCache::MAX_WORDS`] new words are analysed
/// without being cached.
#[derive(Default)]
struct WordCache {
    words: Interner,
    spans: Vec<(u32, u32)>,
    ids: Vec<u32>,
    padded: String,
    bounds: Vec<usize>,
    grams: Vec<u32>,
}

impl WordCache {
    const MAX_WORDS: usize = 1 << 20;
}

/// Word n-grams as a trie of integer keys: a token is interned once per
/// occurrence, and an n-gram is found by `(id of its first n-1 tokens, id of
/// its last token)` in a `u64`-keyed map. Only an n-gram seen for the first
/// time is joined into a string. This replaces, for every bigram occurrence,
/// a string join + string hash + byte comparison against the arena.
#[derive(Default)]
struct WordTrie {
    tokens: Interner,
    /// `levels[k]`: (node of the (k+1)-gram prefix, last token) -> node of
    /// the (k+2)-gram.
    levels: Vec<FxHashMap<u64, u32>>,
    tids: Vec<u32>,
    nodes: Vec<u32>,
    join: String,
}

impl LocalCounts {
    /// Count one n-gram of the current document.
    #[inline]
    pub fn add(&mut self, gram: &str) {
        let (id, new) = self
            .terms
            .intern_hashed(gram, crate::features::interner::hash_str(gram));
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
    pub fn add_word_ngrams(&mut self, toks: &[&str], min_n: usize, max_n: usize) {
        let mut trie = std::mem::take(&mut self.trie);
        let len = toks.len();
        // With unigrams among the terms, a token's id is its term id, so a
        // unigram costs one lookup. Otherwise tokens get ids of their own.
        let unigrams = min_n == 1;
        trie.tids.clear();
        for t in toks {
            let tid = if unigrams {
                let (id, new) = self
                    .terms
                    .intern_hashed(t, crate::features::interner::hash_str(t));
                if new {
                    self.dense.push(0);
                }
                self.bump(id);
                id
            } else {
                trie.tokens.intern(t)
            };
            trie.tids.push(tid);
        }
        if trie.levels.len() + 1 < max_n {
            trie.levels.resize_with(max_n - 1, FxHashMap::default);
        }
        trie.nodes.clear();
        trie.nodes.extend_from_slice(&trie.tids);
        for n in 2..=max_n.min(len) {
            let is_term = n >= min_n;
            for i in 0..=(len - n) {
                let key = (u64::from(trie.nodes[i]) << 32) | u64::from(trie.tids[i + n - 1]);
                // A level's values are term ids once n-grams of that size are
                // terms, otherwise level-local node ids (prefixes only).
                let node = match trie.levels[n - 2].get(&key) {
                    Some(&v) => v,
                    None => {
                        let v = if is_term {
                            trie.join.clear();
                            for (k, t) in toks[i..i + n].iter().enumerate() {
                                if k > 0 {
                                    trie.join.push(' ');
                                }
                                trie.join.push_str(t);
                            }
                            // Tokens hold no spaces, so a joined n-gram is new
                            // exactly when its key is.
                            let hash = crate::features::interner::hash_str(&trie.join);
                            self.dense.push(0);
                            self.terms.push_new(&trie.join, hash)
                        } else {
                            trie.levels[n - 2].len() as u32
                        };
                        trie.levels[n - 2].insert(key, v);
                        v
                    }
                };
                trie.nodes[i] = node;
                if is_term {
                    self.bump(node);
                }
            }
        }
        self.trie = trie;
    }

    /// Count the `char_wb` n-grams of one (normalised) document.
    pub fn add_char_wb(&mut self, spec: &crate::features::ngrams::AnalyzerSpec, text: &str) {
        use crate::features::interner::hash_str;
        use crate::features::ngrams::{for_each_wb_word, wb_word_grams};
        let mut wb = std::mem::take(&mut self.wb);
        let WordCache {
            words,
            spans,
            ids,
            padded,
            bounds,
            grams,
        } = &mut wb;
        for_each_wb_word(text, |w| {
            let h = hash_str(w);
            if let Some(wid) = words.find_hashed(w, h) {
                let (start, len) = spans[wid as usize];
                for k in start..start + len {
                    self.bump(ids[k as usize]);
                }
                return;
            }
            grams.clear();
            wb_word_grams(spec, w, padded, bounds, &mut |g| {
                let (id, new) = self.terms.intern_hashed(g, hash_str(g));
                if new {
                    self.dense.push(0);
                }
                grams.push(id);
            });
            for &id in grams.iter() {
                self.bump(id);
            }
            if words.len() < WordCache::MAX_WORDS {
                words.push_new(w, h);
                spans.push((ids.len() as u32, grams.len() as u32));
                ids.extend_from_slice(grams);
            }
        });
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

    /// Release the scratch buffers once counting is done.
    pub fn finish(&mut self) {
        self.dense = Vec::new();
        self.touched = Vec::new();
        self.trie = WordTrie::default();
        self.wb = WordCache::default();
    }

    /// Document and total frequency of every local term.
    fn frequencies(&self) -> (Vec<u64>, Vec<u64>) {
        let mut df = vec![0u64; self.terms.len()];
        let mut tf = vec![0u64; self.terms.len()];
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

/// The merged, pruned vocabulary of one block plus, for each worker, the
/// map from its local ids to final columns (`u32::MAX` = pruned).
pub struct Merged {
    pub vocab: Vocabulary,
    pub df: Vec<u64>,
    pub local_to_col: Vec<Vec<u32>>,
}

/// Candidate terms after merging: `parts` of interners, addressed by a
/// global id = `offsets[part] + local id`.
struct Candidates {
    parts: Vec<Interner>,
    offsets: Vec<u32>,
    df: Vec<u64>,
    tf: Vec<u64>,
    /// For each worker, local id -> global id (`None`: identity).
    local_to_global: Vec<Option<Vec<u32>>>,
}

impl Candidates {
    fn locate(&self, g: u32) -> (usize, u32) {
        let p = self.offsets.partition_point(|&o| o <= g) - 1;
        (p, g - self.offsets[p])
    }
}

/// `(min_df, max_df)` as document counts for a corpus of `n_docs`.
fn df_bounds(pruning: &Pruning, n_docs: usize) -> Result<(f64, f64)> {
    let high = pruning.max_df.resolve(n_docs);
    let low = pruning.min_df.resolve(n_docs);
    if high < low {
        return Err(Error::param(
            "max_df",
            "max_df corresponds to fewer documents than min_df",
        ));
    }
    Ok((low, high))
}

/// Merge workers' local counts into one sorted, pruned vocabulary.
pub fn merge(
    locals: &mut [LocalCounts],
    n_docs: usize,
    pruning: &Pruning,
    threads: usize,
) -> Result<Merged> {
    let (low, high) = df_bounds(pruning, n_docs)?;
    let cand = if locals.len() == 1 {
        let (df, tf) = locals[0].frequencies();
        Candidates {
            parts: vec![std::mem::take(&mut locals[0].terms)],
            offsets: vec![0],
            df,
            tf,
            local_to_global: vec![None],
        }
    } else if locals.len() <= 2 {
        merge_into_first(locals)
    } else {
        sharded_merge(locals, threads)?
    };
    select(cand, low, high, pruning, threads)
}

/// Prune and sort totals gathered by a streaming fit ([`StreamCounts`]):
/// the same selection as [`merge`], so a streamed vocabulary equals the one
/// fitted on all documents at once.
pub fn select_totals(
    totals: &StreamCounts,
    n_docs: usize,
    pruning: &Pruning,
    threads: usize,
) -> Result<(Vocabulary, Vec<u64>)> {
    let (low, high) = df_bounds(pruning, n_docs)?;
    let cand = Candidates {
        parts: vec![totals.terms.clone()],
        offsets: vec![0],
        df: totals.df.clone(),
        tf: totals.tf.clone(),
        local_to_global: vec![None],
    };
    let m = select(cand, low, high, pruning, threads)?;
    Ok((m.vocab, m.df))
}

fn select(
    cand: Candidates,
    low: f64,
    high: f64,
    pruning: &Pruning,
    threads: usize,
) -> Result<Merged> {
    let n_terms = cand.df.len();
    // Prune by document frequency first: sorting only survivors is cheaper
    // and gives the same order scikit-learn gets by sorting first.
    let mut kept: Vec<u32> = (0..n_terms as u32)
        .filter(|&t| {
            let d = cand.df[t as usize] as f64;
            d <= high && d >= low
        })
        .collect();
    let loc: Vec<(usize, u32)> = if cand.parts.len() == 1 {
        Vec::new()
    } else {
        (0..n_terms as u32).map(|g| cand.locate(g)).collect()
    };
    let term = |g: u32| -> &str {
        if loc.is_empty() {
            cand.parts[0].get(g)
        } else {
            let (p, l) = loc[g as usize];
            cand.parts[p].get(l)
        }
    };
    let hash = |g: u32| -> u64 {
        if loc.is_empty() {
            cand.parts[0].hash_of(g)
        } else {
            let (p, l) = loc[g as usize];
            cand.parts[p].hash_of(l)
        }
    };
    sort_terms(&mut kept, &term, threads)?;
    if let Some(limit) = pruning.max_features {
        if kept.len() > limit {
            // most frequent first; ties keep alphabetical order (stable sort)
            let mut by_tf = kept.clone();
            by_tf.sort_by(|&a, &b| cand.tf[b as usize].cmp(&cand.tf[a as usize]));
            by_tf.truncate(limit);
            let mut keep = vec![false; n_terms];
            by_tf.iter().for_each(|&t| keep[t as usize] = true);
            kept.retain(|&t| keep[t as usize]);
        }
    }
    if kept.is_empty() {
        return Err(Error::InvalidInput(
            if n_terms == 0 {
                "empty vocabulary: the documents produced no terms (are they empty or only stop words?)"
            } else {
                "after pruning, no terms remain; try a lower min_df or a higher max_df"
            }
            .into(),
        ));
    }
    let mut global_to_col = vec![u32::MAX; n_terms];
    let mut final_df = Vec::with_capacity(kept.len());
    for (col, &g) in kept.iter().enumerate() {
        global_to_col[g as usize] = col as u32;
        final_df.push(cand.df[g as usize]);
    }
    // Keep the fit's own interner when it is one part and most terms
    // survive (no copy); otherwise copy the survivors into a compact one.
    let reuse = cand.parts.len() == 1 && kept.len() * 4 >= n_terms * 3;
    let vocab = if reuse {
        Vocabulary {
            terms: Interner::default(),
            id_to_col: global_to_col.clone(),
            col_to_id: kept.clone(),
        }
    } else {
        let bytes: usize = kept.iter().map(|&g| term(g).len()).sum();
        let mut it = Interner::with_capacity(kept.len(), bytes);
        for &g in &kept {
            it.push_new(term(g), hash(g));
        }
        Vocabulary {
            terms: it,
            id_to_col: Vec::new(),
            col_to_id: Vec::new(),
        }
    };
    drop(loc);
    let mut vocab = vocab;
    let mut cand = cand;
    if reuse {
        vocab.terms = cand.parts.pop().expect("one part");
    }
    let local_to_col = cand
        .local_to_global
        .into_iter()
        .map(|m| match m {
            None => global_to_col.clone(),
            Some(v) => v.into_iter().map(|g| global_to_col[g as usize]).collect(),
        })
        .collect();
    Ok(Merged {
        vocab,
        df: final_df,
        local_to_col,
    })
}

/// Sort global term ids alphabetically (byte order = code point order, as
/// Python sorts `str`). A 16-byte big-endian prefix decides most comparisons
/// without touching the term bytes (8 bytes is only 4 Arabic letters, and
/// many words share «ال» plus two letters).
fn sort_terms<'a>(
    ids: &mut [u32],
    term: &(dyn Fn(u32) -> &'a str + Sync),
    threads: usize,
) -> Result<()> {
    let prefix = |t: &str| -> u128 {
        let b = t.as_bytes();
        let mut p = [0u8; 16];
        let n = b.len().min(16);
        p[..n].copy_from_slice(&b[..n]);
        u128::from_be_bytes(p)
    };
    let mut keyed: Vec<(u128, u32)> = ids.iter().map(|&g| (prefix(term(g)), g)).collect();
    let cmp =
        |a: &(u128, u32), b: &(u128, u32)| a.0.cmp(&b.0).then_with(|| term(a.1).cmp(term(b.1)));
    if threads > 1 && keyed.len() > 100_000 {
        install(threads, || keyed.par_sort_unstable_by(cmp))?;
    } else {
        keyed.sort_unstable_by(cmp);
    }
    ids.iter_mut().zip(&keyed).for_each(|(d, k)| *d = k.1);
    Ok(())
}

/// Merge a few workers' vocabularies into the first one's: its interner
/// becomes the global one (ids unchanged), the others' terms are looked up
/// or added. With two workers this beats sharding, which re-interns every
/// term and must then copy the survivors into a new vocabulary.
fn merge_into_first(locals: &mut [LocalCounts]) -> Candidates {
    let (mut df, mut tf) = locals[0].frequencies();
    let mut global = std::mem::take(&mut locals[0].terms);
    let mut local_to_global = vec![None];
    for lc in locals[1..].iter_mut() {
        let (wdf, wtf) = lc.frequencies();
        let terms = std::mem::take(&mut lc.terms);
        let mut map = Vec::with_capacity(terms.len());
        for id in 0..terms.len() as u32 {
            let (g, new) = global.intern_hashed(terms.get(id), terms.hash_of(id));
            if new {
                df.push(0);
                tf.push(0);
            }
            df[g as usize] += wdf[id as usize];
            tf[g as usize] += wtf[id as usize];
            map.push(g);
        }
        local_to_global.push(Some(map));
    }
    Candidates {
        parts: vec![global],
        offsets: vec![0],
        df,
        tf,
        local_to_global,
    }
}

/// Merge several workers' vocabularies in parallel: terms are split into
/// shards by hash, each shard merged by one task, then shards laid end to end.
fn sharded_merge(locals: &mut [LocalCounts], threads: usize) -> Result<Candidates> {
    let n_shards = (threads * 8).next_power_of_two().max(8);
    let shard_of = |h: u64| ((h >> 40) as usize) & (n_shards - 1);
    // Per worker: frequencies, and its ids grouped by shard.
    // ((document frequencies, term frequencies), local ids by shard)
    type WorkerInfo = ((Vec<u64>, Vec<u64>), Vec<Vec<u32>>);
    let per_worker: Vec<WorkerInfo> = map_ranges(threads, locals.len(), locals.len(), |r| {
        let lc = &locals[r.start];
        let mut buckets = vec![Vec::new(); n_shards];
        for id in 0..lc.terms.len() as u32 {
            buckets[shard_of(lc.terms.hash_of(id))].push(id);
        }
        (lc.frequencies(), buckets)
    })?;
    let locals_ref: &[LocalCounts] = locals;
    // Per shard: merged interner, df/tf, and (worker, local id, shard id).
    type Shard = (Interner, Vec<u64>, Vec<u64>, Vec<(u32, u32, u32)>);
    let shards: Vec<Shard> = map_ranges(threads, n_shards, n_shards, |r| {
        let s = r.start;
        let mut it = Interner::default();
        let (mut df, mut tf) = (Vec::new(), Vec::new());
        let mut links = Vec::new();
        for (w, ((wdf, wtf), buckets)) in per_worker.iter().enumerate() {
            let lc = &locals_ref[w];
            for &id in &buckets[s] {
                let (sid, new) = it.intern_hashed(lc.terms.get(id), lc.terms.hash_of(id));
                if new {
                    df.push(0);
                    tf.push(0);
                }
                df[sid as usize] += wdf[id as usize];
                tf[sid as usize] += wtf[id as usize];
                links.push((w as u32, id, sid));
            }
        }
        (it, df, tf, links)
    })?;
    let mut offsets = Vec::with_capacity(n_shards);
    let mut acc = 0u32;
    for (it, ..) in &shards {
        offsets.push(acc);
        acc += it.len() as u32;
    }
    let mut local_to_global: Vec<Vec<u32>> =
        locals.iter().map(|l| vec![0u32; l.terms.len()]).collect();
    let mut df = Vec::with_capacity(acc as usize);
    let mut tf = Vec::with_capacity(acc as usize);
    let mut parts = Vec::with_capacity(n_shards);
    for (s, (it, sdf, stf, links)) in shards.into_iter().enumerate() {
        for (w, id, sid) in links {
            local_to_global[w as usize][id as usize] = offsets[s] + sid;
        }
        df.extend(sdf);
        tf.extend(stf);
        parts.push(it);
    }
    for lc in locals.iter_mut() {
        lc.terms = Interner::default(); // free local vocabularies early
    }
    Ok(Candidates {
        parts,
        offsets,
        df,
        tf,
        local_to_global: local_to_global.into_iter().map(Some).collect(),
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
        }
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
        let docs = ["بغداد  و بغداد\tطهران", "a", "", "ab ab abc", "بغداد"];
        for (lo, hi) in [(1, 1), (2, 5), (3, 3), (1, 8)] {
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
