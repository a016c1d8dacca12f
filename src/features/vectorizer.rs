//! `TextVectorizer`: normalise -> analyse -> count -> TF-IDF -> CSR.
//!
//! Semantics follow scikit-learn's `TfidfVectorizer` (vocabulary sorted by
//! term, `min_df`/`max_df`/`max_features` pruning, the same weighting). One
//! vectorizer may hold several analyzer blocks (say word (1, 2) and char_wb
//! (2, 5)); each block has its own vocabulary and IDF and is normalised on its
//! own, exactly like a scikit-learn `FeatureUnion` of one `TfidfVectorizer`
//! per block, and the blocks sit side by side in one matrix. Each document is
//! normalised once for all blocks.
//!
//! Transform-time counting (the per-document loop, its caches and the pool
//! of warm workers) is in `transform_cache`; the tests are in
//! `vectorizer_tests.rs`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::csr::{CsrMatrix, Dtype, RowBlock};
use crate::features::ngrams::{
    build_stop_set, for_each_ngram, word_tokens, AnalyzerKind, AnalyzerSpec, Scratch, StopSet,
};
use crate::features::tfidf::{idf, Weighting};
use crate::features::transform_cache::WorkerPool;
use crate::features::vocabulary::{merge, LocalCounts, Pruning, Vocabulary};
use crate::parallel::{claim_parts, doc_ranges, install};
use crate::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};
use crate::trace::Stages;

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
    pub(crate) pool: WorkerPool,
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

/// Step 1's result: for each worker, one `LocalCounts` per analyzer block
/// (rows in the order the worker counted them), and which documents each
/// worker counted.
pub(crate) struct Counted {
    pub workers: Vec<Vec<LocalCounts>>,
    /// The chunks of documents, in document order.
    pub chunks: Vec<Chunk>,
}

/// A run of documents counted by one worker: its rows there start at
/// `first_row`.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    pub docs: std::ops::Range<usize>,
    pub worker: usize,
    pub first_row: usize,
}

/// Chunks per thread: workers claim chunks as they go, so a worker whose
/// documents cost more per byte (many short ones: more distinct n-grams per
/// byte) claims fewer. Byte-balanced halves left one of two threads idle for
/// a fifth of a char_wb fit. 64 rather than 16: the two workers of a word
/// fit then finish within a few milliseconds of each other, not about ten
/// (the merge waits for the later one), and a chunk costs next to nothing.
const CHUNKS_PER_THREAD: usize = 64;

/// Count every document's n-grams against per-worker local vocabularies
/// (one `LocalCounts` per analyzer block per worker): the first step of a
/// fit, shared with streaming fits. Documents are split into chunks of
/// similar bytes that the workers claim in turn; which worker counts what
/// varies from run to run, the vocabulary and the rows do not.
pub(crate) fn count_local<S: AsRef<str> + Sync>(
    ctx: &Ctx,
    specs: &[AnalyzerSpec],
    docs: &[S],
    threads: usize,
) -> Result<Counted> {
    let n_blocks = specs.len();
    let n_chunks = if threads <= 1 {
        1
    } else {
        threads * CHUNKS_PER_THREAD
    };
    let rs = doc_ranges(docs, n_chunks);
    // A worker's state: its counts per block, scratch, and the rows it has
    // counted so far (a chunk's first row in the worker's output).
    let init = || {
        let lcs: Vec<LocalCounts> = (0..n_blocks).map(|_| LocalCounts::default()).collect();
        (lcs, Scratch::default(), String::new(), 0usize)
    };
    let count =
        |(lcs, scratch, normalized, rows): &mut (Vec<LocalCounts>, Scratch, String, usize),
         r: std::ops::Range<usize>| {
            let first_row = *rows;
            *rows += r.len();
            for d in &docs[r] {
                ctx.normalizer.normalize_into(d.as_ref(), normalized);
                for (b, spec) in specs.iter().enumerate() {
                    if spec.kind == AnalyzerKind::Word {
                        let mut toks = Vec::new();
                        word_tokens(&ctx.tokenizer, ctx.stop.as_ref(), normalized, &mut toks);
                        lcs[b].add_word_ngrams(&toks, spec.min_n, spec.max_n);
                    } else if spec.kind == AnalyzerKind::CharWb {
                        lcs[b].add_char_wb(spec, normalized);
                    } else {
                        let lc = &mut lcs[b];
                        for_each_ngram(spec, &ctx.tokenizer, None, normalized, scratch, &mut |g| {
                            lc.add(g)
                        });
                    }
                }
                lcs.iter_mut().for_each(LocalCounts::end_doc);
            }
            first_row
        };
    let finish = |state: &mut (Vec<LocalCounts>, Scratch, String, usize)| {
        state.0.iter_mut().for_each(LocalCounts::finish);
    };
    let claimed = claim_parts(threads, &rs, init, count, finish)?;
    let chunks = claimed
        .made
        .into_iter()
        .zip(rs)
        .map(|((worker, first_row), docs)| Chunk {
            docs,
            worker,
            first_row,
        })
        .collect();
    Ok(Counted {
        workers: claimed.states.into_iter().map(|s| s.0).collect(),
        chunks,
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
        let mut stages = Stages::new("fit");
        // Step 1: count against local vocabularies.
        let Counted {
            workers: mut locals,
            chunks,
        } = count_local(&ctx, &specs, docs, threads)?;
        stages.lap("count");
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
            stages.lap("vocabulary");
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
        let m = model.fitted_rows(&maps, &chunks, threads)?;
        stages.lap("rows");
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
            Some(model.weigh(counts, threads)?)
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

    pub(crate) fn stop_set(&self) -> Option<&StopSet> {
        self.stop.as_ref()
    }

    /// Rebuild derived state after deserialisation.
    pub fn restore(&mut self) {
        let ctx = Ctx::new(&self.config);
        self.stop = ctx.stop;
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

    /// Apply the weighting block by block to raw-count rows (worker blocks
    /// in parallel), then assemble the matrix.
    fn weigh(&self, mut counts: Vec<RowBlock>, threads: usize) -> Result<CsrMatrix> {
        let offsets = self.offsets();
        let weigh_block = |rb: &mut RowBlock| {
            let mut at = 0;
            for &k in &rb.row_nnz {
                let (cols, vals) = (&rb.cols[at..at + k], &mut rb.vals[at..at + k]);
                self.weigh_row(&offsets, cols, vals);
                at += k;
            }
        };
        if threads > 1 && counts.len() > 1 {
            install(threads, || counts.par_iter_mut().for_each(weigh_block))?;
        } else {
            counts.iter_mut().for_each(weigh_block);
        }
        CsrMatrix::from_blocks(counts, self.n_features(), self.config.dtype, threads)
    }

    /// Document-term matrix of `docs`.
    pub fn transform<S: AsRef<str> + Sync>(&self, docs: &[S], threads: usize) -> Result<CsrMatrix> {
        let counts = self.count_blocks(docs, threads)?;
        self.weigh(counts, threads)
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

#[cfg(test)]
#[path = "vectorizer_tests.rs"]
mod tests;
