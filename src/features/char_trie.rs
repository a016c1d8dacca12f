//! The `char_wb` n-grams of a word found as a trie of integer keys, for the
//! words a fitting worker has not seen before
//! ([`crate::features::vocab_counts`]).
//!
//! Why: a new word of the bench corpus has about 26 n-grams (2..5), most of
//! them terms already. Found by their strings, each costs a string hash and
//! an interner lookup whose confirmation reads the term's end offset and
//! then its bytes: three dependent cache misses at random ids, a fifth of a
//! one-thread `char_wb` fit. Here an n-gram is `(node of its first n-1
//! characters, its last character)`, one `u64` key in a table whose slots
//! hold key and value together and are prefetched a few lookups ahead, as
//! the word n-gram trie does for tokens ([`crate::features::word_trie`]).
//! Only an n-gram seen for the first time is sliced out and hashed.

use crate::features::id_map::IdMap;
use crate::features::interner::{hash_str, Interner};
use crate::features::ngrams::AnalyzerSpec;
use crate::features::word_trie::AHEAD;

/// One worker's `char_wb` trie for one analyzer block. Its nodes of
/// n-grams of at least `min_n` characters are the block's term ids, so it
/// must live and die with the block's [`Interner`], and every term of the
/// block must come through it.
#[derive(Default)]
pub(crate) struct CharTrie {
    /// With unigrams among the terms (`min_n == 1`): character -> term id.
    unigrams: IdMap,
    /// `levels[k]`: (node of a (k+1)-character prefix, next character) ->
    /// node of the (k+2)-character n-gram. The node of one character is
    /// the character itself unless unigrams are terms; the nodes of
    /// n-grams shorter than `min_n` are level-local ids (prefixes only).
    levels: Vec<IdMap>,
    /// A padded word shorter than `min_n` characters is one term of its
    /// own (scikit-learn counts a word shorter than n once, whole):
    /// `(length << 32 | its level-local node)` -> term id.
    short_words: IdMap,
    padded: String,
    /// Byte offset of each character of `padded`, then its length.
    bounds: Vec<usize>,
    chars: Vec<u32>,
    nodes: Vec<u32>,
    keys: Vec<(u64, u64)>,
}

impl CharTrie {
    /// Append to `out` the term id of every `char_wb` n-gram of `word` (a
    /// whitespace-free, non-empty word of normalised text), in the
    /// multiset scikit-learn's `char_wb` analyzer gives: the n-grams of
    /// `" " + word + " "` for each n of `spec`, except that once n reaches
    /// the padded word's length the padded word is counted once and longer
    /// n are skipped. New terms are appended to `terms` unindexed;
    /// `on_new` runs once for each.
    pub fn word_grams(
        &mut self,
        spec: &AnalyzerSpec,
        word: &str,
        terms: &mut Interner,
        on_new: &mut impl FnMut(),
        out: &mut Vec<u32>,
    ) {
        debug_assert!(!word.is_empty());
        let Self {
            unigrams,
            levels,
            short_words,
            padded,
            bounds,
            chars,
            nodes,
            keys,
        } = self;
        padded.clear();
        padded.push(' ');
        padded.push_str(word);
        padded.push(' ');
        bounds.clear();
        chars.clear();
        for (at, c) in padded.char_indices() {
            bounds.push(at);
            chars.push(c as u32);
        }
        bounds.push(padded.len());
        let len = chars.len();
        let (min_n, max_n) = (spec.min_n, spec.max_n);
        let mut new_term = |at: usize, end: usize| {
            let g = &padded[bounds[at]..bounds[end]];
            on_new();
            terms.push_unindexed(g, hash_str(g))
        };
        nodes.clear();
        if min_n == 1 {
            for (i, &c) in chars.iter().enumerate() {
                let (key, hash) = (u64::from(c), IdMap::hash(u64::from(c)));
                nodes.push(unigrams.get_or_insert_with(key, hash, |_| new_term(i, i + 1)));
            }
            // The padded word has at least three characters, so every
            // character is a window.
            out.extend_from_slice(nodes);
        } else {
            nodes.extend_from_slice(chars);
        }
        let top = max_n.min(len);
        if levels.len() + 1 < top {
            levels.resize_with(top - 1, IdMap::default);
        }
        for n in 2..=top {
            let level = &mut levels[n - 2];
            let is_term = n >= min_n;
            // Keys and hashes first, so that each slot is prefetched
            // `AHEAD` lookups before it is read.
            keys.clear();
            keys.extend((0..=(len - n)).map(|i| {
                let key = (u64::from(nodes[i]) << 32) | u64::from(chars[i + n - 1]);
                (key, IdMap::hash(key))
            }));
            for &(_, hash) in keys.iter().take(AHEAD) {
                level.prefetch(hash);
            }
            for i in 0..=(len - n) {
                if let Some(&(_, hash)) = keys.get(i + AHEAD) {
                    level.prefetch(hash);
                }
                let (key, hash) = keys[i];
                nodes[i] = level.get_or_insert_with(key, hash, |len| {
                    if is_term {
                        new_term(i, i + n)
                    } else {
                        len as u32
                    }
                });
            }
            if is_term {
                // With n == len this is the one window, the whole word.
                out.extend_from_slice(&nodes[..=(len - n)]);
            }
        }
        if len < min_n {
            // Shorter than every n: the padded word once, as a term of its
            // own (the trie's node for it is a prefix node, not a term).
            let key = ((len as u64) << 32) | u64::from(nodes[0]);
            let hash = IdMap::hash(key);
            out.push(short_words.get_or_insert_with(key, hash, |_| new_term(0, len)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::ngrams::{wb_word_grams, AnalyzerKind};
    use proptest::prelude::*;

    proptest! {
        /// The trie's ids name exactly the n-grams the string path makes,
        /// word after word (so that terms are shared across words), and a
        /// term is created exactly once.
        #[test]
        fn trie_grams_are_the_string_grams(
            words in prop::collection::vec("([ab]|بغ|د|ا|\u{64e}|👍|x){1,9}", 1..30),
            min_n in 1usize..6,
            extra in 0usize..4,
        ) {
            let spec = AnalyzerSpec::new(AnalyzerKind::CharWb, min_n, min_n + extra).unwrap();
            let mut trie = CharTrie::default();
            let mut terms = Interner::default();
            let mut created = 0usize;
            let (mut padded, mut bounds) = (String::new(), Vec::new());
            for w in &words {
                let mut ids = Vec::new();
                trie.word_grams(&spec, w, &mut terms, &mut || created += 1, &mut ids);
                let got: Vec<&str> = ids.iter().map(|&id| terms.get(id)).collect();
                let mut want: Vec<String> = Vec::new();
                wb_word_grams(&spec, w, &mut padded, &mut bounds, &mut |g| want.push(g.to_string()));
                let mut got_sorted: Vec<&str> = got.clone();
                got_sorted.sort_unstable();
                want.sort_unstable();
                prop_assert_eq!(got_sorted, want);
            }
            prop_assert_eq!(created, terms.len());
            // no term was created twice
            let mut all: Vec<&str> = terms.iter().collect();
            all.sort_unstable();
            all.dedup();
            prop_assert_eq!(all.len(), terms.len());
        }
    }
}
