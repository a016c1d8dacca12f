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
use crate::features::chunk_tokens::ChunkTokens;
use crate::features::csr::{CsrMatrix, Dtype, RowBlock};
use crate::features::ngrams::{
    build_stop_set, for_each_ngram, word_tokens, AnalyzerKind, AnalyzerSpec, Analyzers, Scratch,
    StopSet,
};
use crate::features::tfidf::Norm;
use crate::parallel::map_doc_parts_with;
use crate::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

#[inline(always)]
fn scramble(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

#[inline(always)]
fn mix(h: u32, k: u32) -> u32 {
    (h ^ scramble(k))
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

/// MurmurHash3 x86_32.
pub fn murmur3_32(key: &[u8], seed: u32) -> u32 {
    let mut m = Murmur3::new(seed);
    m.feed(key);
    m.finish()
}

/// MurmurHash3 x86_32 fed in pieces: the hash of the concatenated pieces.
///
/// Why: a word n-gram is its tokens joined with spaces, and the state after
/// feeding `"w1"` is a prefix of the state for `"w1 w2"`. Extending a copy
/// of it hashes every n-gram starting at a token without joining strings
/// into a buffer or hashing the shared prefix again (8% of a word (1, 2)
/// hashing transform, measured on the benchmark corpus).
#[derive(Clone, Copy, Debug)]
pub struct Murmur3 {
    h: u32,
    /// Bytes not yet forming a 4-byte block, little-endian in the low bits.
    tail: u32,
    tail_len: u32,
    len: u32,
}

impl Murmur3 {
    #[inline]
    pub fn new(seed: u32) -> Self {
        Self {
            h: seed,
            tail: 0,
            tail_len: 0,
            len: 0,
        }
    }

    /// Append `bytes` to the hashed key.
    #[inline]
    pub fn feed(&mut self, bytes: &[u8]) {
        // The reference hashes the length modulo 2**32; so do we.
        self.len = self.len.wrapping_add(bytes.len() as u32);
        let mut rest = bytes;
        while self.tail_len != 0 {
            let Some((&b, more)) = rest.split_first() else {
                return;
            };
            self.tail |= u32::from(b) << (8 * self.tail_len);
            self.tail_len += 1;
            rest = more;
            if self.tail_len == 4 {
                self.h = mix(self.h, self.tail);
                (self.tail, self.tail_len) = (0, 0);
            }
        }
        let mut chunks = rest.chunks_exact(4);
        for ch in &mut chunks {
            self.h = mix(self.h, u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]));
        }
        for &b in chunks.remainder() {
            self.tail |= u32::from(b) << (8 * self.tail_len);
            self.tail_len += 1;
        }
    }

    /// The hash of everything fed so far (the state stays usable).
    #[inline]
    pub fn finish(&self) -> u32 {
        let mut h = self.h;
        if self.tail_len != 0 {
            h ^= scramble(self.tail);
        }
        h ^= self.len;
        h ^= h >> 16;
        h = h.wrapping_mul(0x85eb_ca6b);
        h ^= h >> 13;
        h = h.wrapping_mul(0xc2b2_ae35);
        h ^ (h >> 16)
    }
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
        self.of_hash(murmur3_32(term.as_bytes(), 0))
    }

    /// Column and sign of a term whose MurmurHash3 (seed 0) is `hash`.
    #[inline]
    pub fn of_hash(&self, hash: u32) -> (u32, f64) {
        let h = hash as i32;
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
        // Word analyzers alone tokenise chunk by chunk through a cache; any
        // other needs the whole normalised document anyway. The cache saves
        // normalising: without a normaliser, plain tokenising is faster
        // (175 against 133 MB/s in scripts/bench_vectorize.py).
        let by_chunk =
            c.analyzers.iter().all(|s| s.kind == AnalyzerKind::Word) && !c.normalizer.is_identity();
        let blocks = map_doc_parts_with(threads, docs, ChunkTokens::default, |cache, r| {
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
            let mut out = RowBlock::default();
            let buckets = Buckets::new(c.n_features);
            let total: usize = docs[r.clone()].iter().map(|d| d.as_ref().len()).sum();
            let (mut done, mut armed) = (0usize, true);
            for d in &docs[r] {
                entries.clear();
                let emit = &mut |h| {
                    let (col, sign) = buckets.of_hash(h);
                    let neg = c.alternate_sign && sign < 0.0;
                    entries.push((col << 1) | u32::from(neg));
                };
                // (The cache numbers a document's tokens with 31 bits.)
                if by_chunk && d.as_ref().len() < 1 << 31 {
                    hash_word_ngrams_by_chunk(&an, d.as_ref(), cache, emit);
                } else {
                    hash_ngrams(&an, d.as_ref(), &mut scratch, emit);
                }
                // A radix sort: rows hold hundreds of small integers, and it was
                // 7% of the whole transform faster than a comparison sort
                // (paired runs, scripts/bench_ab.py).
                radsort::sort(&mut entries);
                push_entries(&mut out, &entries, c.binary, c.norm);
                done += d.as_ref().len();
                out.presize(done, total, &mut armed);
            }
            out
        })?;
        CsrMatrix::from_blocks(blocks, c.n_features as usize, c.dtype, threads)
    }
}

/// Append one row given as sorted `(column << 1 | negative)` entries: equal
/// columns are summed, weighed and normalised straight in the block's
/// arrays (no per-row staging vectors: a tenth of the transform went to
/// copying rows through them).
fn push_entries(out: &mut RowBlock, entries: &[u32], binary: bool, norm: Norm) {
    let before = out.cols.len();
    out.cols.reserve(entries.len());
    out.vals.reserve(entries.len());
    let mut last = u32::MAX; // not a column: columns are below 2**31
    for &e in entries {
        let (col, v) = (e >> 1, if e & 1 == 1 { -1.0 } else { 1.0 });
        if col == last {
            *out.vals.last_mut().expect("a column was pushed") += v;
        } else {
            out.cols.push(col as i32);
            out.vals.push(v);
            last = col;
        }
    }
    if binary {
        // As scikit-learn: every stored column, a cancelled collision too, is 1.
        out.vals[before..].iter_mut().for_each(|v| *v = 1.0);
    } else if out.vals[before..].contains(&0.0) {
        // Colliding +1/-1 terms cancel to exact zeros; do not store them.
        let mut k = before;
        for j in before..out.vals.len() {
            if out.vals[j] != 0.0 {
                (out.cols[k], out.vals[k]) = (out.cols[j], out.vals[j]);
                k += 1;
            }
        }
        out.cols.truncate(k);
        out.vals.truncate(k);
    }
    let row = &mut out.vals[before..];
    norm.apply(row);
    out.row_nnz.push(row.len());
}

/// Call `emit` with the MurmurHash3 of every n-gram [`Analyzers::analyze`]
/// would hand out for `doc` (the same multiset, in another order).
///
/// Word n-grams are hashed by extending the state of their first token (see
/// [`Murmur3`]) instead of joining them; character n-grams are hashed as
/// the analyzer gives them.
fn hash_ngrams(an: &Analyzers, doc: &str, scratch: &mut Scratch, emit: &mut dyn FnMut(u32)) {
    let mut normalized = std::mem::take(&mut scratch.normalized);
    an.normalizer.normalize_into(doc, &mut normalized);
    for spec in an.specs {
        if spec.kind != AnalyzerKind::Word {
            let g = &mut |g: &str| emit(murmur3_32(g.as_bytes(), 0));
            for_each_ngram(spec, an.tokenizer, an.stop, &normalized, scratch, g);
            continue;
        }
        let mut tokens: Vec<&str> = Vec::new();
        word_tokens(an.tokenizer, an.stop, &normalized, &mut tokens);
        let start = |t: &&str| {
            let mut m = Murmur3::new(0);
            m.feed(t.as_bytes());
            (m, m.finish())
        };
        word_ngram_hashes(spec, &tokens, start, |t| t.as_bytes(), emit);
    }
    scratch.normalized = normalized;
}

/// [`hash_ngrams`] for word analyzers only, the tokens found chunk by
/// chunk through a worker's cache ([`ChunkTokens`]).
fn hash_word_ngrams_by_chunk(
    an: &Analyzers,
    doc: &str,
    cache: &mut ChunkTokens,
    emit: &mut dyn FnMut(u32),
) {
    cache.tokens(an, doc);
    let cache = &*cache;
    for spec in an.specs {
        let refs = cache.refs();
        word_ngram_hashes(
            spec,
            refs,
            |&r| cache.start(r),
            |&r| cache.bytes_of(r),
            emit,
        );
    }
}

/// Emit the hash of every word n-gram of `spec` over `tokens`. `start`
/// gives a token's hash state after its bytes and its hash; longer n-grams
/// extend the state of their first token with a space and the next
/// tokens' bytes (`bytes`).
fn word_ngram_hashes<'t, T>(
    spec: &AnalyzerSpec,
    tokens: &'t [T],
    start: impl Fn(&'t T) -> (Murmur3, u32),
    bytes: impl Fn(&'t T) -> &'t [u8],
    emit: &mut dyn FnMut(u32),
) {
    for (i, first) in tokens.iter().enumerate() {
        let (mut m, hash) = start(first);
        if spec.min_n == 1 {
            emit(hash);
        }
        let longest = spec.max_n.min(tokens.len() - i);
        for (k, next) in tokens[i + 1..i + longest].iter().enumerate() {
            m.feed(b" ");
            m.feed(bytes(next));
            if k + 2 >= spec.min_n {
                emit(m.finish());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        #[test]
        fn murmur_fed_in_pieces_is_murmur_of_the_whole(
            key in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..5),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(key.len())).collect();
            cuts.sort_unstable();
            let mut m = Murmur3::new(7);
            let mut at = 0;
            for c in cuts.into_iter().chain([key.len()]) {
                m.feed(&key[at..c]);
                at = c;
            }
            proptest::prop_assert_eq!(m.finish(), murmur3_32(&key, 7));
        }

        #[test]
        fn hashed_ngrams_are_the_analyzers_ngrams(
            text in "([ab ]|بغ|د|ا|\u{64e}|،| ){0,40}",
            lo in 1usize..4,
            extra in 0usize..3,
            kind in 0usize..3,
            with_stop in proptest::bool::ANY,
        ) {
            let kind = [AnalyzerKind::Word, AnalyzerKind::Char, AnalyzerKind::CharWb][kind];
            let specs = [AnalyzerSpec::new(kind, lo, lo + extra).unwrap()];
            let normalizer = Normalizer::new(NormalizerConfig::arabic());
            let tokenizer = Tokenizer::new(TokenizerConfig::default());
            let stop = with_stop.then(|| build_stop_set(&["a".to_string()], &normalizer));
            let an = Analyzers {
                normalizer: &normalizer,
                tokenizer: &tokenizer,
                stop: stop.as_ref(),
                specs: &specs,
            };
            let mut want = Vec::new();
            an.analyze(&text, &mut Scratch::default(), &mut |_, g| {
                want.push(murmur3_32(g.as_bytes(), 0));
            });
            let mut got = Vec::new();
            hash_ngrams(&an, &text, &mut Scratch::default(), &mut |h| got.push(h));
            want.sort_unstable();
            got.sort_unstable();
            if kind == AnalyzerKind::Word {
                // twice: the chunks are worked out, then replayed
                let mut cache = ChunkTokens::default();
                for _ in 0..2 {
                    let mut by_chunk = Vec::new();
                    hash_word_ngrams_by_chunk(&an, &text, &mut cache, &mut |h| by_chunk.push(h));
                    by_chunk.sort_unstable();
                    proptest::prop_assert_eq!(&by_chunk, &want);
                }
            }
            proptest::prop_assert_eq!(got, want);
        }
    }
}
