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
//!
//! The character classes are in `token_classes`; URL and e-mail recognition
//! is in `token_patterns`.

use serde::{Deserialize, Serialize};

use super::token_classes::{
    bmp_classes, class_in, is_mark, is_number_sep, is_punct, is_word_char, C_LETTER, C_MARK,
    C_NUMBER, C_PUNCT, C_SPACE,
};
use super::token_patterns::{email_len, maybe_email, url_len};
use crate::text::normalize::is_py_space;
use crate::text::stem;
use crate::text::utf8::{char_at, two_byte_at};

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
    word_len_impl::<true>(s, table)
}

/// [`word_len`], with its two-byte fast path switched by `FAST` so that a
/// test can check it against the plain character-at-a-time loop.
fn word_len_impl<const FAST: bool>(s: &str, table: &[u8]) -> (usize, TokenKind) {
    let mut len = 0;
    let mut all_digits = true;
    let mut prev_digit = false;
    let bytes = s.as_bytes();
    while len < s.len() {
        // Fast path for two-byte letters and marks (all of Arabic's):
        // decoded and classified in a tight loop without the general
        // decoder's branches (about a fifth of tokenising Arabic news).
        while let Some(u) = two_byte_at(bytes, len).filter(|_| FAST) {
            let class = table[u];
            if class == C_LETTER {
                all_digits = false;
            } else if class != C_MARK {
                break;
            }
            prev_digit = false;
            len += 2;
        }
        if len >= s.len() {
            break;
        }
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn word_len_fast_path_agrees_with_reference(
            s in "([بغداالم]|[\u{64b}-\u{652}]|[0-9٠-٩]|[.,:/]|[a-zé]|[ ،؟!]|\u{200c}|\u{300}|ß){0,30}"
        ) {
            let table = bmp_classes();
            for (i, _) in s.char_indices() {
                prop_assert_eq!(word_len(&s[i..], table), word_len_impl::<false>(&s[i..], table));
            }
        }
    }
}
