//! Tests of [`super`] (normalisation, its fast path and the character
//! table), kept in their own file so the module stays readable.

use super::*;
use proptest::prelude::*;
use unicode_normalization::is_nfkc_quick;

fn n(s: &str) -> String {
    Normalizer::default().normalize(s)
}

#[test]
fn strips_diacritics_and_keeps_letters() {
    assert_eq!(n("الْعَرَبِيَّةُ"), "العربية");
    assert_eq!(n("مُحَمَّدٌ"), "محمد");
    // superscript alef
    assert_eq!(n("هٰذا"), "هذا");
}

#[test]
fn folds_alef_yeh_and_keeps_teh_marbuta_by_default() {
    assert_eq!(n("أحمد إلى آخر ٱلكتاب"), "احمد الي اخر الكتاب");
    assert_eq!(n("مدرسة"), "مدرسة");
    let mut cfg = NormalizerConfig::arabic();
    cfg.fold_teh_marbuta = true;
    assert_eq!(Normalizer::new(cfg).normalize("مدرسة"), "مدرسه");
}

#[test]
fn removes_tatweel_and_folds_digits() {
    assert_eq!(n("العـــربية"), "العربية");
    assert_eq!(n("عام ٢٠٢٠ و۱۴۰۰ و٣٫٥"), "عام 2020 و1400 و3.5");
}

#[test]
fn nfkc_folds_presentation_forms() {
    // U+FEE3 U+FEE4 ... are presentation forms of م ح م د
    assert_eq!(n("\u{FEE3}\u{FEA4}\u{FEE4}\u{FEAA}"), "محمد");
    // Lam-alef ligature
    assert_eq!(n("\u{FEFB}"), "لا");
}

#[test]
fn lowercases_any_script_and_collapses_whitespace() {
    assert_eq!(
        n("  Hello\t\tWORLD  ΑΘΗΝΑ Москва\n"),
        "hello world αθηνα москва"
    );
}

#[test]
fn removes_invisible_controls() {
    assert_eq!(n("\u{200F}بغداد\u{200E}"), "بغداد");
    assert_eq!(n("a\u{200B}b"), "a b");
    assert_eq!(n("\u{FEFF}x\u{00AD}y"), "xy");
}

#[test]
fn none_preset_is_identity() {
    let s = "  الْعَرَبِيَّةُ  HELLO ٢٠٢٠ \u{FEFB}";
    assert_eq!(Normalizer::new(NormalizerConfig::none()).normalize(s), s);
}

#[test]
fn refolds_hamza_composition() {
    // ا + combining hamza above: NFKC composes to أ, which then folds.
    assert_eq!(n("\u{0627}\u{0654}"), "ا");
    let mut cfg = NormalizerConfig::arabic();
    cfg.remove_diacritics = false;
    let nz = Normalizer::new(cfg);
    let once = nz.normalize("\u{0623}\u{0654}");
    assert_eq!(nz.normalize(&once), once);
}

#[test]
fn fast_quick_check_agrees_with_library() {
    let samples = [
        "بومبيو يهدد",
        "الْعَرَبِيَّةُ",
        "\u{0627}\u{0654}",
        "e\u{0301}",
        "\u{00E9}",
        "\u{FEFB}",
        "a\u{0316}\u{0301}",
        "a\u{0301}\u{0316}",
        "ﬁ",
        "\u{1D400}x",
        "\u{00A0}",
    ];
    for s in samples {
        assert_eq!(nfkc_quick(s), is_nfkc_quick(s.chars()), "{s:?}");
    }
}

#[test]
fn set_and_get_by_name() {
    let mut cfg = NormalizerConfig::none();
    for name in OPTION_NAMES {
        cfg.set(name, true).unwrap();
        assert!(cfg.get(name).unwrap());
    }
    assert!(cfg.set("bogus", true).is_err());
    assert!(NormalizerConfig::preset("bogus").is_err());
}

#[test]
fn py_space_matches_python_definition() {
    for c in [
        '\u{1C}', '\u{1F}', '\u{85}', '\u{A0}', '\u{3000}', '\u{2028}',
    ] {
        assert!(is_py_space(c), "{c:?}");
    }
    for c in ['\u{200B}', 'a', '\u{180E}'] {
        assert!(!is_py_space(c), "{c:?}");
    }
}

fn any_config() -> impl Strategy<Value = NormalizerConfig> {
    proptest::collection::vec(any::<bool>(), 10).prop_map(|b| NormalizerConfig {
        nfkc: b[0],
        lowercase: b[1],
        remove_diacritics: b[2],
        remove_tatweel: b[3],
        fold_alef: b[4],
        fold_yeh: b[5],
        fold_teh_marbuta: b[6],
        fold_digits: b[7],
        remove_controls: b[8],
        collapse_whitespace: b[9],
    })
}

fn arabicish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::char::range('\u{0600}', '\u{06FF}'),
            proptest::char::range('\u{0750}', '\u{077F}'),
            proptest::char::range('\u{08A0}', '\u{08FF}'),
            proptest::char::range('\u{FB50}', '\u{FEFF}'),
            proptest::char::range('\u{2000}', '\u{206F}'),
            proptest::char::range('\u{0300}', '\u{036F}'),
            proptest::char::range('A', 'z'),
            Just(' '),
            any::<char>(),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn idempotent(cfg in any_config(), s in arabicish()) {
        let nz = Normalizer::new(cfg);
        let once = nz.normalize(&s);
        prop_assert_eq!(nz.normalize(&once), once);
    }

    #[test]
    fn fast_pass_equals_general_path(cfg in any_config(), s in arabicish()) {
        let nz = Normalizer::new(cfg);
        let mut fast = String::new();
        if !cfg.is_identity() && nz.fast_pass(&s, &mut fast) {
            let mut slow = String::new();
            nz.one_pass(&s, &mut slow);
            prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn fast_quick_check_matches_library(s in arabicish()) {
        prop_assert_eq!(nfkc_quick(&s), is_nfkc_quick(s.chars()));
    }

    #[test]
    fn collapse_leaves_no_double_or_edge_spaces(s in arabicish()) {
        let out = n(&s);
        prop_assert!(!out.contains("  "));
        prop_assert!(!out.starts_with(' ') && !out.ends_with(' '));
        prop_assert!(!out.chars().any(|c| c != ' ' && is_py_space(c)));
    }
}
