//! Fitting a `TextVectorizer` from a stream of document chunks.
//!
//! Each chunk is counted exactly as a one-shot fit counts its documents
//! (same normalisation, analyzers and n-gram walk); the per-term document
//! and term frequencies are summed across chunks, and the vocabulary is
//! pruned and sorted once at the end with the same selection rules. The
//! result is identical to fitting on all chunks concatenated, whatever the
//! chunking, while memory holds one chunk plus the candidate terms.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::tfidf::idf;
use crate::features::vectorizer::{
    count_local, Ctx, FittedBlock, TextVectorizer, TextVectorizerConfig,
};
use crate::features::vocabulary::{select_totals, StreamCounts};

/// The running state of a streaming fit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VocabStream {
    pub config: TextVectorizerConfig,
    blocks: Vec<StreamCounts>,
    n_docs: usize,
}

impl VocabStream {
    /// An empty stream for `config` (validated now, so a bad parameter
    /// fails before any data is read).
    pub fn new(config: TextVectorizerConfig) -> Result<Self> {
        config.validate()?;
        let blocks = vec![StreamCounts::default(); config.analyzers.len()];
        Ok(Self {
            config,
            blocks,
            n_docs: 0,
        })
    }

    /// Documents counted so far.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// Distinct candidate terms held so far, over all blocks.
    pub fn n_candidates(&self) -> usize {
        self.blocks.iter().map(|b| b.df.len()).sum()
    }

    /// Count one chunk of documents.
    pub fn update<S: AsRef<str> + Sync>(&mut self, docs: &[S], threads: usize) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let ctx = Ctx::new(&self.config);
        let locals = count_local(&ctx, &self.config.analyzers, docs, threads)?;
        for worker in &locals.workers {
            for (b, lc) in worker.iter().enumerate() {
                self.blocks[b].absorb(lc);
            }
        }
        self.n_docs += docs.len();
        Ok(())
    }

    /// Add the counts of another stream with the same configuration (a
    /// partition counted on another worker).
    pub fn merge(&mut self, other: &VocabStream) -> Result<()> {
        if other.config != self.config {
            return Err(Error::InvalidInput(
                "cannot merge streaming counts of vectorizers with different parameters".into(),
            ));
        }
        for (mine, theirs) in self.blocks.iter_mut().zip(&other.blocks) {
            mine.merge(theirs);
        }
        self.n_docs += other.n_docs;
        Ok(())
    }

    /// The fitted vectorizer for everything counted so far: vocabularies
    /// pruned by `min_df`/`max_df`/`max_features` and IDF, exactly as
    /// [`TextVectorizer::fit`] on the concatenated chunks.
    pub fn finish(&mut self, threads: usize) -> Result<TextVectorizer> {
        if self.n_docs == 0 {
            return Err(Error::InvalidInput(
                "cannot fit on an empty corpus (0 documents)".into(),
            ));
        }
        let config = &self.config;
        let n_blocks = config.analyzers.len();
        let mut blocks = Vec::with_capacity(n_blocks);
        for (b, spec) in config.analyzers.iter().enumerate() {
            let (vocab, df) = match &config.vocabulary {
                Some(v) => {
                    let df = v.terms().iter().map(|t| self.blocks[b].get(t).0).collect();
                    (v.clone(), df)
                }
                None => select_totals(&self.blocks[b], self.n_docs, &config.pruning, threads)
                    .map_err(|e| {
                        if n_blocks > 1 {
                            Error::InvalidInput(format!("analyzer {:?}: {e}", spec.kind.name()))
                        } else {
                            e
                        }
                    })?,
            };
            let idf = config
                .weighting
                .use_idf
                .then(|| idf(&df, self.n_docs, config.weighting.smooth_idf));
            blocks.push(FittedBlock {
                spec: *spec,
                vocab,
                idf,
            });
        }
        Ok(TextVectorizer::from_blocks(
            config.clone(),
            blocks,
            self.n_docs,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::csr::Dtype;
    use crate::features::ngrams::{AnalyzerKind, AnalyzerSpec};
    use crate::features::tfidf::Weighting;
    use crate::features::vocabulary::{DfBound, Pruning};
    use crate::text::{NormalizerConfig, TokenizerConfig};

    fn config(max_features: Option<usize>, min_df: u64) -> TextVectorizerConfig {
        TextVectorizerConfig {
            analyzers: vec![
                AnalyzerSpec::new(AnalyzerKind::Word, 1, 2).unwrap(),
                AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 4).unwrap(),
            ],
            normalizer: NormalizerConfig::arabic(),
            tokenizer: TokenizerConfig::default(),
            stop_words: None,
            pruning: Pruning {
                min_df: DfBound::Count(min_df),
                max_df: DfBound::Fraction(1.0),
                max_features,
            },
            weighting: Weighting::default(),
            dtype: Dtype::F64,
            vocabulary: None,
        }
    }

    fn docs() -> Vec<String> {
        (0..300)
            .map(|i| {
                format!(
                    "الخبر رقم {} عن {} و{} في المدينة {}",
                    i % 17,
                    ["الاقتصاد", "الرياضة", "السياسة"][i % 3],
                    ["البورصة", "المنتخب", "البرلمان", "الحكومة"][i % 4],
                    i % 5
                )
            })
            .collect()
    }

    #[test]
    fn streamed_fit_equals_one_shot_fit_for_any_chunking() {
        for (max_features, min_df) in [(None, 1), (Some(40), 1), (None, 3)] {
            let cfg = config(max_features, min_df);
            let all = docs();
            let (once, m_once) = TextVectorizer::fit(cfg.clone(), &all, 2, true).unwrap();
            for chunk in [1, 7, 64, 300] {
                let mut s = VocabStream::new(cfg.clone()).unwrap();
                for c in all.chunks(chunk) {
                    s.update(c, 2).unwrap();
                }
                let streamed = s.finish(2).unwrap();
                assert_eq!(streamed, once, "chunk {chunk}");
                let m = streamed.transform(&all, 2).unwrap();
                assert_eq!(m, m_once.clone().unwrap(), "chunk {chunk}");
            }
        }
    }

    #[test]
    fn merged_streams_equal_one_stream_and_survive_serde() {
        let cfg = config(Some(50), 2);
        let all = docs();
        let mut a = VocabStream::new(cfg.clone()).unwrap();
        a.update(&all[..120], 1).unwrap();
        let mut b = VocabStream::new(cfg.clone()).unwrap();
        b.update(&all[120..], 1).unwrap();
        let bytes = postcard::to_allocvec(&b).unwrap();
        let b2: VocabStream = postcard::from_bytes(&bytes).unwrap();
        a.merge(&b2).unwrap();
        let (once, _) = TextVectorizer::fit(cfg, &all, 1, false).unwrap();
        assert_eq!(a.finish(1).unwrap(), once);
    }

    #[test]
    fn empty_stream_and_mismatched_merge_are_errors() {
        let mut s = VocabStream::new(config(None, 1)).unwrap();
        s.update(&Vec::<String>::new(), 1).unwrap();
        assert!(s
            .finish(1)
            .unwrap_err()
            .to_string()
            .contains("empty corpus"));
        let other = VocabStream::new(config(Some(3), 1)).unwrap();
        assert!(s.merge(&other).is_err());
    }
}
