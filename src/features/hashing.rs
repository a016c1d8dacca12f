//! Stateless feature hashing, bit-compatible with scikit-learn.
//!
//! The hash is MurmurHash3 x86_32 with seed 0 over the UTF-8 bytes of each
//! n-gram, read as a signed 32-bit integer `h` — the function scikit-learn's
//! `HashingVectorizer` uses, so the same n-grams land in the same columns.
//! The column is `|h| mod n_features` (with scikit-learn's definition for
//! `h = -2^31`) and, with `alternate_sign`, the value is `+1` if `h >= 0`
//! else `-1`, which makes collisions cancel in expectation. The hash is
//! defined on bytes with explicit little-endian reads, so it is the same on
//! every platform; golden values below pin it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::csr::{CsrMatrix, Dtype, RowBlock};
use crate::features::ngrams::{build_stop_set, AnalyzerSpec, Analyzers, Scratch, StopSet};
use crate::features::tfidf::Norm;
use crate::parallel::{map_ranges, transform_parts};
use crate::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};

/// MurmurHash3 x86_32.
pub fn murmur3_32(key: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = key.chunks_exact(4);
    for ch in &mut chunks {
        let mut k = u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, &b) in tail.iter().enumerate() {
            k |= u32::from(b) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= key.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// Column and sign of a term, as scikit-learn computes them.
#[inline]
pub fn bucket(term: &str, n_features: u32) -> (u32, f64) {
    Buckets::new(n_features).of(term)
}

/// `n_features` with its reduction precomputed: a power of two (the
/// default, 2**20) reduces with a mask instead of an integer division,
/// which is a noticeable share of hashing a short n-gram.
#[derive(Clone, Copy, Debug)]
pub struct Buckets {
    n: u32,
    mask: Option<u32>,
}

impl Buckets {
    pub fn new(n_features: u32) -> Self {
        Self {
            n: n_features,
            mask: n_features.is_power_of_two().then(|| n_features - 1),
        }
    }

    /// Column and sign of `term` (see [`bucket`]).
    #[inline]
    pub fn of(&self, term: &str) -> (u32, f64) {
        let h = murmur3_32(term.as_bytes(), 0) as i32;
        let abs = if h == i32::MIN {
            // scikit-learn's special case: |i32::MIN| is taken as i32::MAX
            // minus (n_features - 1) before the modulus
            (i32::MAX as u32) - (self.n - 1)
        } else {
            h.unsigned_abs()
        };
        let col = match self.mask {
            Some(m) => abs & m,
            None => abs % self.n,
        };
        (col, if h >= 0 { 1.0 } else { -1.0 })
    }
}

/// Configuration of a `HashingVectorizer` (it has no fitted state).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HashingConfig {
    pub analyzers: Vec<AnalyzerSpec>,
    pub normalizer: NormalizerConfig,
    pub tokenizer: TokenizerConfig,
    pub stop_words: Option<Vec<String>>,
    pub n_features: u32,
    pub alternate_sign: bool,
    pub binary: bool,
    pub norm: Norm,
    pub dtype: Dtype,
}

/// A ready-to-use hashing vectorizer.
#[derive(Clone, Debug)]
pub struct HashingVectorizer {
    pub config: HashingConfig,
    normalizer: Normalizer,
    tokenizer: Tokenizer,
    stop: Option<StopSet>,
}

impl HashingVectorizer {
    pub fn new(config: HashingConfig) -> Result<Self> {
        if config.n_features == 0 || config.n_features > i32::MAX as u32 {
            return Err(Error::param(
                "n_features",
                format!(
                    "{} is out of range; need 1 <= n_features <= 2**31 - 1",
                    config.n_features
                ),
            ));
        }
        if config.analyzers.is_empty() {
            return Err(Error::param("analyzer", "at least one analyzer is needed"));
        }
        let normalizer = Normalizer::new(config.normalizer);
        let stop = config
            .stop_words
            .as_ref()
            .map(|w| build_stop_set(w, &normalizer));
        Ok(Self {
            tokenizer: Tokenizer::new(config.tokenizer),
            normalizer,
            stop,
            config,
        })
    }

    /// Hash `docs` into a `len(docs) x n_features` CSR matrix. All analyzer
    /// blocks share the one hashed space (as with scikit-learn's hasher fed
    /// several analyzers).
    pub fn transform<S: AsRef<str> + Sync>(&self, docs: &[S], threads: usize) -> Result<CsrMatrix> {
        let c = &self.config;
        let blocks = map_ranges(
            threads,
            docs.len(),
            transform_parts(threads, docs.len()),
            |r| {
                let an = Analyzers {
                    normalizer: &self.normalizer,
                    tokenizer: &self.tokenizer,
                    stop: self.stop.as_ref(),
                    specs: &c.analyzers,
                };
                let mut scratch = Scratch::default();
                // (column << 1 | negative): sorting plain integers groups
                // columns. Columns are below 2**31, so these fit in a u32,
                // half the bytes to sort of a u64.
                let mut entries: Vec<u32> = Vec::new();
                let mut vals: Vec<f64> = Vec::new();
                let mut cols: Vec<u32> = Vec::new();
                let mut out = RowBlock::default();
                let buckets = Buckets::new(c.n_features);
                let total: usize = docs[r.clone()].iter().map(|d| d.as_ref().len()).sum();
                let (mut done, mut armed) = (0usize, true);
                for d in &docs[r] {
                    entries.clear();
                    an.analyze(d.as_ref(), &mut scratch, &mut |_, g| {
                        let (col, sign) = buckets.of(g);
                        let neg = c.alternate_sign && sign < 0.0;
                        entries.push((col << 1) | u32::from(neg));
                    });
                    // A radix sort: rows hold hundreds of small integers, and it was
                    // 7% of the whole transform faster than a comparison sort
                    // (paired runs, scripts/bench_ab.py).
                    radsort::sort(&mut entries);
                    cols.clear();
                    vals.clear();
                    for &e in &entries {
                        let (col, v) = (e >> 1, if e & 1 == 1 { -1.0 } else { 1.0 });
                        if cols.last() == Some(&col) {
                            *vals.last_mut().expect("same length as cols") += v;
                        } else {
                            cols.push(col);
                            vals.push(v);
                        }
                    }
                    if c.binary {
                        vals.iter_mut().for_each(|v| *v = 1.0);
                    }
                    c.norm.apply(&mut vals);
                    // Colliding +1/-1 terms cancel to exact zeros; do not store them.
                    out.push_row(
                        cols.iter()
                            .copied()
                            .zip(vals.iter().copied())
                            .filter(|p| p.1 != 0.0),
                    );
                    done += d.as_ref().len();
                    out.presize(done, total, &mut armed);
                }
                out
            },
        )?;
        CsrMatrix::from_blocks(blocks, c.n_features as usize, c.dtype, threads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::ngrams::AnalyzerKind;

    #[test]
    fn murmur_golden_values() {
        // Reference values of MurmurHash3_x86_32 (seed 0), as returned by
        // sklearn.utils.murmurhash3_32(s, seed=0, positive=True).
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"foo", 0), 4_138_058_784);
        assert_eq!(murmur3_32(b"hello", 0), 613_153_351);
        assert_eq!(murmur3_32("بغداد".as_bytes(), 0), 3_721_085_431);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
    }

    #[test]
    fn mask_and_modulus_agree() {
        // The mask is only a faster modulus: for powers of two it must give
        // what `%` gives, including scikit-learn's i32::MIN special case.
        let terms = ["بغداد", "a", "hello world", "x y z", "", "السفارة في"];
        for n in [1u32, 2, 16, 1 << 20, 1 << 30] {
            let fast = Buckets::new(n);
            let slow = Buckets { n, mask: None };
            for t in terms {
                assert_eq!(fast.of(t), slow.of(t), "{t:?} with n_features={n}");
            }
            let min = (i32::MAX as u32) - (n - 1);
            assert_eq!(min & (n - 1), min % n);
        }
    }

    #[test]
    fn bucket_is_stable_and_in_range() {
        for t in ["بغداد", "a", "hello world", "x y z"] {
            let (c, s) = bucket(t, 1 << 20);
            assert!(c < 1 << 20);
            assert!(s == 1.0 || s == -1.0);
            assert_eq!(bucket(t, 1 << 20), (c, s));
        }
    }

    #[test]
    fn transform_is_thread_independent_and_valid() {
        let hv = HashingVectorizer::new(HashingConfig {
            analyzers: vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 2).unwrap()],
            normalizer: NormalizerConfig::arabic(),
            tokenizer: TokenizerConfig::default(),
            stop_words: None,
            n_features: 16,
            alternate_sign: true,
            binary: false,
            norm: Norm::L2,
            dtype: Dtype::F64,
        })
        .unwrap();
        let docs: Vec<String> = (0..300)
            .map(|i| format!("بغداد {i} واشنطن {}", i % 7))
            .collect();
        let a = hv.transform(&docs, 1).unwrap();
        let b = hv.transform(&docs, 2).unwrap();
        assert_eq!(a, b);
        a.check_invariants().unwrap();
    }
}
