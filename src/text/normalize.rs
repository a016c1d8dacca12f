//! Arabic-aware text normalisation.
//!
//! Each step is an independent, documented switch in [`NormalizerConfig`]; the
//! config is serialised into every fitted object that uses it, so a model
//! always normalises new text exactly the way it normalised its training
//! text. Steps run in a fixed order:
//!
//! 1. `nfkc`: Unicode NFKC. Folds Arabic presentation forms (U+FB50..U+FEFF)
//!    to their base letters, full-width Latin to ASCII, ligatures, etc.
//! 2. `lowercase`: Unicode-aware lowercasing (Latin, Cyrillic, Greek, ...).
//!    Arabic has no case and is untouched.
//! 3. A single per-character pass doing the remaining switches:
//!    `remove_diacritics` (harakat, tanween, shadda, sukun, superscript alef,
//!    Quranic annotation marks), `remove_tatweel` (U+0640), `fold_alef`
//!    (أ إ آ ٱ and wavy-hamza alefs -> ا), `fold_yeh` (ى and Persian ی -> ي),
//!    `fold_teh_marbuta` (ة -> ه, off by default because it merges real
//!    words), `fold_digits` (Arabic-Indic ٠-٩ and Persian ۰-۹ -> 0-9, and the
//!    Arabic decimal/thousands separators ٫ ٬ -> . ,), `remove_controls`
//!    (bidi marks, zero-width joiners, BOM, soft hyphen; a zero-width space
//!    becomes a space because it separates words) and `collapse_whitespace`
//!    (every run of Unicode whitespace -> one ASCII space, trimmed).
//!
//! Normalisation is idempotent: `n(n(x)) == n(x)` for every input (a property
//! test checks it). Folding can create a sequence that NFKC would compose
//! again (ا + U+0654 -> أ), so when that can happen the pass is repeated until
//! nothing changes; in practice this costs one cheap quick-check.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::error::{Error, Result};
use crate::text::utf8::char_at;

/// Which normalisation steps run. See the module docs for what each does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NormalizerConfig {
    pub nfkc: bool,
    pub lowercase: bool,
    pub remove_diacritics: bool,
    pub remove_tatweel: bool,
    pub fold_alef: bool,
    pub fold_yeh: bool,
    pub fold_teh_marbuta: bool,
    pub fold_digits: bool,
    pub remove_controls: bool,
    pub collapse_whitespace: bool,
}

/// The names of the switches, in a stable order (used by the bindings and in
/// error messages).
pub const OPTION_NAMES: [&str; 10] = [
    "nfkc",
    "lowercase",
    "remove_diacritics",
    "remove_tatweel",
    "fold_alef",
    "fold_yeh",
    "fold_teh_marbuta",
    "fold_digits",
    "remove_controls",
    "collapse_whitespace",
];

impl Default for NormalizerConfig {
    fn default() -> Self {
        Self::arabic()
    }
}

impl NormalizerConfig {
    /// The default: everything on except `fold_teh_marbuta`.
    pub const fn arabic() -> Self {
        Self {
            nfkc: true,
            lowercase: true,
            remove_diacritics: true,
            remove_tatweel: true,
            fold_alef: true,
            fold_yeh: true,
            fold_teh_marbuta: false,
            fold_digits: true,
            remove_controls: true,
            collapse_whitespace: true,
        }
    }

    /// Every step off: the text passes through unchanged.
    pub const fn none() -> Self {
        Self {
            nfkc: false,
            lowercase: false,
            remove_diacritics: false,
            remove_tatweel: false,
            fold_alef: false,
            fold_yeh: false,
            fold_teh_marbuta: false,
            fold_digits: false,
            remove_controls: false,
            collapse_whitespace: false,
        }
    }

    /// A named preset: `"arabic"` (alias `"default"`) or `"none"`.
    pub fn preset(name: &str) -> Result<Self> {
        match name {
            "arabic" | "default" => Ok(Self::arabic()),
            "none" => Ok(Self::none()),
            other => Err(Error::param(
                "preset",
                format!("unknown preset {other:?}; expected \"arabic\" or \"none\""),
            )),
        }
    }

    /// Set one switch by name.
    pub fn set(&mut self, name: &str, value: bool) -> Result<()> {
        *self.field_mut(name)? = value;
        Ok(())
    }

    /// Read one switch by name.
    pub fn get(&self, name: &str) -> Result<bool> {
        let mut copy = *self;
        Ok(*copy.field_mut(name)?)
    }

    fn field_mut(&mut self, name: &str) -> Result<&mut bool> {
        Ok(match name {
            "nfkc" => &mut self.nfkc,
            "lowercase" => &mut self.lowercase,
            "remove_diacritics" => &mut self.remove_diacritics,
            "remove_tatweel" => &mut self.remove_tatweel,
            "fold_alef" => &mut self.fold_alef,
            "fold_yeh" => &mut self.fold_yeh,
            "fold_teh_marbuta" => &mut self.fold_teh_marbuta,
            "fold_digits" => &mut self.fold_digits,
            "remove_controls" => &mut self.remove_controls,
            "collapse_whitespace" => &mut self.collapse_whitespace,
            other => {
                return Err(Error::param(
                    "normalizer",
                    format!(
                        "unknown normalisation option {other:?}; expected one of {}",
                        OPTION_NAMES.join(", ")
                    ),
                ))
            }
        })
    }

    fn is_identity(&self) -> bool {
        *self == Self::none()
    }

    fn maps_chars(&self) -> bool {
        self.remove_diacritics
            || self.remove_tatweel
            || self.fold_alef
            || self.fold_yeh
            || self.fold_teh_marbuta
            || self.fold_digits
            || self.remove_controls
            || self.collapse_whitespace
    }
}

/// Arabic combining marks removed by `remove_diacritics`: Quranic signs
/// U+0610..U+061A, harakat/tanween/shadda/sukun and the extended marks
/// U+064B..U+065F, superscript alef U+0670, Quranic annotation marks
/// U+06D6..U+06ED (except the letters among them), and the extended-A marks
/// U+08D3..U+08FF (except U+08E2, a format character).
pub fn is_arabic_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{08D3}'..='\u{08E1}'
        | '\u{08E3}'..='\u{08FF}')
}

/// Invisible format characters removed by `remove_controls`: bidi marks and
/// embeddings/isolates, ZWNJ/ZWJ, word joiner and invisible operators, the
/// Arabic letter mark, BOM and soft hyphen.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{200C}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Whitespace exactly as Python's `str.isspace` (and therefore `re`'s `\s`
/// and `str.split()`) define it: Unicode `White_Space` plus the information
/// separators U+001C..U+001F. Using the same set keeps our char n-grams
/// identical to scikit-learn's.
#[inline]
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c)
}

/// What the per-character pass does with one character.
enum Mapped {
    Keep(char),
    Drop,
    Space,
}

/// A configured normaliser. Cheap to copy; holds no buffers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalizer {
    config: NormalizerConfig,
}

impl Normalizer {
    pub fn new(config: NormalizerConfig) -> Self {
        Self { config }
    }

    pub fn config(&self) -> &NormalizerConfig {
        &self.config
    }

    /// Normalise `text` into a new string.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.normalize_into(text, &mut out);
        out
    }

    /// Normalise `text` into `out` (cleared first), reusing its allocation.
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        out.clear();
        if self.config.is_identity() {
            out.push_str(text);
            return;
        }
        if self.fast_pass(text, out) {
            return;
        }
        out.clear();
        self.one_pass(text, out);
        // Folding or lowercasing can produce text that NFKC or lowercasing
        // would change again; repeat until stable so normalisation is
        // idempotent. Bounded: each pass only removes or folds characters.
        let mut guard = 0;
        while guard < 4 && self.needs_another_pass(out) {
            let previous = std::mem::take(out);
            self.one_pass(&previous, out);
            if *out == previous {
                break;
            }
            guard += 1;
        }
    }

    /// One pass for the common case: text that is already NFKC and has no
    /// uppercase outside ASCII. Unchanged runs are copied in bulk. Returns
    /// `false` (leaving `out` in an unspecified state) when the general path
    /// is needed: the text needs NFKC or Unicode lowercasing, or a change we
    /// made sits next to combining characters that NFKC might recompose.
    // The `flush!` macro resets `pending_space` even after the last use.
    #[allow(unused_assignments)]
    fn fast_pass(&self, text: &str, out: &mut String) -> bool {
        let c = &self.config;
        let table = bmp_table();
        let bytes = text.as_bytes();
        let mut last_ccc = 0u16;
        let mut changed = false;
        let mut nonstarter_out = false;
        let mut run = 0usize; // start of the pending unchanged run
        let mut pending_space = false;
        let mut i = 0usize;
        // Flush the pending run [run, end) into `out`.
        macro_rules! flush {
            ($end:expr) => {
                if run < $end {
                    if pending_space {
                        out.push(' ');
                        pending_space = false;
                    }
                    out.push_str(&text[run..$end]);
                }
            };
        }
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                let ch = b as char;
                if b == b' '
                    && c.collapse_whitespace
                    && !pending_space
                    && (run < i || !out.is_empty())
                    && self.kept_as_is(text, i + 1, table)
                {
                    // One space between two kept characters is already
                    // collapsed: leave it in the unchanged run instead of
                    // flushing the run at every word.
                    last_ccc = 0;
                    i += 1;
                    continue;
                }
                if is_py_space(ch) {
                    if c.collapse_whitespace {
                        flush!(i);
                        pending_space = !out.is_empty();
                        run = i + 1;
                        changed = true;
                    }
                } else if c.lowercase && b.is_ascii_uppercase() {
                    flush!(i);
                    if pending_space {
                        out.push(' ');
                        pending_space = false;
                    }
                    out.push(b.to_ascii_lowercase() as char);
                    run = i + 1;
                    changed = true;
                }
                last_ccc = 0;
                i += 1;
                continue;
            }
            let (ch, len) = char_at(text, i);
            let e = entry(table, ch);
            if e == 0 {
                // The common case (an Arabic letter, say): NFKC-stable,
                // a starter, caseless, untouched by every option.
                last_ccc = 0;
                i += len;
                continue;
            }
            let ccc = e & CCC_MASK;
            if c.nfkc && (((e >> QC_SHIFT) & 3) != 0 || (last_ccc > ccc && ccc != 0)) {
                return false;
            }
            if c.lowercase && e & LOWER_BIT != 0 {
                return false;
            }
            last_ccc = ccc;
            if e & SPECIAL_BIT != 0 {
                match self.map_char(ch) {
                    Mapped::Keep(k) if k == ch => {}
                    mapped => {
                        flush!(i);
                        run = i + len;
                        changed = true;
                        self.emit(mapped, ch, out, &mut pending_space);
                        i += len;
                        continue;
                    }
                }
            }
            if ccc != 0 || e >> QC_SHIFT & 3 != 0 {
                nonstarter_out = true;
            }
            i += len;
        }
        flush!(bytes.len());
        // Dropping or folding next to kept combining marks may create a
        // sequence NFKC would recompose: let the general path decide.
        !(c.nfkc && changed && nonstarter_out)
    }

    /// Whether the character at byte `at` (if any) is one the fast pass
    /// keeps unchanged whatever the options: not whitespace, not dropped or
    /// folded. Lowercasing and NFKC may still change it, but they never turn
    /// it into nothing, so a space before it is kept either way.
    #[inline]
    fn kept_as_is(&self, text: &str, at: usize, table: &[u16]) -> bool {
        match text.as_bytes().get(at) {
            None => false,
            Some(&b) if b < 0x80 => !is_py_space(b as char),
            Some(_) => entry(table, char_at(text, at).0) & SPECIAL_BIT == 0,
        }
    }

    fn needs_another_pass(&self, s: &str) -> bool {
        if s.is_ascii() {
            return self.config.lowercase && s.bytes().any(|b| b.is_ascii_uppercase());
        }
        (self.config.nfkc && nfkc_quick(s) != IsNormalized::Yes)
            || (self.config.lowercase && s.chars().any(changes_when_lowercased))
    }

    fn one_pass(&self, text: &str, out: &mut String) {
        let c = &self.config;
        let ascii = text.is_ascii();
        let composed;
        let mut s: &str = text;
        if c.nfkc && !ascii && nfkc_quick(s) != IsNormalized::Yes {
            composed = s.nfkc().collect::<String>();
            s = &composed;
        }
        let lowered;
        if c.lowercase {
            if ascii {
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    lowered = s.to_ascii_lowercase();
                    s = &lowered;
                }
            } else if s.chars().any(changes_when_lowercased) {
                lowered = s.to_lowercase();
                s = &lowered;
            }
        }
        if !c.maps_chars() {
            out.push_str(s);
            return;
        }
        // `pending_space` delays a space until a non-space follows, which
        // both collapses runs and trims the end.
        let mut pending_space = false;
        for ch in s.chars() {
            self.emit(self.map_char(ch), ch, out, &mut pending_space);
        }
    }

    /// Write what the per-character pass made of `ch`. `pending_space`
    /// delays a space until a non-space follows (collapsing and trimming).
    #[inline]
    fn emit(&self, mapped: Mapped, ch: char, out: &mut String, pending_space: &mut bool) {
        match mapped {
            Mapped::Drop => {}
            Mapped::Space if self.config.collapse_whitespace => *pending_space = !out.is_empty(),
            // A zero-width space maps to Space but is not whitespace itself.
            Mapped::Space => out.push(if is_py_space(ch) { ch } else { ' ' }),
            Mapped::Keep(k) => {
                if *pending_space {
                    out.push(' ');
                    *pending_space = false;
                }
                out.push(k);
            }
        }
    }

    #[inline]
    fn map_char(&self, ch: char) -> Mapped {
        let c = &self.config;
        if (ch as u32) < 0x80 {
            return if is_py_space(ch) {
                Mapped::Space
            } else {
                Mapped::Keep(ch)
            };
        }
        if c.remove_diacritics && is_arabic_diacritic(ch) {
            return Mapped::Drop;
        }
        if c.remove_controls {
            if ch == '\u{200B}' {
                return Mapped::Space;
            }
            if is_invisible_control(ch) {
                return Mapped::Drop;
            }
        }
        match ch {
            '\u{0640}' if c.remove_tatweel => Mapped::Drop,
            '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}'
                if c.fold_alef =>
            {
                Mapped::Keep('\u{0627}')
            }
            '\u{0649}' | '\u{06CC}' if c.fold_yeh => Mapped::Keep('\u{064A}'),
            '\u{0629}' if c.fold_teh_marbuta => Mapped::Keep('\u{0647}'),
            '\u{0660}'..='\u{0669}' if c.fold_digits => {
                Mapped::Keep(char::from(b'0' + (ch as u32 - 0x0660) as u8))
            }
            '\u{06F0}'..='\u{06F9}' if c.fold_digits => {
                Mapped::Keep(char::from(b'0' + (ch as u32 - 0x06F0) as u8))
            }
            '\u{066B}' if c.fold_digits => Mapped::Keep('.'),
            '\u{066C}' if c.fold_digits => Mapped::Keep(','),
            _ if is_py_space(ch) => Mapped::Space,
            _ => Mapped::Keep(ch),
        }
    }
}

/// Bits of the per-character table (BMP only).
const CCC_MASK: u16 = 0xFF;
const QC_SHIFT: u16 = 8; // 2 bits: 0 yes, 1 maybe, 2 no
const LOWER_BIT: u16 = 1 << 10; // changes when lowercased
const SPECIAL_BIT: u16 = 1 << 11; // some normaliser option may change it

/// Whether any option of the per-character pass can change `c`.
fn is_special(c: char) -> bool {
    is_arabic_diacritic(c)
        || is_invisible_control(c)
        || c == '\u{200B}'
        || is_py_space(c)
        || matches!(c,
            '\u{0640}' | '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}'
            | '\u{0673}' | '\u{0649}' | '\u{06CC}' | '\u{0629}' | '\u{0660}'..='\u{066C}'
            | '\u{06F0}'..='\u{06F9}')
}

/// The table entry of `c`: a lookup in the BMP, computed outside it (emoji,
/// math letters, ...).
#[inline(always)]
fn entry(table: &[u16], c: char) -> u16 {
    match table.get(c as usize) {
        Some(&e) => e,
        None => char_entry(c),
    }
}

/// The table entry of one character.
fn char_entry(c: char) -> u16 {
    let qc: u16 = match is_nfkc_quick(std::iter::once(c)) {
        IsNormalized::Yes => 0,
        IsNormalized::Maybe => 1,
        IsNormalized::No => 2,
    };
    let mut e = (qc << QC_SHIFT) | u16::from(canonical_combining_class(c));
    if changes_when_lowercased(c) {
        e |= LOWER_BIT;
    }
    if is_special(c) {
        e |= SPECIAL_BIT;
    }
    e
}

/// Per-character facts for the BMP: NFKC quick-check value, canonical
/// combining class, and the two flags above. Built once (~65k entries).
fn bmp_table() -> &'static [u16] {
    static TABLE: OnceLock<Box<[u16]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..0x1_0000u32)
            // surrogate code points never occur in a str
            .map(|u| char::from_u32(u).map_or(0, char_entry))
            .collect()
    })
}

/// The UAX #15 NFKC quick check, with table lookups for the BMP. The
/// library's version costs ~50 ns per Arabic character and was most of the
/// normalisation time; this one is a lookup and a compare.
fn nfkc_quick(s: &str) -> IsNormalized {
    let table = bmp_table();
    let mut last_ccc = 0u16;
    let mut result = IsNormalized::Yes;
    for c in s.chars() {
        let u = c as u32;
        if u < 0xA0 {
            last_ccc = 0;
            continue;
        }
        if u >= 0x1_0000 {
            return is_nfkc_quick(s.chars());
        }
        let e = table[u as usize];
        let ccc = e & CCC_MASK;
        if last_ccc > ccc && ccc != 0 {
            return IsNormalized::No;
        }
        match (e >> QC_SHIFT) & 3 {
            0 => {}
            1 => result = IsNormalized::Maybe,
            _ => return IsNormalized::No,
        }
        last_ccc = ccc;
    }
    result
}

#[inline]
fn changes_when_lowercased(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_uppercase();
    }
    // Hebrew, Arabic, Syriac, Thaana, N'Ko and the Indic scripts have no case.
    if ('\u{0590}'..'\u{1000}').contains(&ch) {
        return false;
    }
    let mut lower = ch.to_lowercase();
    !(lower.next() == Some(ch) && lower.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
}
