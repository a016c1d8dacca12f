//! Tests of [`super`] (`TextVectorizer`: fit, transform, the transform
//! caches), kept in their own file so the module stays readable.

use super::*;
use crate::features::ngrams::AnalyzerKind;
use crate::features::tfidf::Norm;
use proptest::prelude::*;

fn cfg(analyzers: Vec<AnalyzerSpec>) -> TextVectorizerConfig {
    TextVectorizerConfig {
        analyzers,
        normalizer: NormalizerConfig::arabic(),
        tokenizer: TokenizerConfig::default(),
        stop_words: None,
        pruning: Pruning::default(),
        weighting: Weighting::default(),
        dtype: Dtype::F64,
        vocabulary: None,
    }
}

fn word() -> AnalyzerSpec {
    AnalyzerSpec::new(AnalyzerKind::Word, 1, 2).unwrap()
}

const DOCS: [&str; 4] = [
    "بومبيو يهدد بإغلاق السفارة في بغداد",
    "الكاظمي يلتقي بومبيو في واشنطن",
    "Trump and Pompeo in Baghdad",
    "السفارة الأميركية في بغداد",
];

#[test]
fn weighted_rows_have_the_entries_of_transform() {
    let specs = vec![
        word(),
        AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 4).unwrap(),
        AnalyzerSpec::new(AnalyzerKind::Char, 1, 2).unwrap(),
    ];
    let (m, _) = TextVectorizer::fit(cfg(specs), &DOCS, 1, false).unwrap();
    for _ in 0..2 {
        // twice: the second call runs on warm pooled workers
        let a = m.transform(&DOCS, 1).unwrap();
        let rows = m
            .map_weighted_rows(&DOCS, 2, Vec::new, |out, cols, vals| {
                let mut r: Vec<(i64, f64)> = cols
                    .iter()
                    .map(|&c| i64::from(c))
                    .zip(vals.iter().copied())
                    .collect();
                r.sort_by_key(|p| p.0);
                out.push(r);
            })
            .unwrap()
            .concat();
        let (ap, ai) = a.index_i64();
        assert_eq!(rows.len(), DOCS.len());
        for (r, y) in rows.iter().enumerate() {
            let (s, e) = (ap[r] as usize, ap[r + 1] as usize);
            let x: Vec<(i64, f64)> = ai[s..e]
                .iter()
                .copied()
                .zip(a.data_f64()[s..e].iter().copied())
                .collect();
            assert_eq!(x.len(), y.len());
            for (p, q) in x.iter().zip(y.iter()) {
                assert_eq!(p.0, q.0);
                assert!((p.1 - q.1).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn fit_transform_equals_fit_then_transform_and_is_thread_independent() {
    let specs = vec![
        word(),
        AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 4).unwrap(),
    ];
    let (m1, x1) = TextVectorizer::fit(cfg(specs.clone()), &DOCS, 1, true).unwrap();
    let (m2, x2) = TextVectorizer::fit(cfg(specs), &DOCS, 3, true).unwrap();
    assert_eq!(m1, m2);
    assert_eq!(x1, x2);
    let x3 = m1.transform(&DOCS, 2).unwrap();
    let (a, b) = (x1.unwrap(), x3);
    assert_eq!(a.index, b.index);
    for (p, q) in a.data_f64().iter().zip(b.data_f64()) {
        assert!((p - q).abs() < 1e-12);
    }
    a.check_invariants().unwrap();
}

#[test]
fn two_worker_merge_of_large_vocabularies_is_thread_independent() {
    // Large vocabularies through the two-worker merge (the second worker's
    // terms looked up in the first's and appended): half of the second
    // worker's terms are shared with the first, half are new to it.
    let docs: Vec<String> = (0..2000)
        .map(|d| {
            let base = if d < 1000 {
                d * 40
            } else {
                (d - 1000) * 40 + 20_000
            };
            (0..40)
                .map(|k| format!("w{}", base + k))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let (m1, x1) = TextVectorizer::fit(cfg(vec![word()]), &docs, 1, true).unwrap();
    let (m2, x2) = TextVectorizer::fit(cfg(vec![word()]), &docs, 2, true).unwrap();
    assert!(m1.n_features() > 100_000, "{}", m1.n_features());
    assert_eq!(m1, m2);
    assert_eq!(x1, x2);
}

#[test]
fn transform_caches_agree_with_fit_for_every_range() {
    let docs: Vec<String> = (0..60)
        .map(|i| format!("بغداد {} واشنطن {} a b a b {}", i % 5, i % 3, i % 7))
        .collect();
    for (kind, lo, hi) in [
        (AnalyzerKind::Word, 2, 3),
        (AnalyzerKind::Word, 1, 3),
        (AnalyzerKind::Word, 3, 3),
        (AnalyzerKind::CharWb, 1, 6),
    ] {
        let mut c = cfg(vec![AnalyzerSpec::new(kind, lo, hi).unwrap()]);
        c.pruning.min_df = crate::features::vocabulary::DfBound::Count(2);
        let (m, x) = TextVectorizer::fit(c, &docs[..40], 1, true).unwrap();
        let t = m.transform(&docs[..40], 1).unwrap();
        let x = x.unwrap();
        assert_eq!(x.index, t.index, "{kind:?} {lo}..{hi}");
        // unseen documents: still valid, and equal for 1 and 3 threads
        let a = m.transform(&docs[40..], 1).unwrap();
        assert_eq!(a, m.transform(&docs[40..], 3).unwrap());
        a.check_invariants().unwrap();
    }
}

#[test]
fn normalisation_merges_spellings() {
    let (m, _) =
        TextVectorizer::fit(cfg(vec![word()]), &["إلى بغداد", "الى بغداد"], 1, false).unwrap();
    assert_eq!(m.feature_names(), vec!["الي", "الي بغداد", "بغداد"]);
}

#[test]
fn stop_words_are_normalised_before_matching() {
    let mut c = cfg(vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 1).unwrap()]);
    c.stop_words = Some(vec!["إلى".into()]);
    let (m, _) = TextVectorizer::fit(c, &["الى بغداد"], 1, false).unwrap();
    assert_eq!(m.feature_names(), vec!["بغداد"]);
}

#[test]
fn fixed_vocabulary_learns_idf_only() {
    let mut c = cfg(vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 1).unwrap()]);
    c.vocabulary = Some(Vocabulary::from_terms(["بغداد", "zzz"]).unwrap());
    let (m, x) = TextVectorizer::fit(c, &DOCS, 1, true).unwrap();
    assert_eq!(m.feature_names(), vec!["بغداد", "zzz"]);
    let x = x.unwrap();
    assert_eq!(x.n_cols, 2);
    assert_eq!(x.nnz(), 2);
}

#[test]
fn errors_on_empty_corpus_and_duplicate_analyzers() {
    let empty: [&str; 0] = [];
    assert!(TextVectorizer::fit(cfg(vec![word()]), &empty, 1, false).is_err());
    assert!(TextVectorizer::fit(cfg(vec![word(), word()]), &DOCS, 1, false).is_err());
    assert!(TextVectorizer::fit(cfg(vec![word()]), &["", "  "], 1, false).is_err());
}

#[test]
fn unnormalised_rows_hold_counts() {
    let mut c = cfg(vec![AnalyzerSpec::new(AnalyzerKind::Word, 1, 1).unwrap()]);
    c.weighting = Weighting {
        use_idf: false,
        norm: Norm::None,
        ..Default::default()
    };
    let (_, x) = TextVectorizer::fit(c, &["a b a"], 1, true).unwrap();
    assert_eq!(x.unwrap().data_f64(), vec![2.0, 1.0]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn valid_csr_for_any_unicode_and_any_threads(
        docs in proptest::collection::vec("\\PC{0,30}", 1..12),
        threads in 1usize..4,
    ) {
        let mut docs = docs;
        docs.push("x".into()); // guarantee a non-empty vocabulary
        let specs = vec![word(), AnalyzerSpec::new(AnalyzerKind::Char, 1, 3).unwrap()];
        let (m, x) = TextVectorizer::fit(cfg(specs.clone()), &docs, threads, true).unwrap();
        let x = x.unwrap();
        prop_assert!(x.check_invariants().is_ok());
        let (_, x1) = TextVectorizer::fit(cfg(specs), &docs, 1, true).unwrap();
        prop_assert_eq!(&x, &x1.unwrap());
        prop_assert!(m.transform(&docs, threads).unwrap().check_invariants().is_ok());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Pruned fits close up the workers' regions of the output: the matrix
    /// equals a transform with the fitted model, for any thread count and
    /// either dtype.
    #[test]
    fn pruned_fit_transform_equals_transform(
        docs in proptest::collection::vec(
            proptest::collection::vec(prop::sample::select(&["a", "b", "c", "بغ", "د", "xy"][..]), 0..9),
            2..16,
        ),
        threads in 1usize..4,
        min_df in 1u64..3,
        max_features in prop::option::of(1usize..6),
        f32_out in any::<bool>(),
    ) {
        let mut docs: Vec<String> = docs.iter().map(|d| d.join(" ")).collect();
        docs.push("a b c".into());
        docs.push("a b c".into()); // something survives min_df = 2
        let mut c = cfg(vec![word(), AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 3).unwrap()]);
        c.pruning.min_df = crate::features::vocabulary::DfBound::Count(min_df);
        c.pruning.max_features = max_features;
        if f32_out {
            c.dtype = Dtype::F32;
        }
        let (m, x) = TextVectorizer::fit(c.clone(), &docs, threads, true).unwrap();
        let x = x.unwrap();
        prop_assert!(x.check_invariants().is_ok());
        prop_assert_eq!(matches!(x.data, crate::features::csr::CsrData::F32(_)), f32_out);
        let t = m.transform(&docs, 1).unwrap();
        prop_assert_eq!(&x.index, &t.index);
        for (p, q) in x.data_f64().iter().zip(t.data_f64()) {
            prop_assert!((p - q).abs() < 1e-6);
        }
        let (_, x1) = TextVectorizer::fit(c, &docs, 1, true).unwrap();
        prop_assert_eq!(&x, &x1.unwrap());
    }
}
