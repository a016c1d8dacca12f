//! N-gram analyzers: word n-grams over tokens, character n-grams over the
//! whole text (`char`) or inside word boundaries (`char_wb`).
//!
//! The character analyzers reproduce scikit-learn's `_char_ngrams` and
//! `_char_wb_ngrams` exactly (runs of two or more whitespace characters become
//! one space first; `char_wb` pads each whitespace-separated word with one
//! space on each side and counts a word shorter than `n` once), so that with
//! normalisation off our vocabulary and matrix equal `TfidfVectorizer`'s. The
//! word analyzer joins tokens with one space, as scikit-learn does.
//!
//! Analyzers never allocate per n-gram: they hand out `&str` slices of the
//! text, or of one reused buffer for joined word n-grams.

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::interner::hash_str;
use crate::text::normalize::is_py_space;
use crate::text::utf8::{char_at, next_space_candidate};
use crate::text::{Normalizer, Tokenizer};

/// Which unit n-grams are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnalyzerKind {
    Word,
    Char,
    CharWb,
}

impl AnalyzerKind {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "word" => Ok(Self::Word),
            "char" => Ok(Self::Char),
            "char_wb" => Ok(Self::CharWb),
            other => Err(Error::param(
                "analyzer",
                format!("unknown analyzer {other:?}; expected \"word\", \"char\" or \"char_wb\""),
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Word => "word",
            Self::Char => "char",
            Self::CharWb => "char_wb",
        }
    }
}

/// One analyzer: a kind and an inclusive n-gram range.
///
/// Deserialising checks the range like [`AnalyzerSpec::new`]: a model file
/// is input, and a range of 0 (word n-grams panic) or 2**60 (a buffer per
/// n-gram size) must be refused when it is loaded, not when it is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SpecData")]
pub struct AnalyzerSpec {
    pub kind: AnalyzerKind,
    pub min_n: usize,
    pub max_n: usize,
}

/// The serialised form of [`AnalyzerSpec`] (same fields, so the same wire
/// format), before its range is checked.
#[derive(Deserialize)]
struct SpecData {
    kind: AnalyzerKind,
    min_n: usize,
    max_n: usize,
}

impl TryFrom<SpecData> for AnalyzerSpec {
    type Error = Error;
    fn try_from(d: SpecData) -> Result<Self> {
        Self::new(d.kind, d.min_n, d.max_n)
    }
}

/// Longest n-gram we accept. Longer ranges are almost certainly a mistake and
/// would make the per-document work grow with n * length.
pub const MAX_NGRAM: usize = 64;

impl AnalyzerSpec {
    pub fn new(kind: AnalyzerKind, min_n: usize, max_n: usize) -> Result<Self> {
        if min_n == 0 || max_n < min_n || max_n > MAX_NGRAM {
            return Err(Error::param(
                "ngram_range",
                format!("({min_n}, {max_n}) is invalid; need 1 <= min_n <= max_n <= {MAX_NGRAM}"),
            ));
        }
        Ok(Self { kind, min_n, max_n })
    }
}

/// Reusable buffers for one thread's analysis.
#[derive(Default)]
pub struct Scratch {
    pub normalized: String,
    pub joined: String,
    pub bounds: Vec<usize>,
    pub collapsed: String,
    pub word: String,
}

/// Stop words after normalisation, ready for lookup.
pub type StopSet = FxHashSet<String>;

/// Build the stop set: normalise every entry with the model's normaliser so
/// that «إلى» in the list matches «الى» in normalised text.
pub fn build_stop_set(words: &[String], normalizer: &Normalizer) -> StopSet {
    words
        .iter()
        .map(|w| normalizer.normalize(w))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Call `emit` for every n-gram of already-normalised `text`.
///
/// The emitted `&str` is only valid during the call (it may live in a
/// scratch buffer).
pub fn for_each_ngram(
    spec: &AnalyzerSpec,
    tokenizer: &Tokenizer,
    stop: Option<&StopSet>,
    text: &str,
    scratch: &mut Scratch,
    emit: &mut dyn FnMut(&str),
) {
    match spec.kind {
        AnalyzerKind::Word => word_ngrams(spec, tokenizer, stop, text, scratch, emit),
        AnalyzerKind::Char => {
            collapse_runs(text, &mut scratch.collapsed);
            char_ngrams(spec, &scratch.collapsed, &mut scratch.bounds, emit);
        }
        AnalyzerKind::CharWb => {
            let Scratch { word, bounds, .. } = scratch;
            for_each_wb_word(text, |w| {
                word.clear();
                word.push(' ');
                word.push_str(w);
                word.push(' ');
                char_wb_word(spec, word, bounds, emit);
            });
        }
    }
}

/// The tokens the word analyzer uses: tokenizer output minus stop words.
pub fn word_tokens<'a>(
    tokenizer: &Tokenizer,
    stop: Option<&StopSet>,
    text: &'a str,
    out: &mut Vec<&'a str>,
) {
    tokenizer.for_each(text, |t, _| {
        if stop.is_none_or(|s| !s.contains(t)) {
            out.push(t);
        }
    });
}

fn word_ngrams(
    spec: &AnalyzerSpec,
    tokenizer: &Tokenizer,
    stop: Option<&StopSet>,
    text: &str,
    scratch: &mut Scratch,
    emit: &mut dyn FnMut(&str),
) {
    let mut tokens: Vec<&str> = Vec::new();
    word_tokens(tokenizer, stop, text, &mut tokens);
    let n_tok = tokens.len();
    for n in spec.min_n..=spec.max_n.min(n_tok) {
        if n == 1 {
            tokens.iter().for_each(|t| emit(t));
            continue;
        }
        for window in tokens.windows(n) {
            let buf = &mut scratch.joined;
            buf.clear();
            for (k, t) in window.iter().enumerate() {
                if k > 0 {
                    buf.push(' ');
                }
                buf.push_str(t);
            }
            emit(buf);
        }
    }
}

/// Call `f` for each word `char_wb` sees. scikit-learn collapses runs of
/// whitespace first, but splitting on whitespace and dropping empty pieces
/// gives the same words either way, so we skip that copy of the text.
pub fn for_each_wb_word(text: &str, mut f: impl FnMut(&str)) {
    // Only bytes that may start a space are looked at (see
    // `next_space_candidate`); most characters are never decoded.
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    loop {
        i = next_space_candidate(bytes, i);
        if i >= bytes.len() {
            break;
        }
        let (c, len) = char_at(text, i);
        if !is_py_space(c) {
            i += len;
            continue;
        }
        if start < i {
            f(&text[start..i]);
        }
        i += len;
        start = i;
    }
    if start < bytes.len() {
        f(&text[start..]);
    }
}

/// Append to `out` each word [`for_each_wb_word`] sees in `text`, as its
/// byte range and [`hash_str`]: what the word caches look words up by,
/// gathered first so that their lookups can be prefetched.
pub fn wb_word_spans(text: &str, out: &mut Vec<(usize, usize, u64)>) {
    for_each_wb_word(text, |w| {
        let at = w.as_ptr() as usize - text.as_ptr() as usize;
        out.push((at, at + w.len(), hash_str(w)));
    });
}

/// The `char_wb` n-grams of one word (padded with a space on each side).
pub fn wb_word_grams(
    spec: &AnalyzerSpec,
    word: &str,
    padded: &mut String,
    bounds: &mut Vec<usize>,
    emit: &mut dyn FnMut(&str),
) {
    padded.clear();
    padded.push(' ');
    padded.push_str(word);
    padded.push(' ');
    char_wb_word(spec, padded, bounds, emit);
}

/// scikit-learn's `re.sub(r"\s\s+", " ", text)`: only runs of two or more
/// whitespace characters are replaced; a single tab or newline stays.
fn collapse_runs(text: &str, out: &mut String) {
    out.clear();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_py_space(c) && chars.peek().is_some_and(|&n| is_py_space(n)) {
            while chars.peek().is_some_and(|&n| is_py_space(n)) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// Byte offsets of every char boundary of `s`, including `s.len()`.
fn char_bounds(s: &str, bounds: &mut Vec<usize>) {
    bounds.clear();
    bounds.extend(s.char_indices().map(|(i, _)| i));
    bounds.push(s.len());
}

fn char_ngrams(
    spec: &AnalyzerSpec,
    text: &str,
    bounds: &mut Vec<usize>,
    emit: &mut dyn FnMut(&str),
) {
    char_bounds(text, bounds);
    let len = bounds.len() - 1;
    for n in spec.min_n..=spec.max_n.min(len) {
        for i in 0..=(len - n) {
            emit(&text[bounds[i]..bounds[i + n]]);
        }
    }
}

fn char_wb_word(spec: &AnalyzerSpec, w: &str, bounds: &mut Vec<usize>, emit: &mut dyn FnMut(&str)) {
    char_bounds(w, bounds);
    let w_len = bounds.len() - 1;
    for n in spec.min_n..=spec.max_n {
        let end = n.min(w_len);
        emit(&w[bounds[0]..bounds[end]]);
        if n >= w_len {
            // a word shorter than n is counted once, as in scikit-learn
            break;
        }
        for offset in 1..=(w_len - n) {
            emit(&w[bounds[offset]..bounds[offset + n]]);
        }
    }
}

/// Normalise then analyse one document with every analyzer of a vectorizer.
pub struct Analyzers<'a> {
    pub normalizer: &'a Normalizer,
    pub tokenizer: &'a Tokenizer,
    pub stop: Option<&'a StopSet>,
    pub specs: &'a [AnalyzerSpec],
}

impl Analyzers<'_> {
    /// Normalise `doc` once, then call `emit(block, ngram)` for each n-gram of
    /// each analyzer block.
    pub fn analyze(&self, doc: &str, scratch: &mut Scratch, emit: &mut dyn FnMut(usize, &str)) {
        let mut normalized = std::mem::take(&mut scratch.normalized);
        self.normalizer.normalize_into(doc, &mut normalized);
        for (b, spec) in self.specs.iter().enumerate() {
            for_each_ngram(
                spec,
                self.tokenizer,
                self.stop,
                &normalized,
                scratch,
                &mut |g| emit(b, g),
            );
        }
        scratch.normalized = normalized;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(kind: AnalyzerKind, lo: usize, hi: usize, text: &str) -> Vec<String> {
        let spec = AnalyzerSpec::new(kind, lo, hi).unwrap();
        let mut out = vec![];
        let mut scratch = Scratch::default();
        for_each_ngram(
            &spec,
            &Tokenizer::default(),
            None,
            text,
            &mut scratch,
            &mut |g| out.push(g.to_string()),
        );
        out
    }

    #[test]
    fn char_wb_matches_sklearn_definition() {
        // sklearn: [' a', 'a ', ' a '] for "a" with (2, 5): short word once
        assert_eq!(
            grams(AnalyzerKind::CharWb, 2, 5, "a"),
            vec![" a", "a ", " a "]
        );
        assert_eq!(
            grams(AnalyzerKind::CharWb, 2, 3, "ab  c"),
            vec![" a", "ab", "b ", " ab", "ab ", " c", "c ", " c "]
        );
    }

    #[test]
    fn char_keeps_single_newline_and_collapses_runs() {
        assert_eq!(grams(AnalyzerKind::Char, 2, 2, "a\nb"), vec!["a\n", "\nb"]);
        assert_eq!(
            grams(AnalyzerKind::Char, 1, 2, "a \n\tb"),
            vec!["a", " ", "b", "a ", " b"]
        );
    }

    #[test]
    fn word_ngrams_join_with_space_and_skip_stop_words() {
        assert_eq!(
            grams(AnalyzerKind::Word, 1, 2, "a b c"),
            vec!["a", "b", "c", "a b", "b c"]
        );
        let stop: StopSet = ["b".to_string()].into_iter().collect();
        let spec = AnalyzerSpec::new(AnalyzerKind::Word, 2, 3).unwrap();
        let mut out = vec![];
        for_each_ngram(
            &spec,
            &Tokenizer::default(),
            Some(&stop),
            "a b c",
            &mut Scratch::default(),
            &mut |g| out.push(g.to_string()),
        );
        assert_eq!(out, vec!["a c"]);
    }

    #[test]
    fn arabic_char_ngrams_are_code_points() {
        assert_eq!(
            grams(AnalyzerKind::Char, 2, 2, "بغداد"),
            vec!["بغ", "غد", "دا", "اد"]
        );
    }

    #[test]
    fn bad_ranges_are_rejected() {
        assert!(AnalyzerSpec::new(AnalyzerKind::Word, 0, 1).is_err());
        assert!(AnalyzerSpec::new(AnalyzerKind::Word, 3, 2).is_err());
        assert!(AnalyzerSpec::new(AnalyzerKind::Word, 1, 1000).is_err());
        assert!(AnalyzerKind::parse("chars").is_err());
    }

    #[test]
    fn bad_ranges_are_rejected_when_loaded() {
        // A model file with a word range of (0, 0) loaded, then panicked in
        // `windows(0)` at transform (found by the `model_load` fuzz target).
        let good = AnalyzerSpec::new(AnalyzerKind::Word, 1, 2).unwrap();
        let bytes = postcard::to_stdvec(&good).unwrap();
        assert_eq!(postcard::from_bytes::<AnalyzerSpec>(&bytes).unwrap(), good);
        for (lo, hi) in [(0, 0), (0, 1), (3, 2), (1, 1 << 60)] {
            let mut bad = good;
            (bad.min_n, bad.max_n) = (lo, hi);
            let bytes = postcard::to_stdvec(&bad).unwrap();
            assert!(
                postcard::from_bytes::<AnalyzerSpec>(&bytes).is_err(),
                "({lo}, {hi}) loaded"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn wb_words_are_the_whitespace_split(
            s in "([ \t\n\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{205f}\u{3000}\u{1c}]|\\PC){0,40}"
        ) {
            let mut got = Vec::new();
            for_each_wb_word(&s, |w| got.push(w.to_string()));
            let want: Vec<String> = s
                .split(is_py_space)
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
