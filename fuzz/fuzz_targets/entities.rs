//! The gazetteer matcher and the entity recogniser (gazetteer + tagger).
//!
//! Input: one byte of option bits, then a gazetteer in the TSV format, NUL,
//! and the text (no NUL: the whole input is the text, with no gazetteer).
//! * bit 0: normalise the fuzzed gazetteer with the "arabic" preset
//!   (else with no normalisation), bit 1: also run the recogniser with the
//!   fuzzed gazetteer as user entries.
//!
//! The built-in gazetteer (`python/khabar/data/gazetteer.tsv`) and a tiny
//! tagger are built once. Checked, as `src/features/entities.rs` and
//! `src/recognizer.rs` promise: mentions are left to right, non-empty,
//! non-overlapping, inside the text (byte offsets on char boundaries,
//! character offsets within the character count) and name a real entry;
//! token ranges from `find_in_tokens` are in order and in bounds; a
//! recogniser's mentions never overlap; and every listed name, given as the
//! whole text, is found.
#![no_main]

use std::sync::{Arc, OnceLock};

use khabar::features::entities::{parse_tsv, Gazetteer, Mention};
use khabar::features::token_features::TokenFeaturizer;
use khabar::model::tagger::{EntityTagger, TagScratch, TaggerConfig};
use khabar::recognizer::Recognizer;
use khabar::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};
use libfuzzer_sys::fuzz_target;

const BUILTIN: &str = include_str!("../../python/khabar/data/gazetteer.tsv");

fn builtin() -> Gazetteer {
    Gazetteer::new(
        parse_tsv(BUILTIN).expect("built-in TSV parses"),
        NormalizerConfig::arabic(),
    )
    .expect("built-in gazetteer compiles")
}

/// A tiny tagger (the recogniser's unit-test one): enough to produce
/// tagger mentions that the merge rule must reconcile with names.
fn tagger() -> Arc<EntityTagger> {
    static T: OnceLock<Arc<EntityTagger>> = OnceLock::new();
    T.get_or_init(|| {
        let (mut s, mut t) = (Vec::new(), Vec::new());
        for (a, b) in [
            ("أحمد", "حسن"),
            ("محمد", "علي"),
            ("Donald", "Trump"),
            ("يوسف", "ترامب"),
        ] {
            s.push(vec!["قال", a, b, "إن", "الوضع", "جيد"]);
            t.push(vec!["O", "B-PER", "I-PER", "O", "O", "O"]);
            s.push(vec!["الوضع", "في", b, "جيد"]);
            t.push(vec!["O", "O", "B-LOC", "O"]);
        }
        let f = TokenFeaturizer::new(
            Normalizer::new(NormalizerConfig::arabic()),
            None,
            None,
            None,
        );
        Arc::new(EntityTagger::fit(&s, &t, f, &TaggerConfig::default()).expect("tagger trains"))
    })
    .clone()
}

/// Byte-offset mentions: ordered, non-empty, non-overlapping, in bounds.
fn check_bytes(g: &Gazetteer, text: &str, ms: &[Mention]) {
    let mut last = 0;
    for m in ms {
        assert!(
            m.start >= last && m.start < m.end && m.end <= text.len(),
            "bad mention {m:?} in {ms:?}"
        );
        assert!(
            text.is_char_boundary(m.start) && text.is_char_boundary(m.end),
            "{m:?} splits a char"
        );
        assert!(
            (m.entry as usize) < g.len(),
            "entry {} of {}",
            m.entry,
            g.len()
        );
        last = m.end;
    }
}

/// Every kind of lookup on one gazetteer.
fn check_gazetteer(g: &Gazetteer, text: &str) {
    let bytes = g.find_bytes(text);
    check_bytes(g, text, &bytes);
    let chars = g.find(text);
    assert_eq!(chars.len(), bytes.len());
    for (c, b) in chars.iter().zip(&bytes) {
        assert_eq!(c.start, text[..b.start].chars().count());
        assert_eq!(c.end, text[..b.end].chars().count());
        assert_eq!(c.entry, b.entry);
    }
    let tk = Tokenizer::new(TokenizerConfig {
        keep_punct: true,
        ..Default::default()
    });
    let toks = tk.tokens(text);
    let mut last = 0;
    for (first, end, entry) in g.find_in_tokens(&toks) {
        assert!(
            first >= last && first < end && end <= toks.len(),
            "bad token range {first}..{end}"
        );
        assert!((entry as usize) < g.len());
        last = end;
    }
}

fn check_recognizer(r: &Recognizer, text: &str) {
    let n_chars = text.chars().count();
    let found = r.find(text, &mut TagScratch::default());
    let mut last = 0;
    for f in &found {
        assert!(
            f.start >= last && f.start < f.end && f.end <= n_chars,
            "bad mention {f:?} in {found:?}"
        );
        last = f.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&bits, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let (tsv, text) = input.split_once('\0').unwrap_or(("", input));

    static BUILTIN_REC: OnceLock<Recognizer> = OnceLock::new();
    let rec = BUILTIN_REC.get_or_init(|| Recognizer {
        gazetteer: builtin(),
        n_user: 0,
        tagger: Some(tagger()),
        o_penalty: 0.0,
    });
    check_gazetteer(&rec.gazetteer, text);
    check_recognizer(rec, text);

    let Ok(entries) = parse_tsv(tsv) else {
        return;
    };
    let cfg = if bits & 1 != 0 {
        NormalizerConfig::arabic()
    } else {
        NormalizerConfig::none()
    };
    let Ok(g) = Gazetteer::new(entries, cfg) else {
        return;
    };
    check_gazetteer(&g, text);
    if bits & 2 != 0 {
        let rec = Recognizer {
            n_user: g.len(),
            gazetteer: g.clone(),
            tagger: Some(tagger()),
            o_penalty: 0.0,
        };
        check_recognizer(&rec, text);
    }
    // Every listed name, written alone, is found.
    let surfaces = g
        .entries
        .iter()
        .flat_map(|e| std::iter::once(&e.canonical).chain(&e.variants));
    for s in surfaces.take(8) {
        if !g.normalize(s).is_empty() {
            assert!(
                !g.find(s).is_empty(),
                "the listed name {s:?} is not found on its own"
            );
        }
    }
});
