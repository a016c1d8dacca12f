//! A Unicode-correct tokenizer for news text in any script.
//!
//! scikit-learn's default `token_pattern` (`\b\w\w+\b`) treats Arabic
//! combining marks as non-word characters, so a diacritised word such as
//! «الْعَرَبِيَّةُ» falls apart into letter fragments. Here a word is a run of
//! letters, digits, combining marks (Mn/Mc/Me), connector punctuation and
//! zero-width (non-)joiners, so a diacritised word is always one token.
//!
//! Rules, applied left to right at each position:
//! * whitespace (Python's `str.isspace` set) separates tokens;
//! * URLs (`http://`, `https://`, `www.`) run to the next whitespace, minus
//!   trailing punctuation;
//! * e-mail addresses (`local@domain.tld`) are one token;
//! * `@mention` and `#hashtag` are one token each (a hashtag keeps its
//!   underscores unless `split_hashtags`, which emits its words instead);
//! * numbers keep internal separators between digits (`1,000.5`, `3.5`,
//!   `12/05/2020`, `10:30`);
//! * every other character — punctuation (، ؛ ؟ . , ! ...) and symbols — is a
//!   token of its own, together with any combining marks or ZWJ sequences
//!   that follow it (so an emoji with a skin tone stays whole). These are
//!   only emitted when `keep_punct` is set; emoji and other symbols are kept
//!   always because they carry meaning in social-media news.
//!
//! The tokenizer does not normalise; run a [`crate::text::Normalizer`] first.

use serde::{Deserialize, Serialize};
use unicode_general_category::{get_general_category, GeneralCategory as G};

use crate::text::normalize::is_py_space;
use crate::text::stem;
use crate::text::utf8::char_at;

/// What kind of token a span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    Word,
    Number,
    Url,
    Email,
    Mention,
    Hashtag,
    Punct,
    Symbol,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::Number => "number",
            TokenKind::Url => "url",
            TokenKind::Email => "email",
            TokenKind::Mention => "mention",
            TokenKind::Hashtag => "hashtag",
            TokenKind::Punct => "punct",
            TokenKind::Symbol => "symbol",
        }
    }
}

/// One token: a byte span of the input plus its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

/// Options of the tokenizer; recorded in fitted vectorizers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenizerConfig {
    /// Emit punctuation tokens (default: dropped).
    pub keep_punct: bool,
    /// Emit the words of a hashtag (`#عاجل_بغداد` -> `عاجل`, `بغداد`)
    /// instead of the hashtag itself.
    pub split_hashtags: bool,
    /// Split Arabic proclitics and pronoun enclitics off words
    /// (see [`crate::text::stem`]).
    pub segment_clitics: bool,
}

/// Character classes of the scanner.
const C_OTHER: u8 = 0; // symbols, emoji, unassigned
const C_SPACE: u8 = 1;
const C_LETTER: u8 = 2; // letters, connector punctuation, ZWNJ/ZWJ
const C_MARK: u8 = 3; // combining marks (part of words)
const C_NUMBER: u8 = 4;
const C_PUNCT: u8 = 5;

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
fn bmp_classes() -> &'static [u8] {
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
fn class_in(table: &[u8], c: char) -> u8 {
    match table.get(c as usize) {
        Some(&k) => k,
        None => classify(c),
    }
}

#[inline]
fn is_mark(c: char) -> bool {
    class_of(c) == C_MARK
}

/// A character that can be part of a word: letters, marks, numbers,
/// connector punctuation (`_`) and ZWNJ/ZWJ.
#[inline]
fn is_word_char(c: char) -> bool {
    matches!(class_of(c), C_LETTER | C_MARK | C_NUMBER)
}

#[inline]
fn is_punct(c: char) -> bool {
    class_of(c) == C_PUNCT
}

#[inline]
fn is_number_sep(c: char) -> bool {
    matches!(c, '.' | ',' | '/' | ':' | '\u{066B}' | '\u{066C}')
}

fn starts_with_ignore_ascii_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Characters stripped from the end of a URL: sentence punctuation that
/// follows a link in running text.
fn is_url_trailer(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '\''
            | '"'
            | '،'
            | '؛'
            | '؟'
            | '»'
            | '…'
    )
}

/// Length in bytes of a URL starting at the beginning of `s`, if any.
fn url_len(s: &str) -> Option<usize> {
    let head = if starts_with_ignore_ascii_case(s, "https://") {
        8
    } else if starts_with_ignore_ascii_case(s, "http://") {
        7
    } else if starts_with_ignore_ascii_case(s, "www.") {
        4
    } else {
        return None;
    };
    let body_end = s.find(is_py_space).unwrap_or(s.len());
    let mut end = body_end;
    while end > head {
        let c = s[..end].chars().next_back()?;
        if is_url_trailer(c) {
            end -= c.len_utf8();
        } else {
            break;
        }
    }
    // "http://" alone is not a URL.
    (end > head).then_some(end)
}

/// Length of an e-mail address at the start of `s`, if any: a local part of
/// word characters and `.+-`, `@`, then a domain with at least one dot.
fn email_len(s: &str) -> Option<usize> {
    let mut local = 0;
    for c in s.chars() {
        if is_word_char(c) || matches!(c, '.' | '+' | '-') {
            local += c.len_utf8();
        } else {
            break;
        }
    }
    if local == 0 || !s[local..].starts_with('@') {
        return None;
    }
    let domain_start = local + 1;
    let mut end = domain_start;
    let mut last_dot = None;
    for c in s[domain_start..].chars() {
        if is_word_char(c) || c == '-' {
            end += c.len_utf8();
        } else if c == '.' {
            last_dot = Some(end);
            end += 1;
        } else {
            break;
        }
    }
    // strip trailing dots, require a dot with a label after it
    while s[..end].ends_with('.') {
        end -= 1;
    }
    match last_dot {
        Some(d) if d > domain_start && d + 1 < end => Some(end),
        _ => None,
    }
}

/// Whether the bytes after a word could continue it into an e-mail address:
/// an `@` right away, or one of `.+-` with an `@` before the next space.
#[inline]
fn maybe_email(after: &[u8]) -> bool {
    match after.first() {
        Some(b'@') => true,
        Some(b'.' | b'+' | b'-') => after
            .iter()
            .take(64)
            .take_while(|b| !b.is_ascii_whitespace())
            .any(|&b| b == b'@'),
        _ => false,
    }
}

/// Split `text` into token spans, calling `emit` for each in order.
pub fn scan(text: &str, mut emit: impl FnMut(Span)) {
    let bytes = text.as_bytes();
    let table = bmp_classes();
    let mut i = 0;
    while i < text.len() {
        let (c, c_len) = char_at(text, i);
        let class = class_in(table, c);
        if class == C_SPACE {
            i += c_len;
            continue;
        }
        let rest = &text[i..];
        if matches!(bytes[i], b'h' | b'H' | b'w' | b'W') {
            if let Some(len) = url_len(rest) {
                emit(Span {
                    start: i,
                    end: i + len,
                    kind: TokenKind::Url,
                });
                i += len;
                continue;
            }
        }
        if c == '@' || c == '#' {
            let after = &rest[1..];
            let word = after
                .find(|ch: char| !is_word_char(ch))
                .unwrap_or(after.len());
            if word > 0 {
                let kind = if c == '@' {
                    TokenKind::Mention
                } else {
                    TokenKind::Hashtag
                };
                emit(Span {
                    start: i,
                    end: i + 1 + word,
                    kind,
                });
                i += 1 + word;
                continue;
            }
        }
        if matches!(class, C_LETTER | C_MARK | C_NUMBER) {
            let (len, kind) = word_len(rest, table);
            // Only a word followed by `@` (or by `.+-` and then an `@`) can
            // start an e-mail address; checking that keeps the common path
            // to one scan.
            if maybe_email(&bytes[i + len..]) {
                if let Some(elen) = email_len(rest) {
                    emit(Span {
                        start: i,
                        end: i + elen,
                        kind: TokenKind::Email,
                    });
                    i += elen;
                    continue;
                }
            }
            emit(Span {
                start: i,
                end: i + len,
                kind,
            });
            i += len;
            continue;
        }
        // A single punctuation or symbol character, with the combining marks,
        // variation selectors and ZWJ-joined characters that belong to it.
        let mut len = c.len_utf8();
        let mut chars = rest[len..].chars().peekable();
        while let Some(&n) = chars.peek() {
            if is_mark(n) || matches!(n, '\u{FE00}'..='\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}') {
                len += n.len_utf8();
                chars.next();
            } else if n == '\u{200D}' {
                len += n.len_utf8();
                chars.next();
                if let Some(j) = chars.next() {
                    if !is_py_space(j) {
                        len += j.len_utf8();
                    } else {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        let kind = if class == C_PUNCT {
            TokenKind::Punct
        } else {
            TokenKind::Symbol
        };
        emit(Span {
            start: i,
            end: i + len,
            kind,
        });
        i += len;
    }
}

/// Length and kind of the word or number at the start of `s`.
fn word_len(s: &str, table: &[u8]) -> (usize, TokenKind) {
    let mut len = 0;
    let mut all_digits = true;
    let mut prev_digit = false;
    while len < s.len() {
        let (c, c_len) = char_at(s, len);
        let class = class_in(table, c);
        if matches!(class, C_LETTER | C_MARK | C_NUMBER) {
            let digit = class == C_NUMBER;
            all_digits = all_digits && (digit || class == C_MARK);
            prev_digit = digit;
            len += c_len;
        } else if prev_digit && is_number_sep(c) {
            // keep a separator only between two digits
            let next = len + c_len;
            if next < s.len() && class_in(table, char_at(s, next).0) == C_NUMBER {
                len = next;
                prev_digit = false;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    let kind = if all_digits {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    (len, kind)
}

/// The tokenizer used by the word analyzers: scanning plus the options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokenizer {
    pub config: TokenizerConfig,
}

impl Tokenizer {
    pub fn new(config: TokenizerConfig) -> Self {
        Self { config }
    }

    /// Append the tokens of `text` to `out`. Tokens are slices of `text` or,
    /// with `segment_clitics`, static clitic markers such as `"و+"`.
    pub fn tokens_into<'a>(&self, text: &'a str, out: &mut Vec<&'a str>) {
        self.for_each(text, |tok, _| out.push(tok));
    }

    /// Tokens of `text` as a new vector.
    pub fn tokens<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut v = Vec::new();
        self.tokens_into(text, &mut v);
        v
    }

    /// Call `emit(token, kind)` for every token of `text` after the options
    /// are applied.
    pub fn for_each<'a>(&self, text: &'a str, mut emit: impl FnMut(&'a str, TokenKind)) {
        let cfg = self.config;
        scan(text, |span| {
            let tok = &text[span.start..span.end];
            match span.kind {
                TokenKind::Punct if !cfg.keep_punct => {}
                TokenKind::Hashtag if cfg.split_hashtags => {
                    for part in tok[1..].split(|c: char| c == '_' || is_punct(c)) {
                        if !part.is_empty() {
                            self.emit_word(part, &mut emit);
                        }
                    }
                }
                TokenKind::Word => self.emit_word(tok, &mut emit),
                kind => emit(tok, kind),
            }
        });
    }

    fn emit_word<'a>(&self, word: &'a str, emit: &mut impl FnMut(&'a str, TokenKind)) {
        if !self.config.segment_clitics {
            emit(word, TokenKind::Word);
            return;
        }
        let seg = stem::segment(word);
        for p in &seg.prefixes {
            emit(p, TokenKind::Word);
        }
        emit(seg.stem, TokenKind::Word);
        if let Some(sfx) = seg.suffix {
            emit(sfx, TokenKind::Word);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(s: &str) -> Vec<&str> {
        Tokenizer::default().tokens(s)
    }

    fn toks_p(s: &str) -> Vec<&str> {
        Tokenizer::new(TokenizerConfig {
            keep_punct: true,
            ..Default::default()
        })
        .tokens(s)
    }

    #[test]
    fn diacritised_word_is_one_token() {
        assert_eq!(
            toks("اللغة الْعَرَبِيَّةُ جميلة"),
            vec!["اللغة", "الْعَرَبِيَّةُ", "جميلة"]
        );
    }

    #[test]
    fn arabic_punctuation_is_split_off() {
        assert_eq!(
            toks_p("بومبيو، العراق؛ لماذا؟ نعم."),
            vec!["بومبيو", "،", "العراق", "؛", "لماذا", "؟", "نعم", "."]
        );
        assert_eq!(
            toks("بومبيو، العراق؛ لماذا؟"),
            vec!["بومبيو", "العراق", "لماذا"]
        );
    }

    #[test]
    fn urls_emails_mentions_hashtags() {
        assert_eq!(
            toks_p("RT @AJArabic: عاجل #بغداد_الآن https://t.co/xY1?a=b. a.b@c.org!"),
            vec![
                "RT",
                "@AJArabic",
                ":",
                "عاجل",
                "#بغداد_الآن",
                "https://t.co/xY1?a=b",
                ".",
                "a.b@c.org",
                "!"
            ]
        );
        assert_eq!(
            toks("see www.example.com/x, ok"),
            vec!["see", "www.example.com/x", "ok"]
        );
    }

    #[test]
    fn split_hashtags_option() {
        let t = Tokenizer::new(TokenizerConfig {
            split_hashtags: true,
            ..Default::default()
        });
        assert_eq!(
            t.tokens("#عاجل_بغداد #COVID19"),
            vec!["عاجل", "بغداد", "COVID19"]
        );
    }

    #[test]
    fn numbers_keep_internal_separators() {
        assert_eq!(
            toks_p("1,000.5 و3.5% 12/05/2020 10:30. 7,"),
            vec!["1,000.5", "و3.5", "%", "12/05/2020", "10:30", ".", "7", ","]
        );
        let mut kinds = vec![];
        Tokenizer::default().for_each("2020 x2 ٣٤", |_, k| kinds.push(k));
        assert_eq!(
            kinds,
            vec![TokenKind::Number, TokenKind::Word, TokenKind::Number]
        );
    }

    #[test]
    fn mixed_scripts_and_emoji() {
        assert_eq!(
            toks_p("قال Trump إن «الاتفاق» 👍🏽 مهم"),
            vec!["قال", "Trump", "إن", "«", "الاتفاق", "»", "👍🏽", "مهم"]
        );
        assert_eq!(toks("قال «الاتفاق» 👍🏽"), vec!["قال", "الاتفاق", "👍🏽"]);
    }

    #[test]
    fn segment_clitics_option() {
        let t = Tokenizer::new(TokenizerConfig {
            segment_clitics: true,
            ..Default::default()
        });
        assert_eq!(t.tokens("والكتاب"), vec!["و+", "ال+", "كتاب"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn spans_are_ordered_nonempty_and_cover_all_non_space(s in "\\PC{0,60}") {
            let mut last = 0;
            let mut covered = vec![false; s.len()];
            scan(&s, |sp| {
                assert!(sp.start >= last && sp.end > sp.start && sp.end <= s.len());
                assert!(s.is_char_boundary(sp.start) && s.is_char_boundary(sp.end));
                for c in covered.iter_mut().take(sp.end).skip(sp.start) { *c = true; }
                last = sp.end;
            });
            for (i, ch) in s.char_indices() {
                // everything that is not whitespace is inside some token,
                // except URL trailers which become their own tokens anyway
                prop_assert!(is_py_space(ch) || covered[i], "char {:?} at {} not covered", ch, i);
            }
        }
    }
}
