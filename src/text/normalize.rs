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
//!
//! The per-character table behind the fast path and the quick check is in
//! `char_table`; the tests are in `normalize_tests.rs`.

use serde::{Deserialize, Serialize};

use unicode_normalization::{IsNormalized, UnicodeNormalization};

use super::char_table::{
    bmp_table, changes_when_lowercased, entry, nfkc_quick, CCC_MASK, LOWER_BIT, QC_SHIFT,
    SPECIAL_BIT,
};
use crate::error::{Error, Result};
use crate::text::utf8::{char_at, two_byte_at};

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

    pub(crate) fn is_identity(&self) -> bool {
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
                    && kept_as_is(text, i + 1, table)
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
            // Runs of two-byte characters no option touches (most Arabic
            // letters) are skipped in a tight loop, without the general
            // decoder's branches.
            let start = i;
            while let Some(u) = two_byte_at(bytes, i) {
                if table[u] != 0 {
                    break;
                }
                i += 2;
            }
            if i > start {
                last_ccc = 0;
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

/// Whether the character at byte `at` (if any) is one the fast pass
/// keeps unchanged whatever the options: not whitespace, not dropped or
/// folded. Lowercasing and NFKC may still change it, but they never turn
/// it into nothing, so a space before it is kept either way.
#[inline]
fn kept_as_is(text: &str, at: usize, table: &[u16]) -> bool {
    match text.as_bytes().get(at) {
        None => false,
        Some(&b) if b < 0x80 => !is_py_space(b as char),
        Some(_) => entry(table, char_at(text, at).0) & SPECIAL_BIT == 0,
    }
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
pub(crate) mod tests;
