//! A document's word tokens, each with its MurmurHash3 state, through a
//! cache of the tokens of every whitespace-delimited chunk of raw text.
//!
//! Why: hashing word n-grams spends about half its time normalising and
//! tokenising, and most chunks of a news corpus («في», «الحكومة،») recur
//! thousands of times. Tokens never contain whitespace, and normalisation
//! never joins or splits text across it (whitespace stays whitespace, and
//! NFKC, case folding and the Arabic foldings act within runs of
//! non-space characters), so a document's tokens are its chunks' tokens
//! laid end to end; a property test below checks exactly that against the
//! plain path. A chunk's tokens are therefore worked out once per worker
//! and replayed after: one table lookup (the chunk's slot, prefetched a
//! few chunks ahead) instead of normalising, tokenising and hashing again.
//! Chunks longer than a slot holds ([`INLINE`] bytes) take the plain path
//! every time.

use crate::features::hashing::Murmur3;
use crate::features::id_map::prefetch_span;
use crate::features::inline_map::{InlineMap, INLINE};
use crate::features::ngrams::{wb_word_spans, word_tokens, Analyzers};

/// Longest token (in bytes) a cached token holds. Normalisation can
/// lengthen a chunk (NFKC spells «ﷲ» out as «الله»); a chunk with a longer
/// token is not cached.
const TOK_BYTES: usize = 24;

/// A token of a cached chunk: its hash state after its (normalised)
/// bytes, its hash, and the bytes themselves, in 48 bytes, so that a word
/// n-gram reads one record per token and no arena of strings besides.
#[derive(Clone, Copy)]
struct Cached {
    state: Murmur3,
    hash: u32,
    len: u32,
    bytes: [u8; TOK_BYTES],
}

/// A token of the current document from a chunk not cached; its bytes are
/// `doc_bytes[at..at + len]`.
#[derive(Clone, Copy)]
struct Local {
    state: Murmur3,
    hash: u32,
    at: usize,
    len: usize,
}

/// Marks a token reference as an index into the document's own tokens.
const LOCAL: u32 = 1 << 31;

/// Chunks of raw text cached at most (then new chunks take the plain
/// path): 7 MB per worker. The first 65,536 chunks of a corpus hold its
/// frequent ones; caching up to 2**20 was no faster on the bench corpus
/// (paired runs) and took 16 times the memory.
const MAX_CHUNKS: usize = 1 << 16;

/// How many chunks ahead a chunk's slot is prefetched.
const AHEAD: usize = 16;

/// One worker's cache, and its scratch for the current document.
#[derive(Default)]
pub(crate) struct ChunkTokens {
    /// Chunk -> its tokens, `toks[first..first + n]`.
    map: InlineMap,
    toks: Vec<Cached>,
    chunks: Vec<(usize, usize, u64)>,
    /// The document's tokens: indices into `toks`, or into `local` with
    /// the [`LOCAL`] bit.
    refs: Vec<u32>,
    local: Vec<Local>,
    doc_bytes: String,
    normalized: String,
}

impl ChunkTokens {
    /// Find the word tokens of `doc` under `an`'s normaliser, tokenizer and
    /// stop words ([`ChunkTokens::refs`], in order): the tokens the plain
    /// path finds in the normalised document.
    ///
    /// `doc` must be shorter than 2 GiB (its tokens are numbered with 31
    /// bits).
    pub fn tokens(&mut self, an: &Analyzers, doc: &str) {
        debug_assert!(doc.len() < LOCAL as usize);
        self.refs.clear();
        self.local.clear();
        self.doc_bytes.clear();
        self.chunks.clear();
        wb_word_spans(doc, &mut self.chunks);
        for i in 0..self.chunks.len() {
            if let Some(&(s, e, h)) = self.chunks.get(i + AHEAD) {
                if e - s <= INLINE {
                    self.map.prefetch(h);
                }
            }
            let (s, e, h) = self.chunks[i];
            let chunk = &doc[s..e];
            let short = chunk.len() <= INLINE;
            if short {
                if let Some((first, n)) = self.map.get(chunk, h) {
                    // Read when the n-grams are hashed, after the last chunk;
                    // a record may straddle two cache lines.
                    prefetch_span(&self.toks[first as usize..(first + u32::from(n)) as usize]);
                    self.refs.extend(first..first + u32::from(n));
                    continue;
                }
            }
            let mut normalized = std::mem::take(&mut self.normalized);
            an.normalizer.normalize_into(chunk, &mut normalized);
            let mut words: Vec<&str> = Vec::new();
            word_tokens(an.tokenizer, an.stop, &normalized, &mut words);
            let fits = words.iter().all(|w| w.len() <= TOK_BYTES);
            if short && fits && self.map.len() < MAX_CHUNKS {
                let first = self.toks.len() as u32;
                self.toks.extend(words.iter().map(|w| {
                    let mut bytes = [0u8; TOK_BYTES];
                    bytes[..w.len()].copy_from_slice(w.as_bytes());
                    let (state, hash) = started(w);
                    Cached {
                        state,
                        hash,
                        len: w.len() as u32,
                        bytes,
                    }
                }));
                let end = self.toks.len() as u32;
                // At most 20 bytes, so at most 20 tokens.
                self.map.insert_new(chunk, h, first, (end - first) as u16);
                self.refs.extend(first..end);
            } else {
                for w in &words {
                    let (state, hash) = started(w);
                    self.refs.push(self.local.len() as u32 | LOCAL);
                    self.local.push(Local {
                        state,
                        hash,
                        at: self.doc_bytes.len(),
                        len: w.len(),
                    });
                    self.doc_bytes.push_str(w);
                }
            }
            drop(words);
            self.normalized = normalized;
        }
    }

    /// The current document's tokens (from the last [`ChunkTokens::tokens`]),
    /// as references for [`ChunkTokens::start`] and [`ChunkTokens::bytes_of`].
    pub fn refs(&self) -> &[u32] {
        &self.refs
    }

    /// The hash state after token `r`'s bytes, and its hash.
    #[inline]
    pub fn start(&self, r: u32) -> (Murmur3, u32) {
        if r & LOCAL != 0 {
            let t = &self.local[(r & !LOCAL) as usize];
            (t.state, t.hash)
        } else {
            let t = &self.toks[r as usize];
            (t.state, t.hash)
        }
    }

    /// The normalised bytes of token `r`.
    #[inline]
    pub fn bytes_of(&self, r: u32) -> &[u8] {
        if r & LOCAL != 0 {
            let t = &self.local[(r & !LOCAL) as usize];
            &self.doc_bytes.as_bytes()[t.at..t.at + t.len]
        } else {
            let t = &self.toks[r as usize];
            &t.bytes[..t.len as usize]
        }
    }
}

/// The hash state after `w` and the hash of `w`.
fn started(w: &str) -> (Murmur3, u32) {
    let mut state = Murmur3::new(0);
    state.feed(w.as_bytes());
    (state, state.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::hashing::murmur3_32;
    use crate::features::ngrams::build_stop_set;
    use crate::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};
    use proptest::prelude::*;

    fn normalizer(k: usize) -> Normalizer {
        let mut c = match k {
            0 => NormalizerConfig::arabic(),
            1 => NormalizerConfig::none(),
            _ => NormalizerConfig::arabic(),
        };
        if k == 2 {
            c.collapse_whitespace = false;
            c.fold_teh_marbuta = true;
        }
        Normalizer::new(c)
    }

    proptest! {
        // Whitespace of every kind (ASCII, NBSP, ideographic, the C0
        // separators Python counts as space), final sigma, combining marks
        // after spaces, compatibility characters that NFKC turns into
        // spaces or letters, URLs, e-mails, hashtags, ZWJ sequences.
        #[test]
        fn chunk_tokens_are_the_documents_tokens(
            docs in prop::collection::vec(
                "([ab]|ΣΑ|σ|ς|بغ|د|أ|\u{64e}|ـ|،|\\.|@|#|_|x@y\\.com|www\\.a\\.b/c|1|٣|ﻻ|ﬁ|\u{a8}|\u{301}|\u{200d}|\u{200b}|👍|[ \t\n\u{a0}\u{3000}\u{1c}\u{85}\u{2028}]){0,30}",
                1..6,
            ),
            norm in 0usize..3,
            tokenizer in 0usize..3,
            with_stop in proptest::bool::ANY,
        ) {
            let normalizer = normalizer(norm);
            let tokenizer = Tokenizer::new(TokenizerConfig {
                keep_punct: tokenizer == 1,
                split_hashtags: tokenizer == 2,
                segment_clitics: tokenizer == 2,
            });
            let stop = with_stop.then(|| build_stop_set(&["a".to_string(), "في".to_string()], &normalizer));
            let an = Analyzers {
                normalizer: &normalizer,
                tokenizer: &tokenizer,
                stop: stop.as_ref(),
                specs: &[],
            };
            // One cache across the documents, as a worker keeps it.
            let mut cache = ChunkTokens::default();
            for doc in &docs {
                let mut normalized = String::new();
                normalizer.normalize_into(doc, &mut normalized);
                let mut want: Vec<&str> = Vec::new();
                word_tokens(&tokenizer, stop.as_ref(), &normalized, &mut want);
                cache.tokens(&an, doc);
                let got: Vec<&[u8]> = cache.refs().iter().map(|&r| cache.bytes_of(r)).collect();
                let want_bytes: Vec<&[u8]> = want.iter().map(|w| w.as_bytes()).collect();
                prop_assert_eq!(&got, &want_bytes);
                for &r in cache.refs() {
                    let (state, hash) = cache.start(r);
                    prop_assert_eq!(state.finish(), murmur3_32(cache.bytes_of(r), 0));
                    prop_assert_eq!(hash, state.finish());
                }
            }
        }
    }

    #[test]
    fn long_chunks_and_long_tokens_take_the_plain_path() {
        let normalizer = Normalizer::new(NormalizerConfig::arabic());
        let tokenizer = Tokenizer::new(TokenizerConfig::default());
        let an = Analyzers {
            normalizer: &normalizer,
            tokenizer: &tokenizer,
            stop: None,
            specs: &[],
        };
        let mut cache = ChunkTokens::default();
        // A long chunk; a short one that NFKC lengthens past a cached
        // token's room («ﷲ» is «الله»); a short one, twice.
        let doc = "الجامعيةالمتخصصةالكبرى، ﷲﷲﷲﷲ في في";
        for _ in 0..2 {
            cache.tokens(&an, doc);
            let got: Vec<&[u8]> = cache.refs().iter().map(|&r| cache.bytes_of(r)).collect();
            assert_eq!(
                got,
                [
                    "الجامعيةالمتخصصةالكبري".as_bytes(),
                    "اللهاللهاللهالله".as_bytes(),
                    "في".as_bytes(),
                    "في".as_bytes()
                ]
            );
        }
        // only the last chunk was cached
        assert_eq!(cache.map.len(), 1);
    }
}
