//! The per-character table behind normalisation's fast paths: for each BMP
//! character its NFKC quick-check value, canonical combining class and
//! whether lowercasing or a normaliser option may change it, so the common
//! case (text that is already NFKC) costs one lookup per character.

use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized};

use super::normalize::{is_arabic_diacritic, is_invisible_control, is_py_space};

/// Bits of the per-character table (BMP only).
pub(crate) const CCC_MASK: u16 = 0xFF;
pub(crate) const QC_SHIFT: u16 = 8; // 2 bits: 0 yes, 1 maybe, 2 no
pub(crate) const LOWER_BIT: u16 = 1 << 10; // changes when lowercased
pub(crate) const SPECIAL_BIT: u16 = 1 << 11; // some normaliser option may change it

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
pub(crate) fn entry(table: &[u16], c: char) -> u16 {
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
pub(crate) fn bmp_table() -> &'static [u16] {
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
pub(crate) fn nfkc_quick(s: &str) -> IsNormalized {
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
pub(crate) fn changes_when_lowercased(ch: char) -> bool {
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
