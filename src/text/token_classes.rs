//! The scanner's character classes: every character is a space, a letter
//! (with connector punctuation and ZWNJ/ZWJ), a combining mark, a number, a
//! punctuation mark or something else (symbols, emoji). The classes of the
//! BMP are computed once into a table, so the tokenizer pays one lookup per
//! character.

use unicode_general_category::{get_general_category, GeneralCategory as G};

use super::normalize::is_py_space;

/// Character classes of the scanner.
const C_OTHER: u8 = 0; // symbols, emoji, unassigned
pub(crate) const C_SPACE: u8 = 1;
pub(crate) const C_LETTER: u8 = 2; // letters, connector punctuation, ZWNJ/ZWJ
pub(crate) const C_MARK: u8 = 3; // combining marks (part of words)
pub(crate) const C_NUMBER: u8 = 4;
pub(crate) const C_PUNCT: u8 = 5;

fn classify(c: char) -> u8 {
    if is_py_space(c) {
        return C_SPACE;
    }
    if c == '\u{200C}' || c == '\u{200D}' {
        return C_LETTER;
    }
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() || c == '_' {
            C_LETTER
        } else if c.is_ascii_digit() {
            C_NUMBER
        } else if c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
        {
            C_PUNCT
        } else {
            C_OTHER
        };
    }
    match get_general_category(c) {
        G::UppercaseLetter
        | G::LowercaseLetter
        | G::TitlecaseLetter
        | G::ModifierLetter
        | G::OtherLetter
        | G::ConnectorPunctuation => C_LETTER,
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark => C_MARK,
        G::DecimalNumber | G::LetterNumber | G::OtherNumber => C_NUMBER,
        G::DashPunctuation
        | G::OpenPunctuation
        | G::ClosePunctuation
        | G::InitialPunctuation
        | G::FinalPunctuation
        | G::OtherPunctuation => C_PUNCT,
        _ => C_OTHER,
    }
}

/// The class of every BMP character, computed once: one array lookup per
/// character instead of several Unicode property searches (which were 40%
/// of tokenising time).
pub(crate) fn bmp_classes() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Box<[u8]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..0x1_0000u32)
            .map(|u| char::from_u32(u).map_or(C_OTHER, classify))
            .collect()
    })
}

#[inline]
fn class_of(c: char) -> u8 {
    class_in(bmp_classes(), c)
}

/// [`class_of`] with the table already in hand (hot loops fetch it once).
#[inline(always)]
pub(crate) fn class_in(table: &[u8], c: char) -> u8 {
    match table.get(c as usize) {
        Some(&k) => k,
        None => classify(c),
    }
}

#[inline]
pub(crate) fn is_mark(c: char) -> bool {
    class_of(c) == C_MARK
}

/// A character that can be part of a word: letters, marks, numbers,
/// connector punctuation (`_`) and ZWNJ/ZWJ.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    matches!(class_of(c), C_LETTER | C_MARK | C_NUMBER)
}

#[inline]
pub(crate) fn is_punct(c: char) -> bool {
    class_of(c) == C_PUNCT
}

#[inline]
pub(crate) fn is_number_sep(c: char) -> bool {
    matches!(c, '.' | ',' | '/' | ':' | '\u{066B}' | '\u{066C}')
}
