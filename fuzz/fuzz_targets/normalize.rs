//! The normaliser on arbitrary UTF-8 with every combination of switches.
//!
//! Input: two bytes of option bits (one per switch, in `OPTION_NAMES`
//! order), then the text. Checks what `src/text/normalize.rs` promises:
//! idempotence for every input and config, identity when every switch is
//! off, `normalize_into` equal to `normalize` whatever the buffer held, and
//! that each enabled removal/fold leaves none of its characters behind.
#![no_main]

use khabar::text::normalize::{
    is_arabic_diacritic, is_invisible_control, is_py_space, OPTION_NAMES,
};
use khabar::text::{Normalizer, NormalizerConfig};
use libfuzzer_sys::fuzz_target;

fn config(bits: u16) -> NormalizerConfig {
    let mut cfg = NormalizerConfig::none();
    for (i, name) in OPTION_NAMES.iter().enumerate() {
        cfg.set(name, bits & (1 << i) != 0).expect("a known option");
    }
    cfg
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let Ok(text) = std::str::from_utf8(&data[2..]) else {
        return;
    };
    let cfg = config(u16::from_le_bytes([data[0], data[1]]));
    let nz = Normalizer::new(cfg);
    let once = nz.normalize(text);

    let mut buf = String::from("stale contents \u{0623}");
    nz.normalize_into(text, &mut buf);
    assert_eq!(buf, once, "normalize_into differs from normalize");

    let twice = nz.normalize(&once);
    assert_eq!(twice, once, "not idempotent for {cfg:?} on {text:?}");

    if cfg == NormalizerConfig::none() {
        assert_eq!(once, text, "the none preset changed the text");
    }
    if cfg.collapse_whitespace {
        assert!(
            !once.starts_with(' ') && !once.ends_with(' '),
            "untrimmed: {once:?}"
        );
        assert!(!once.contains("  "), "double space: {once:?}");
        assert!(
            !once.chars().any(|c| c != ' ' && is_py_space(c)),
            "whitespace other than ' ' left: {once:?}"
        );
    }
    for c in once.chars() {
        assert!(
            !(cfg.remove_diacritics && is_arabic_diacritic(c)),
            "diacritic {c:?} left"
        );
        assert!(
            !(cfg.remove_controls && (is_invisible_control(c) || c == '\u{200B}')),
            "control {c:?} left"
        );
        assert!(!(cfg.remove_tatweel && c == '\u{0640}'), "tatweel left");
        assert!(
            !(cfg.fold_alef
                && matches!(
                    c,
                    '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}'
                )),
            "unfolded alef {c:?}"
        );
        assert!(
            !(cfg.fold_yeh && matches!(c, '\u{0649}' | '\u{06CC}')),
            "unfolded yeh {c:?}"
        );
        assert!(
            !(cfg.fold_teh_marbuta && c == '\u{0629}'),
            "unfolded teh marbuta"
        );
        assert!(
            !(cfg.fold_digits
                && matches!(c, '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' | '\u{066B}' | '\u{066C}')),
            "unfolded digit {c:?}"
        );
    }
});
