//! N-gram analyzers, the hashing vectorizer and `TextVectorizer` fit and
//! transform on a small batch of documents.
//!
//! Input: six header bytes, then up to 8 documents separated by NUL.
//! * byte 0: analyzers (bit 0 word, 1 char, 2 char_wb; none set = word),
//!   bit 3 two threads, bit 4 stop words, bit 5 fit on the first half only,
//!   bit 6 keep_punct, bit 7 segment_clitics;
//! * byte 1: word n-gram range, byte 2: char (low nibble) and char_wb (high
//!   nibble) ranges, each `min = 1 + (x & 3)`, `max = min + (x >> 2 & 3)`;
//! * byte 3: hashing `n_features` (bits 0-4: 1..=32, bit 5: 2**31 - 1),
//!   bit 6 alternate_sign, bit 7 split_hashtags;
//! * bytes 4-5: normaliser switches (as in the `normalize` target).
//!
//! The reference is `for_each_ngram` on each normalised document, which
//! follows scikit-learn's definitions. Checked: the number and shape of the
//! n-grams; the fitted vocabulary is exactly the set of n-grams seen, sorted;
//! fit-transform and transform give exactly the reference counts (the fit
//! and transform paths have their own fast word and char_wb counters); a
//! second transform (warm worker caches) gives the same matrix; the hashing
//! vectorizer's rows are the reference n-grams hashed.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use khabar::features::csr::{CsrMatrix, Dtype};
use khabar::features::hashing::{bucket, HashingConfig, HashingVectorizer};
use khabar::features::ngrams::{
    build_stop_set, for_each_ngram, for_each_wb_word, word_tokens, AnalyzerKind, AnalyzerSpec,
    Scratch,
};
use khabar::features::tfidf::{Norm, Weighting};
use khabar::features::vectorizer::{TextVectorizer, TextVectorizerConfig};
use khabar::features::vocabulary::Pruning;
use khabar::text::normalize::{is_py_space, OPTION_NAMES};
use khabar::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};
use libfuzzer_sys::fuzz_target;

fn range(x: u8) -> (usize, usize) {
    let min = 1 + usize::from(x & 3);
    (min, min + usize::from(x >> 2 & 3))
}

/// scikit-learn's `re.sub(r"\s\s+", " ", text)`, as the char analyzer does.
fn sklearn_collapse(text: &str) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_py_space(chars[i]) && chars.get(i + 1).is_some_and(|&c| is_py_space(c)) {
            while chars.get(i).is_some_and(|&c| is_py_space(c)) {
                i += 1;
            }
            out.push(' ');
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// How many n-grams of sizes `min..=max` a sequence of `len` units has.
fn windows(len: usize, min: usize, max: usize) -> usize {
    (min..=max.min(len)).map(|n| len - n + 1).sum()
}

/// Rows of a matrix as sorted (column, value) lists.
fn rows(m: &CsrMatrix) -> Vec<Vec<(i64, f64)>> {
    m.check_invariants().expect("valid CSR");
    let (indptr, indices) = m.index_i64();
    let data = m.data_f64();
    (0..m.n_rows)
        .map(|r| {
            let (a, b) = (indptr[r] as usize, indptr[r + 1] as usize);
            indices[a..b]
                .iter()
                .copied()
                .zip(data[a..b].iter().copied())
                .collect()
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let (head, rest) = data.split_at(6);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let docs: Vec<&str> = text.split('\0').take(8).collect();
    let threads = if head[0] & 8 != 0 { 2 } else { 1 };

    let mut specs = Vec::new();
    let kinds = [
        (AnalyzerKind::Word, range(head[1])),
        (AnalyzerKind::Char, range(head[2] & 0xF)),
        (AnalyzerKind::CharWb, range(head[2] >> 4)),
    ];
    for (i, &(kind, (lo, hi))) in kinds.iter().enumerate() {
        if head[0] & (1 << i) != 0 || (i == 0 && head[0] & 7 == 0) {
            specs.push(AnalyzerSpec::new(kind, lo, hi).expect("a valid range"));
        }
    }
    let mut ncfg = NormalizerConfig::none();
    let nbits = u16::from_le_bytes([head[4], head[5]]);
    for (i, name) in OPTION_NAMES.iter().enumerate() {
        ncfg.set(name, nbits & (1 << i) != 0)
            .expect("a known option");
    }
    let tcfg = TokenizerConfig {
        keep_punct: head[0] & 64 != 0,
        split_hashtags: head[3] & 128 != 0,
        segment_clitics: head[0] & 128 != 0,
    };
    let normalizer = Normalizer::new(ncfg);
    let tokenizer = Tokenizer::new(tcfg);
    let stop_words: Option<Vec<String>> = (head[0] & 16 != 0).then(|| {
        tokenizer
            .tokens(docs[0])
            .into_iter()
            .take(2)
            .map(String::from)
            .collect()
    });
    let stop = stop_words.as_ref().map(|w| build_stop_set(w, &normalizer));

    // Reference counts: counts[doc][block][term].
    let mut scratch = Scratch::default();
    let mut counts: Vec<Vec<BTreeMap<String, u32>>> = Vec::new();
    for doc in &docs {
        let norm = normalizer.normalize(doc);
        let mut per_block = Vec::new();
        for spec in &specs {
            let mut grams: Vec<String> = Vec::new();
            for_each_ngram(
                spec,
                &tokenizer,
                stop.as_ref(),
                &norm,
                &mut scratch,
                &mut |g| grams.push(g.to_string()),
            );
            let (lo, hi) = (spec.min_n, spec.max_n);
            let expected = match spec.kind {
                AnalyzerKind::Word => {
                    let mut toks = Vec::new();
                    word_tokens(&tokenizer, stop.as_ref(), &norm, &mut toks);
                    for g in &grams {
                        let n = g.split(' ').count();
                        assert!(
                            (lo..=hi).contains(&n),
                            "word {n}-gram {g:?} outside {lo}..={hi}"
                        );
                    }
                    windows(toks.len(), lo, hi)
                }
                AnalyzerKind::Char => {
                    for g in &grams {
                        let n = g.chars().count();
                        assert!(
                            (lo..=hi).contains(&n),
                            "char {n}-gram {g:?} outside {lo}..={hi}"
                        );
                    }
                    windows(sklearn_collapse(&norm).len(), lo, hi)
                }
                AnalyzerKind::CharWb => {
                    let mut total = 0;
                    for_each_wb_word(&norm, |w| {
                        let padded = w.chars().count() + 2;
                        // a word shorter than n is counted once, then stop
                        for n in lo..=hi {
                            if n >= padded {
                                total += 1;
                                break;
                            }
                            total += padded - n + 1;
                        }
                    });
                    for g in &grams {
                        let n = g.chars().count();
                        assert!(n <= hi, "char_wb {n}-gram {g:?} longer than {hi}");
                        assert!(
                            !g.trim_matches(' ').chars().any(is_py_space),
                            "char_wb gram {g:?} crosses a word"
                        );
                    }
                    total
                }
            };
            assert_eq!(
                grams.len(),
                expected,
                "{:?} {lo}..={hi} on {norm:?}",
                spec.kind
            );
            let mut m = BTreeMap::new();
            for g in grams {
                assert!(!g.is_empty(), "empty n-gram");
                *m.entry(g).or_insert(0) += 1;
            }
            per_block.push(m);
        }
        counts.push(per_block);
    }

    // TextVectorizer with raw counts, fitted on all or the first half.
    let n_fit = if head[0] & 32 != 0 {
        docs.len().div_ceil(2)
    } else {
        docs.len()
    };
    let config = TextVectorizerConfig {
        analyzers: specs.clone(),
        normalizer: ncfg,
        tokenizer: tcfg,
        stop_words: stop_words.clone(),
        pruning: Pruning::default(),
        weighting: Weighting {
            binary: false,
            use_idf: false,
            smooth_idf: true,
            sublinear_tf: false,
            norm: Norm::None,
        },
        dtype: Dtype::F64,
        vocabulary: None,
    };
    let seen: Vec<BTreeSet<&str>> = (0..specs.len())
        .map(|b| {
            counts[..n_fit]
                .iter()
                .flat_map(|d| d[b].keys().map(String::as_str))
                .collect()
        })
        .collect();
    let fitted = TextVectorizer::fit(config, &docs[..n_fit], threads, true);
    if seen.iter().any(BTreeSet::is_empty) {
        assert!(
            fitted.is_err(),
            "fit succeeded although a block has no terms"
        );
    } else {
        let (model, x) = fitted.expect("fit fails although every block has terms");
        let offsets = model.offsets();
        for (b, block) in model.blocks.iter().enumerate() {
            let terms = block.vocab.terms();
            assert_eq!(
                terms,
                seen[b].iter().copied().collect::<Vec<_>>(),
                "vocabulary of block {b}"
            );
        }
        // expected rows: reference counts of terms in the vocabulary
        let expected: Vec<Vec<(i64, f64)>> = counts
            .iter()
            .map(|d| {
                let mut row: Vec<(i64, f64)> = Vec::new();
                for (b, m) in d.iter().enumerate() {
                    let vocab = &model.blocks[b].vocab;
                    row.extend(m.iter().filter_map(|(g, &c)| {
                        vocab
                            .get(g)
                            .map(|col| (i64::from(col + offsets[b]), f64::from(c)))
                    }));
                }
                row.sort_by_key(|p| p.0);
                row
            })
            .collect();
        let x = x.expect("fit with transform returns a matrix");
        assert_eq!(rows(&x), expected[..n_fit], "fit-transform counts");
        let t1 = model.transform(&docs, threads).expect("transform");
        assert_eq!(rows(&t1), expected, "transform counts");
        let t2 = model.transform(&docs, 1).expect("transform");
        assert_eq!(
            t1, t2,
            "a second transform (warm caches, one thread) differs"
        );
    }

    // HashingVectorizer: every reference n-gram, hashed and signed.
    let n_features = if head[3] & 32 != 0 {
        i32::MAX as u32
    } else {
        1 + u32::from(head[3] & 31)
    };
    let alternate_sign = head[3] & 64 != 0;
    let hv = HashingVectorizer::new(HashingConfig {
        analyzers: specs,
        normalizer: ncfg,
        tokenizer: tcfg,
        stop_words,
        n_features,
        alternate_sign,
        binary: false,
        norm: Norm::None,
        dtype: Dtype::F64,
    })
    .expect("valid hashing config");
    let expected: Vec<Vec<(i64, f64)>> = counts
        .iter()
        .map(|d| {
            let mut acc: BTreeMap<i64, f64> = BTreeMap::new();
            for (g, &c) in d.iter().flat_map(|m| m.iter()) {
                let (col, sign) = bucket(g, n_features);
                let v = if alternate_sign { sign } else { 1.0 };
                *acc.entry(i64::from(col)).or_insert(0.0) += v * f64::from(c);
            }
            acc.into_iter().filter(|p| p.1 != 0.0).collect()
        })
        .collect();
    let h = hv.transform(&docs, threads).expect("hashing transform");
    assert_eq!(h.n_cols, n_features as usize);
    assert_eq!(rows(&h), expected, "hashed rows");
});
