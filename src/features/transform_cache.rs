//! Transform-time counting for [`TextVectorizer`]: the per-document loop
//! that counts a document against the fitted vocabularies, and what keeps
//! it fast on small calls — the dense accumulator, the word n-gram and
//! `char_wb` column caches, and the pool of warm workers reused between
//! calls. Kept apart from the vectorizer's fit and weighting because these
//! caches only memoise lookups: nothing here changes what a transform
//! returns.

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::features::csr::RowBlock;
use crate::features::interner::{hash_str, Interner};
use crate::features::ngrams::{
    for_each_ngram, for_each_wb_word, wb_word_grams, word_tokens, AnalyzerKind, AnalyzerSpec,
    Scratch,
};
use crate::features::vectorizer::TextVectorizer;
use crate::features::vocabulary::Vocabulary;
use crate::parallel::map_doc_parts;
use crate::text::{Normalizer, Tokenizer};

impl TextVectorizer {
    /// Raw counts of `docs` against the fitted vocabularies, one `RowBlock`
    /// per worker, columns sorted within each block segment.
    pub(crate) fn count_blocks<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        threads: usize,
    ) -> Result<Vec<RowBlock>> {
        self.counted_rows(
            docs,
            threads,
            true,
            RowBlock::default,
            |out, cols, counts| out.push_row(cols.iter().copied().zip(counts.iter().copied())),
        )
    }

    /// Count each document against the vocabularies and hand its row to
    /// `row` as (columns, counts), in document order within each worker's
    /// output (`make` builds one per worker). With `sorted = false` the
    /// columns are only grouped by block (all weighting needs), which saves
    /// a sort per document when rows go straight into a model.
    pub(crate) fn counted_rows<S, R, M, F>(
        &self,
        docs: &[S],
        threads: usize,
        sorted: bool,
        make: M,
        row: F,
    ) -> Result<Vec<R>>
    where
        S: AsRef<str> + Sync,
        R: Send,
        M: Fn() -> R + Sync,
        F: Fn(&mut R, &[u32], &mut [f64]) + Sync,
    {
        let normalizer = Normalizer::new(self.config.normalizer);
        let tokenizer = Tokenizer::new(self.config.tokenizer);
        let specs: Vec<AnalyzerSpec> = self.blocks.iter().map(|b| b.spec).collect();
        let offsets = self.offsets();
        let n_features = self.n_features();
        map_doc_parts(threads, docs, |r| {
            // a warm worker from earlier calls if there is one: its
            // caches make repeated words cheap and its dense counter
            // is already allocated (what single-document latency needs)
            let mut worker = self.pool.take(n_features);
            let Worker {
                acc,
                scratch,
                normalized,
                wb,
                wc,
            } = &mut worker;
            let mut out = make();
            let mut counts: Vec<f64> = Vec::new();
            for d in &docs[r] {
                let mut toks: Vec<&str> = Vec::new();
                normalizer.normalize_into(d.as_ref(), normalized);
                for (b, spec) in specs.iter().enumerate() {
                    let (vocab, off) = (&self.blocks[b].vocab, offsets[b]);
                    if spec.kind == AnalyzerKind::CharWb {
                        wb.columns(spec, vocab, normalized, |c| acc.bump(c + off));
                    } else if spec.kind == AnalyzerKind::Word {
                        toks.clear();
                        word_tokens(&tokenizer, self.stop_set(), normalized, &mut toks);
                        wc.columns(spec, vocab, &toks, |c| acc.bump(c + off));
                    } else {
                        for_each_ngram(
                            spec,
                            &tokenizer,
                            self.stop_set(),
                            normalized,
                            scratch,
                            &mut |g| {
                                if let Some(c) = vocab.get(g) {
                                    acc.bump(c + off);
                                }
                            },
                        );
                    }
                }
                let Acc { dense, touched } = &mut *acc;
                // Blocks are counted one after another and a column
                // belongs to one block, so `touched` is already grouped
                // by block, blocks in order.
                debug_assert!(touched.windows(2).all(|w| {
                    offsets.partition_point(|&o| o <= w[0])
                        <= offsets.partition_point(|&o| o <= w[1])
                }));
                if sorted {
                    // radix sort, as in hashing: hundreds of small integers
                    radsort::sort(touched);
                }
                counts.clear();
                counts.extend(
                    touched
                        .iter()
                        .map(|&c| f64::from(std::mem::take(&mut dense[c as usize]))),
                );
                row(&mut out, touched, &mut counts);
                touched.clear();
            }
            self.pool.give(worker);
            out
        })
    }
}

/// Everything one transform worker allocates: reused across calls through
/// [`WorkerPool`].
struct Worker {
    acc: Acc,
    scratch: Scratch,
    normalized: String,
    wb: WbCache,
    wc: WordCache,
}

impl Worker {
    /// Rough heap use of the caches, in entries.
    fn cache_entries(&self) -> usize {
        self.wb.words.len()
            + self.wb.cols.len()
            + self.wc.tokens.len()
            + self.wc.levels.iter().map(|l| l.len()).sum::<usize>()
    }
}

/// Warm workers kept between `transform` calls. Caches only memoise pure
/// lookups (word -> columns), so reusing them never changes a result; the
/// pool just saves the allocations and lookups that dominate the latency
/// of small calls. Workers whose caches grew past [`WorkerPool::KEEP`]
/// entries (a big batch) are dropped rather than kept, to bound memory.
#[derive(Default)]
pub(crate) struct WorkerPool(std::sync::Mutex<Vec<Worker>>);

impl WorkerPool {
    const KEEP: usize = 1 << 15;
    const MAX_IDLE: usize = 16;

    fn take(&self, n_features: usize) -> Worker {
        // try_lock, not lock: a process forked while another thread held
        // this lock inherits it locked forever; a busy lock only means a
        // cold worker (same results)
        let warm = self.0.try_lock().ok().and_then(|mut v| v.pop());
        warm.filter(|w| w.acc.dense.len() == n_features)
            .unwrap_or_else(|| Worker {
                acc: Acc {
                    dense: vec![0u32; n_features],
                    touched: Vec::new(),
                },
                scratch: Scratch::default(),
                normalized: String::new(),
                wb: WbCache::default(),
                wc: WordCache::default(),
            })
    }

    fn give(&self, w: Worker) {
        if w.cache_entries() > Self::KEEP {
            return;
        }
        if let Ok(mut v) = self.0.try_lock() {
            if v.len() < Self::MAX_IDLE {
                v.push(w);
            }
        }
    }
}

impl Clone for WorkerPool {
    /// A clone starts cold: caches are an optimisation, not state.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WorkerPool")
    }
}

/// Per-document counts over all columns: a dense counter plus the list of
/// columns touched, so resetting costs only what was used.
struct Acc {
    dense: Vec<u32>,
    touched: Vec<u32>,
}

impl Acc {
    #[inline]
    fn bump(&mut self, col: u32) {
        let slot = &mut self.dense[col as usize];
        if *slot == 0 {
            self.touched.push(col);
        }
        *slot += 1;
    }
}

/// Transform-time cache for word n-grams: token -> id, and per n-gram size
/// (prefix node, last token) -> node, each node remembering its column
/// (`NONE` if not in the vocabulary). A repeated n-gram then costs one
/// integer-keyed lookup instead of a string join, hash and comparison.
/// Bounded: the cache is dropped and rebuilt past [`WordCache::MAX_NODES`].
#[derive(Default)]
struct WordCache {
    tokens: Interner,
    token_col: Vec<u32>,
    levels: Vec<FxHashMap<u64, u32>>,
    node_col: Vec<Vec<u32>>,
    tids: Vec<u32>,
    nodes: Vec<u32>,
    join: String,
}

impl WordCache {
    const NONE: u32 = u32::MAX;
    const MAX_NODES: usize = 1 << 22;

    fn columns(
        &mut self,
        spec: &AnalyzerSpec,
        vocab: &Vocabulary,
        toks: &[&str],
        mut emit: impl FnMut(u32),
    ) {
        let size: usize = self.tokens.len() + self.levels.iter().map(|l| l.len()).sum::<usize>();
        if size > Self::MAX_NODES {
            *self = WordCache::default();
        }
        let (min_n, max_n, len) = (spec.min_n, spec.max_n, toks.len());
        if self.levels.len() + 1 < max_n {
            self.levels.resize_with(max_n - 1, FxHashMap::default);
            self.node_col.resize_with(max_n - 1, Vec::new);
        }
        self.tids.clear();
        for t in toks {
            let (tid, new) = self.tokens.intern_hashed(t, hash_str(t));
            if new {
                self.token_col.push(vocab.get(t).unwrap_or(Self::NONE));
            }
            self.tids.push(tid);
            if min_n == 1 {
                let c = self.token_col[tid as usize];
                if c != Self::NONE {
                    emit(c);
                }
            }
        }
        self.nodes.clear();
        self.nodes.extend_from_slice(&self.tids);
        for n in 2..=max_n.min(len) {
            for i in 0..=(len - n) {
                let key = (u64::from(self.nodes[i]) << 32) | u64::from(self.tids[i + n - 1]);
                let level = &mut self.levels[n - 2];
                let next = level.len() as u32;
                let node = *level.entry(key).or_insert(next);
                self.nodes[i] = node;
                let cols = &mut self.node_col[n - 2];
                if node as usize == cols.len() {
                    // first sighting: look the joined n-gram up once
                    self.join.clear();
                    for (k, t) in toks[i..i + n].iter().enumerate() {
                        if k > 0 {
                            self.join.push(' ');
                        }
                        self.join.push_str(t);
                    }
                    cols.push(vocab.get(&self.join).unwrap_or(Self::NONE));
                }
                let c = cols[node as usize];
                if n >= min_n && c != Self::NONE {
                    emit(c);
                }
            }
        }
    }
}

/// Transform-time cache for `char_wb`: word -> its n-grams' columns (only
/// those in the vocabulary), so a repeated word costs one lookup.
#[derive(Default)]
struct WbCache {
    words: Interner,
    spans: Vec<(u32, u32)>,
    cols: Vec<u32>,
    padded: String,
    bounds: Vec<usize>,
    fresh: Vec<u32>,
}

impl WbCache {
    const MAX_WORDS: usize = 1 << 20;

    fn columns(
        &mut self,
        spec: &AnalyzerSpec,
        vocab: &Vocabulary,
        text: &str,
        mut emit: impl FnMut(u32),
    ) {
        let WbCache {
            words,
            spans,
            cols,
            padded,
            bounds,
            fresh,
        } = self;
        for_each_wb_word(text, |w| {
            let h = hash_str(w);
            if let Some(wid) = words.find_hashed(w, h) {
                let (start, len) = spans[wid as usize];
                cols[start as usize..(start + len) as usize]
                    .iter()
                    .for_each(|&c| emit(c));
                return;
            }
            fresh.clear();
            wb_word_grams(spec, w, padded, bounds, &mut |g| {
                if let Some(c) = vocab.get(g) {
                    fresh.push(c);
                }
            });
            fresh.iter().for_each(|&c| emit(c));
            if words.len() < Self::MAX_WORDS {
                words.push_new(w, h);
                spans.push((cols.len() as u32, fresh.len() as u32));
                cols.extend_from_slice(fresh);
            }
        });
    }
}
