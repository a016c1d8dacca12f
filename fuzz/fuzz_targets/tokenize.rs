//! The tokenizer (and the clitic segmenter it calls) on arbitrary UTF-8.
//!
//! Input: one byte of option bits (keep_punct, split_hashtags,
//! segment_clitics), then the text. Checks what `src/text/tokenize.rs` and
//! `src/text/stem.rs` promise: spans are non-empty, in order, inside the
//! text and on char boundaries, hold no whitespace, and cover every
//! non-whitespace character; tokens are slices of the text or static clitic
//! markers; a segmentation rebuilds its word exactly.
#![no_main]

use khabar::text::normalize::is_py_space;
use khabar::text::stem::segment;
use khabar::text::tokenize::scan;
use khabar::text::{TokenKind, Tokenizer, TokenizerConfig};
use libfuzzer_sys::fuzz_target;

/// Whether `part` is a sub-slice of `whole` (same memory, not just equal).
fn is_slice_of(part: &str, whole: &str) -> bool {
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    p >= w && p + part.len() <= w + whole.len()
}

fuzz_target!(|data: &[u8]| {
    let Some((&bits, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let cfg = TokenizerConfig {
        keep_punct: bits & 1 != 0,
        split_hashtags: bits & 2 != 0,
        segment_clitics: bits & 4 != 0,
    };

    // The scanner: ordered, non-empty, in-bounds spans on char boundaries
    // that cover every non-whitespace character and hold no whitespace.
    let mut spans = Vec::new();
    scan(text, |sp| spans.push(sp));
    let mut last = 0;
    let mut covered = vec![false; text.len()];
    for sp in &spans {
        assert!(
            sp.start >= last,
            "spans out of order or overlapping: {spans:?}"
        );
        assert!(sp.end > sp.start && sp.end <= text.len(), "bad span {sp:?}");
        assert!(
            text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end),
            "{sp:?} splits a char"
        );
        let tok = &text[sp.start..sp.end];
        assert!(
            !tok.chars().any(is_py_space),
            "whitespace inside token {tok:?}"
        );
        covered[sp.start..sp.end].iter_mut().for_each(|c| *c = true);
        last = sp.end;
    }
    for (i, ch) in text.char_indices() {
        assert!(
            is_py_space(ch) || covered[i],
            "{ch:?} at byte {i} is in no token"
        );
    }

    // The tokenizer: every token is a non-empty slice of the text or a
    // static clitic marker; with no splitting options the tokens are the
    // scanner's spans (minus punctuation unless kept).
    let tk = Tokenizer::new(cfg);
    let mut toks: Vec<(&str, TokenKind)> = Vec::new();
    tk.for_each(text, |t, k| toks.push((t, k)));
    for &(t, _) in &toks {
        assert!(!t.is_empty(), "empty token");
        let marker = t.starts_with('+') || t.ends_with('+');
        assert!(
            is_slice_of(t, text) || (cfg.segment_clitics && marker),
            "token {t:?} is neither a slice of the text nor a clitic marker"
        );
    }
    let plain: Vec<&str> = toks.iter().map(|p| p.0).collect();
    assert_eq!(tk.tokens(text), plain, "tokens() differs from for_each()");
    if !cfg.split_hashtags && !cfg.segment_clitics {
        let expected: Vec<&str> = spans
            .iter()
            .filter(|sp| cfg.keep_punct || sp.kind != TokenKind::Punct)
            .map(|sp| &text[sp.start..sp.end])
            .collect();
        assert_eq!(plain, expected, "tokens differ from the scanner's spans");
    }

    // The segmenter on every word: exact reconstruction, stem a slice of
    // the word, a changed stem at least 3 letters long.
    for sp in spans.iter().filter(|sp| sp.kind == TokenKind::Word) {
        let word = &text[sp.start..sp.end];
        let seg = segment(word);
        assert_eq!(
            seg.surface(),
            word,
            "segmentation does not rebuild {word:?}: {seg:?}"
        );
        assert!(
            is_slice_of(seg.stem, word),
            "stem of {word:?} is not a slice of it"
        );
        if seg.stem != word {
            assert!(seg.stem.chars().count() >= 3, "stem too short: {seg:?}");
        }
    }
});
