//! `TextVectorizer`: normalise -> analyse -> count -> TF-IDF -> CSR.
//!
//! Semantics follow scikit-learn's `TfidfVectorizer` (vocabulary sorted by
//! term, `min_df`/`max_df`/`max_features` pruning, the same weighting). One
//! vectorizer may hold several analyzer blocks (say word (1, 2) and char_wb
//! (2, 5)); each block has its own vocabulary and IDF and is normalised on its
//! own, exactly like a scikit-learn `FeatureUnion` of one `TfidfVectorizer`
//! per block, and the blocks sit side by side in one matrix. Each document is
//! normalised once for all blocks.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::csr::{CsrMatrix, Dtype, RowBlock};
use rustc_hash::FxHashMap;

use crate::features::interner::{hash_str, Interner};
use crate::features::ngrams::{
    build_stop_set, for_each_ngram, for_each_wb_word, wb_word_grams, word_tokens, AnalyzerKind,
    AnalyzerSpec, Scratch, StopSet,
};
use crate::features::tfidf::{idf, Weighting};
use crate::features::vocabulary::{merge, LocalCounts, Pruning, Vocabulary};
use crate::parallel::{map_given_ranges, map_ranges, ranges_by_weight, transform_parts};
use crate::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};

/// Everything that defines a `TextVectorizer` before fitting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextVectorizerConfig {
    pub analyzers: Vec<AnalyzerSpec>,
    pub normalizer: NormalizerConfig,
    pub tokenizer: TokenizerConfig,
    /// Stop words as given (normalised with `normalizer` when used).
    pub stop_words: Option<Vec<String>>,
    pub pruning: Pruning,
    pub weighting: Weighting,
    pub dtype: Dtype,
    /// A fixed vocabulary (single analyzer only): fitting learns IDF only.
    pub vocabulary: Option<Vocabulary>,
}

impl TextVectorizerConfig {
    pub fn validate(&self) -> Result<()> {
        if self.analyzers.is_empty() {
            return Err(Error::param("analyzer", "at least one analyzer is needed"));
        }
        for (i, a) in self.analyzers.iter().enumerate() {
            if self.analyzers[..i].iter().any(|b| b.kind == a.kind) {
                return Err(Error::param(
                    "analyzer",
                    format!(
                        "analyzer {:?} is listed twice; give each kind once",
                        a.kind.name()
                    ),
                ));
            }
        }
        if self.vocabulary.is_some() && self.analyzers.len() != 1 {
            return Err(Error::param(
                "vocabulary",
                "a fixed vocabulary needs exactly one analyzer",
            ));
        }
        if let Some(v) = &self.vocabulary {
            if v.is_empty() {
                return Err(Error::param("vocabulary", "the given vocabulary is empty"));
            }
        }
        self.pruning.min_df.validate("min_df")?;
        self.pruning.max_df.validate("max_df")?;
        if self.pruning.max_features == Some(0) {
            return Err(Error::param(
                "max_features",
                "must be a positive integer or None",
            ));
        }
        Ok(())
    }
}

/// One fitted analyzer block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedBlock {
    pub spec: AnalyzerSpec,
    pub vocab: Vocabulary,
    pub idf: Option<Vec<f64>>,
}

/// A fitted TF-IDF vectorizer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TextVectorizer {
    pub config: TextVectorizerConfig,
    pub blocks: Vec<FittedBlock>,
    pub n_docs: usize,
    #[serde(skip)]
    stop: Option<StopSet>,
    /// Warm transform workers kept between calls (never serialised).
    #[serde(skip)]
    pool: WorkerPool,
}

impl PartialEq for TextVectorizer {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config && self.blocks == other.blocks && self.n_docs == other.n_docs
    }
}

pub(crate) struct Ctx {
    normalizer: Normalizer,
    tokenizer: Tokenizer,
    stop: Option<StopSet>,
}

impl Ctx {
    pub(crate) fn new(config: &TextVectorizerConfig) -> Self {
        let normalizer = Normalizer::new(config.normalizer);
        let stop = config
            .stop_words
            .as_ref()
            .map(|w| build_stop_set(w, &normalizer));
        Self {
            normalizer,
            tokenizer: Tokenizer::new(config.tokenizer),
            stop,
        }
    }
}

/// Count every document's n-grams against per-worker local vocabularies
/// (one `LocalCounts` per analyzer block per worker, workers in document
/// order): the first step of a fit, shared with streaming fits.
pub(crate) fn count_local<S: AsRef<str> + Sync>(
    ctx: &Ctx,
    specs: &[AnalyzerSpec],
    docs: &[S],
    threads: usize,
) -> Result<Vec<Vec<LocalCounts>>> {
    let n_blocks = specs.len();
    let parts = threads.max(1);
    let weights: Vec<usize> = docs.iter().map(|d| d.as_ref().len() + 16).collect();
    let rs = ranges_by_weight(&weights, parts);
    map_given_ranges(threads, rs, |r| {
        let mut lcs: Vec<LocalCounts> = (0..n_blocks).map(|_| LocalCounts::default()).collect();
        let mut scratch = Scratch::default();
        let mut normalized = String::new();
        for d in &docs[r] {
            ctx.normalizer.normalize_into(d.as_ref(), &mut normalized);
            for (b, spec) in specs.iter().enumerate() {
                if spec.kind == AnalyzerKind::Word {
                    let mut toks = Vec::new();
                    word_tokens(&ctx.tokenizer, ctx.stop.as_ref(), &normalized, &mut toks);
                    lcs[b].add_word_ngrams(&toks, spec.min_n, spec.max_n);
                } else if spec.kind == AnalyzerKind::CharWb {
                    lcs[b].add_char_wb(spec, &normalized);
                } else {
                    let lc = &mut lcs[b];
                    for_each_ngram(
                        spec,
                        &ctx.tokenizer,
                        None,
                        &normalized,
                        &mut scratch,
                        &mut |g| lc.add(g),
                    );
                }
            }
            lcs.iter_mut().for_each(LocalCounts::end_doc);
        }
        lcs.iter_mut().for_each(LocalCounts::finish);
        lcs
    })
}

impl TextVectorizer {
    /// A fitted vectorizer from its parts (a streaming fit's result).
    pub fn from_blocks(
        config: TextVectorizerConfig,
        blocks: Vec<FittedBlock>,
        n_docs: usize,
    ) -> Self {
        let mut v = Self {
            config,
            blocks,
            n_docs,
            stop: None,
            pool: WorkerPool::default(),
        };
        v.restore();
        v
    }

    /// Learn vocabularies and IDF from `docs`; with `transform`, also return
    /// the document-term matrix of `docs` (computed in the same pass).
    pub fn fit<S: AsRef<str> + Sync>(
        config: TextVectorizerConfig,
        docs: &[S],
        threads: usize,
        transform: bool,
    ) -> Result<(Self, Option<CsrMatrix>)> {
        config.validate()?;
        if docs.is_empty() {
            return Err(Error::InvalidInput(
                "cannot fit on an empty corpus (0 documents)".into(),
            ));
        }
        let ctx = Ctx::new(&config);
        if let Some(vocab) = &config.vocabulary {
            return Self::fit_fixed(config.clone(), vocab.clone(), ctx, docs, threads, transform);
        }
        let specs = config.analyzers.clone();
        let n_blocks = specs.len();
        // Step 1: count against local vocabularies.
        let mut locals = count_local(&ctx, &specs, docs, threads)?;
        // Step 2: merge per block.
        let mut blocks = Vec::with_capacity(n_blocks);
        let mut maps = Vec::with_capacity(n_blocks);
        for (b, spec) in specs.iter().enumerate() {
            let mut per_worker: Vec<LocalCounts> = locals
                .iter_mut()
                .map(|l| std::mem::take(&mut l[b]))
                .collect();
            let merged =
                merge(&mut per_worker, docs.len(), &config.pruning, threads).map_err(|e| {
                    if n_blocks > 1 {
                        Error::InvalidInput(format!("analyzer {:?}: {e}", spec.kind.name()))
                    } else {
                        e
                    }
                })?;
            let idf = config
                .weighting
                .use_idf
                .then(|| idf(&merged.df, docs.len(), config.weighting.smooth_idf));
            blocks.push(FittedBlock {
                spec: *spec,
                vocab: merged.vocab,
                idf,
            });
            maps.push((merged.local_to_col, per_worker));
        }
        let model = Self {
            config,
            blocks,
            n_docs: docs.len(),
            stop: ctx.stop,
            pool: WorkerPool::default(),
        };
        if !transform {
            return Ok((model, None));
        }
        // Step 3: local ids -> columns, weigh, emit rows.
        let offsets = model.offsets();
        let workers = maps[0].1.len();
        let row_blocks = map_ranges(threads, workers, workers, |r| {
            let w = r.start;
            let mut out = RowBlock::default();
            // Upper bound of this worker's non-zeros: reserve once.
            let bound: usize = (0..n_blocks).map(|b| maps[b].1[w].ids.len()).sum();
            out.cols.reserve_exact(bound);
            out.vals.reserve_exact(bound);
            let mut cursors = vec![0usize; n_blocks];
            let n_rows = maps[0].1[w].row_nnz.len();
            // (column << 32 | count): sorting plain u64s orders by column.
            let mut keys: Vec<u64> = Vec::new();
            for doc in 0..n_rows {
                let row_start = out.cols.len();
                for b in 0..n_blocks {
                    let (to_col, lcs) = (&maps[b].0[w], &maps[b].1[w]);
                    let k = lcs.row_nnz[doc] as usize;
                    let at = cursors[b];
                    cursors[b] += k;
                    keys.clear();
                    keys.extend((at..at + k).filter_map(|j| {
                        let c = to_col[lcs.ids[j] as usize];
                        (c != u32::MAX).then(|| (u64::from(c) << 32) | u64::from(lcs.counts[j]))
                    }));
                    keys.sort_unstable();
                    let RowBlock { cols, vals, .. } = &mut out;
                    let s = cols.len();
                    for &key in &keys {
                        cols.push(((key >> 32) as u32 + offsets[b]) as i32);
                        vals.push((key & 0xFFFF_FFFF) as f64);
                    }
                    model.config.weighting.weigh_row(
                        &cols[s..],
                        i64::from(offsets[b]),
                        &mut vals[s..],
                        model.blocks[b].idf.as_deref(),
                    );
                }
                out.row_nnz.push(out.cols.len() - row_start);
            }
            out
        })?;
        let m = CsrMatrix::from_blocks(row_blocks, model.n_features(), model.config.dtype)?;
        Ok((model, Some(m)))
    }

    fn fit_fixed<S: AsRef<str> + Sync>(
        config: TextVectorizerConfig,
        vocab: Vocabulary,
        ctx: Ctx,
        docs: &[S],
        threads: usize,
        transform: bool,
    ) -> Result<(Self, Option<CsrMatrix>)> {
        let spec = config.analyzers[0];
        let mut model = Self {
            config,
            blocks: vec![FittedBlock {
                spec,
                vocab,
                idf: None,
            }],
            n_docs: docs.len(),
            stop: ctx.stop,
            pool: WorkerPool::default(),
        };
        let counts = model.count_blocks(docs, threads)?;
        if model.config.weighting.use_idf {
            let mut df = vec![0u64; model.blocks[0].vocab.len()];
            counts
                .iter()
                .flat_map(|rb| rb.cols.iter())
                .for_each(|&c| df[c as usize] += 1);
            model.blocks[0].idf = Some(idf(&df, docs.len(), model.config.weighting.smooth_idf));
        }
        let m = if transform {
            Some(model.weigh(counts)?)
        } else {
            None
        };
        Ok((model, m))
    }

    /// Column offset of each block in the output matrix.
    pub fn offsets(&self) -> Vec<u32> {
        let mut acc = 0u32;
        self.blocks
            .iter()
            .map(|b| {
                let o = acc;
                acc += b.vocab.len() as u32;
                o
            })
            .collect()
    }

    /// Total number of output columns.
    pub fn n_features(&self) -> usize {
        self.blocks.iter().map(|b| b.vocab.len()).sum()
    }

    fn stop_set(&self) -> Option<&StopSet> {
        self.stop.as_ref()
    }

    /// Rebuild derived state after deserialisation.
    pub fn restore(&mut self) {
        let ctx = Ctx::new(&self.config);
        self.stop = ctx.stop;
    }

    /// Raw counts of `docs` against the fitted vocabularies, one `RowBlock`
    /// per worker, columns sorted within each block segment.
    fn count_blocks<S: AsRef<str> + Sync>(
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
    fn counted_rows<S, R, M, F>(
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
        map_ranges(
            threads,
            docs.len(),
            transform_parts(threads, docs.len()),
            |r| {
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
                        touched.sort_unstable();
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
            },
        )
    }

    /// Weight one row of raw counts in place, block by block (columns
    /// grouped by block, blocks in order).
    fn weigh_row<C: Copy + Into<i64>>(&self, offsets: &[u32], cols: &[C], vals: &mut [f64]) {
        let w = self.config.weighting;
        let mut s = 0;
        for (b, block) in self.blocks.iter().enumerate() {
            let end = i64::from(offsets[b]) + block.vocab.len() as i64;
            let e = s + cols[s..].iter().take_while(|&&c| c.into() < end).count();
            w.weigh_row(
                &cols[s..e],
                i64::from(offsets[b]),
                &mut vals[s..e],
                block.idf.as_deref(),
            );
            s = e;
        }
    }

    /// Apply the weighting block by block to raw-count rows.
    fn weigh(&self, mut counts: Vec<RowBlock>) -> Result<CsrMatrix> {
        let offsets = self.offsets();
        for rb in &mut counts {
            let mut at = 0;
            for &k in &rb.row_nnz {
                let (cols, vals) = (&rb.cols[at..at + k], &mut rb.vals[at..at + k]);
                self.weigh_row(&offsets, cols, vals);
                at += k;
            }
        }
        CsrMatrix::from_blocks(counts, self.n_features(), self.config.dtype)
    }

    /// Document-term matrix of `docs`.
    pub fn transform<S: AsRef<str> + Sync>(&self, docs: &[S], threads: usize) -> Result<CsrMatrix> {
        let counts = self.count_blocks(docs, threads)?;
        self.weigh(counts)
    }

    /// Hand each document's weighted row (the values `transform` gives,
    /// in f64, columns in no particular order within their block) to `row`,
    /// without building a matrix: what a model needs to score text. Returns
    /// one `make()` output per worker, in document order.
    pub fn map_weighted_rows<S, R, M, F>(
        &self,
        docs: &[S],
        threads: usize,
        make: M,
        row: F,
    ) -> Result<Vec<R>>
    where
        S: AsRef<str> + Sync,
        R: Send,
        M: Fn() -> R + Sync,
        F: Fn(&mut R, &[u32], &[f64]) + Sync,
    {
        let offsets = self.offsets();
        self.counted_rows(docs, threads, false, make, |out, cols, vals| {
            self.weigh_row(&offsets, cols, vals);
            row(out, cols, vals)
        })
    }

    /// Feature names: the terms, prefixed with `"<analyzer>:"` when there
    /// is more than one block.
    pub fn feature_names(&self) -> Vec<String> {
        let prefix = self.blocks.len() > 1;
        let mut out = Vec::with_capacity(self.n_features());
        for b in &self.blocks {
            for t in b.vocab.terms() {
                out.push(if prefix {
                    format!("{}:{}", b.spec.kind.name(), t)
                } else {
                    t.to_string()
                });
            }
        }
        out
    }

    /// IDF of every column (blocks concatenated), if `use_idf`.
    pub fn idf(&self) -> Option<Vec<f64>> {
        let mut out = Vec::with_capacity(self.n_features());
        for b in &self.blocks {
            out.extend_from_slice(b.idf.as_deref()?);
        }
        Some(out)
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
struct WorkerPool(std::sync::Mutex<Vec<Worker>>);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::ngrams::AnalyzerKind;
    use crate::features::tfidf::Norm;
    use proptest::prelude::*;

    fn cfg(analyzers: Vec<AnalyzerSpec>) -> TextVectorizerConfig {
        TextVectorizerConfig {
            analyzers,
            normalizer: NormalizerConfig::arabic(),
            tokenizer: TokenizerConfig::default(),
            stop_words: None,
            pruning: Pruning::default(),
            weighting: Weighting::default(),
            dtype: Dtype::F64,
            vocabulary: None,
        }
    }

    fn word() -> AnalyzerSpec {
        AnalyzerSpec::new(AnalyzerKind::Word, 1, 2).unwrap()
    }

    const DOCS: [&str; 4] = [
        "بومبيو يهدد بإغلاق السفارة في بغداد",
        "الكاظمي يلتقي بومبيو في واشنطن",
        "Trump and Pompeo in Baghdad",
        "السفارة الأميركية في بغداد",
    ];

    #[test]
    fn weighted_rows_have_the_entries_of_transform() {
        let specs = vec![
            word(),
            AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 4).unwrap(),
            AnalyzerSpec::new(AnalyzerKind::Char, 1, 2).unwrap(),
        ];
        let (m, _) = TextVectorizer::fit(cfg(specs), &DOCS, 1, false).unwrap();
        for _ in 0..2 {
            // twice: the second call runs on warm pooled workers
            let a = m.transform(&DOCS, 1).unwrap();
            let rows = m
                .map_weighted_rows(&DOCS, 2, Vec::new, |out, cols, vals| {
                    let mut r: Vec<(i64, f64)> = cols
                        .iter()
                        .map(|&c| i64::from(c))
                        .zip(vals.iter().copied())
                        .collect();
                    r.sort_by_key(|p| p.0);
                    out.push(r);
                })
                .unwrap()
                .concat();
            let (ap, ai) = a.index_i64();
            assert_eq!(rows.len(), DOCS.len());
            for (r, y) in rows.iter().enumerate() {
                let (s, e) = (ap[r] as usize, ap[r + 1] as usize);
                let x: Vec<(i64, f64)> = ai[s..e]
                    .iter()
                    .copied()
                    .zip(a.data_f64()[s..e].iter().copied())
                    .collect();
                assert_eq!(x.len(), y.len());
                for (p, q) in x.iter().zip(y.iter()) {
                    assert_eq!(p.0, q.0);
                    assert!((p.1 - q.1).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn fit_transform_equals_fit_then_transform_and_is_thread_independent() {
        let specs = vec![
            word(),
            AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 4).unwrap(),
        ];
        let (m1, x1) = TextVectorizer::fit(cfg(specs.clone()), &DOCS, 1, true).unwrap();
        let (m2, x2) = TextVectorizer::fit(cfg(specs), &DOCS, 3, true).unwrap();
        assert_eq!(m1, m2);
        assert_eq!(x1, x2);
        let x3 = m1.transform(&DOCS, 2).unwrap();
        let (a, b) = (x1.unwrap(), x3);
        assert_eq!(a.index, b.index);
        for (p, q) in a.data_f64().iter().zip(b.data_f64()) {
            assert!((p - q).abs() < 1e-12);
        }
        a.check_invariants().unwrap();
    }

    #[test]
    fn transform_caches_agree_with_fit_for_every_range() {
        let docs: Vec<String> = (0..60)
            .map(|i| format!("بغداد {} واشنطن {} a b a b {}", i % 5, i % 3, i % 7))
            .collect();
        for (kind, lo, hi) in [
            (AnalyzerKind::Word, 2, 3),
            (AnalyzerKind::Word, 1, 3),
            (AnalyzerKind::Word, 3, 3),
            (AnalyzerKind::CharWb, 1, 6),
        ] {
            let mut c = cfg(vec![AnalyzerSpec::new(kind, lo, hi).unwrap()]);
            c.pruning.min_df = crate::features::vocabulary::DfBound::Count(2);
            let (m, x) = TextVectorizer::fit(c, &docs[..40], 1, true).unwrap();
            let t = m.transform(&docs[..40], 1).unwrap();
            let x = x.unwrap();
            assert_eq!(x.index, t.index, "{kind:?} {lo}..{hi}");
            // unseen documents: still valid, and equal for 1 and 3 threads
            let a = m.transform(&docs[40..], 1).unwrap();
            assert_eq!(a, m.transform(&docs[40..], 3).unwrap());
            a.check_invariants().unwrap();
        }
    }

    #[test]
    fn normalisation_merges_spellings() {
        let (m, _) =
            TextVectorizer::fit(cfg(vec![word()]), &["إلى بغداد", "الى بغداد"], 1, false).unwrap();
        assert_eq!(m.feature_names(), vec!["الي", "الي بغداد", "بغداد"]);
    }

    #[test]
    fn stop_words_are_normalised_before_matching() {
        let mut c = cfg(vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 1).unwrap()]);
        c.stop_words = Some(vec!["إلى".into()]);
        let (m, _) = TextVectorizer::fit(c, &["الى بغداد"], 1, false).unwrap();
        assert_eq!(m.feature_names(), vec!["بغداد"]);
    }

    #[test]
    fn fixed_vocabulary_learns_idf_only() {
        let mut c = cfg(vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 1).unwrap()]);
        c.vocabulary = Some(Vocabulary::from_terms(["بغداد", "zzz"]).unwrap());
        let (m, x) = TextVectorizer::fit(c, &DOCS, 1, true).unwrap();
        assert_eq!(m.feature_names(), vec!["بغداد", "zzz"]);
        let x = x.unwrap();
        assert_eq!(x.n_cols, 2);
        assert_eq!(x.nnz(), 2);
    }

    #[test]
    fn errors_on_empty_corpus_and_duplicate_analyzers() {
        let empty: [&str; 0] = [];
        assert!(TextVectorizer::fit(cfg(vec![word()]), &empty, 1, false).is_err());
        assert!(TextVectorizer::fit(cfg(vec![word(), word()]), &DOCS, 1, false).is_err());
        assert!(TextVectorizer::fit(cfg(vec![word()]), &["", "  "], 1, false).is_err());
    }

    #[test]
    fn unnormalised_rows_hold_counts() {
        let mut c = cfg(vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 1).unwrap()]);
        c.weighting = Weighting {
            use_idf: false,
            norm: Norm::None,
            ..Default::default()
        };
        let (_, x) = TextVectorizer::fit(c, &["a b a"], 1, true).unwrap();
        assert_eq!(x.unwrap().data_f64(), vec![2.0, 1.0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn valid_csr_for_any_unicode_and_any_threads(
            docs in proptest::collection::vec("\\PC{0,30}", 1..12),
            threads in 1usize..4,
        ) {
            let mut docs = docs;
            docs.push("x".into()); // guarantee a non-empty vocabulary
            let specs = vec![word(), AnalyzerSpec::new(AnalyzerKind::Char, 1, 3).unwrap()];
            let (m, x) = TextVectorizer::fit(cfg(specs.clone()), &docs, threads, true).unwrap();
            let x = x.unwrap();
            prop_assert!(x.check_invariants().is_ok());
            let (_, x1) = TextVectorizer::fit(cfg(specs), &docs, 1, true).unwrap();
            prop_assert_eq!(&x, &x1.unwrap());
            prop_assert!(m.transform(&docs, threads).unwrap().check_invariants().is_ok());
        }
    }
}
