//! Gazetteer entity recognition: people, places, organisations,
//! nationalities and titles from name lists, matched on normalised tokens
//! with Arabic clitics tolerated, reported with offsets into the original
//! text.
//!
//! How a text is matched:
//! 1. It is tokenised (punctuation kept, so no name spans a comma) and
//!    every token normalised character by character; the normalised
//!    tokens are joined with single spaces, and each normalised byte
//!    remembers the original character it came from. Offsets therefore map
//!    back exactly, through removed diacritics and tatweel.
//! 2. At each token start, and after each Arabic proclitic prefix the
//!    token begins with (و ف, then ب ك ل, then ال, with ل+ال written لل),
//!    an anchored Aho-Corasick search lists every name that starts there;
//!    the longest one that ends at a token end wins, and matching resumes
//!    after it (longest match first, left to right).
//! 3. Names that start with ال also match without it after a لل prefix
//!    («للعراق» is ل + العراق).
//!
//! Short all-capital Latin names (US, UN, AP) must match the original case,
//! so the pronoun "us" is not the United States.
//!
//! Entity types, entries and their TSV format are in `gazetteer_entries`,
//! re-exported here so their public paths stay `features::entities::*`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use serde::{Deserialize, Serialize};

pub use super::gazetteer_entries::{parse_tsv, EntityType, GazetteerEntry};
use crate::error::{Error, Result};
use crate::text::tokenize::{scan, TokenKind};
use crate::text::{Normalizer, NormalizerConfig};

/// A match: character offsets into the original text, the entry's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub entry: u32,
}

#[derive(Debug, Clone)]
struct Pattern {
    entry: u32,
    /// Derived by dropping a leading ال: valid only after a لل prefix.
    after_lil: bool,
    /// Short all-capital names: the original text must equal this.
    exact: Option<String>,
}

/// A compiled gazetteer. Serialised as its entries and normaliser; the
/// automaton is rebuilt on load (it is derived data, and rebuilding keeps
/// model files independent of the aho-corasick crate's internals).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "GazetteerData", try_from = "GazetteerData")]
pub struct Gazetteer {
    pub entries: Vec<GazetteerEntry>,
    normalizer: Normalizer,
    ac: Option<AhoCorasick>,
    /// The names each automaton pattern stands for, in entry order (see
    /// [`add_pattern`]).
    patterns: Vec<Vec<Pattern>>,
}

#[derive(Serialize, Deserialize)]
struct GazetteerData {
    entries: Vec<GazetteerEntry>,
    normalizer: NormalizerConfig,
}

impl From<Gazetteer> for GazetteerData {
    fn from(g: Gazetteer) -> Self {
        Self {
            entries: g.entries,
            normalizer: *g.normalizer.config(),
        }
    }
}

impl TryFrom<GazetteerData> for Gazetteer {
    type Error = Error;
    fn try_from(d: GazetteerData) -> Result<Self> {
        Gazetteer::new(d.entries, d.normalizer)
    }
}

/// Normalised proclitic prefixes, longest first.
const PREFIXES: [&str; 23] = [
    "وبال", "وكال", "فبال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "وب",
    "وك", "ول", "فب", "فك", "فل", "و", "ف", "ب", "ك", "ل",
];

fn is_short_caps(s: &str) -> bool {
    let n = s.chars().filter(|c| c.is_alphabetic()).count();
    (1..=4).contains(&n)
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c == '.' || c == '&')
}

impl Gazetteer {
    /// Compile entries. Earlier entries win a surface form claimed twice
    /// (put user entries first to give them precedence).
    pub fn new(entries: Vec<GazetteerEntry>, normalizer: NormalizerConfig) -> Result<Self> {
        let normalizer = Normalizer::new(normalizer);
        let mut seen = std::collections::HashMap::<String, u32>::new();
        let mut index = std::collections::HashMap::<String, usize>::new();
        let mut strings: Vec<String> = Vec::new();
        let mut patterns: Vec<Vec<Pattern>> = Vec::new();
        for (e, entry) in entries.iter().enumerate() {
            for surface in std::iter::once(&entry.canonical).chain(&entry.variants) {
                let norm = normalize_phrase(&normalizer, surface);
                if norm.is_empty() {
                    continue;
                }
                let exact = is_short_caps(surface).then(|| surface.clone());
                let key = match &exact {
                    Some(x) => format!("\u{0}{x}"),
                    None => norm.clone(),
                };
                if seen.contains_key(&key) {
                    continue;
                }
                seen.insert(key, e as u32);
                if let Some(rest) = norm.strip_prefix("ال") {
                    if !rest.is_empty() && !rest.starts_with(' ') {
                        let p = Pattern {
                            entry: e as u32,
                            after_lil: true,
                            exact: None,
                        };
                        add_pattern(&mut index, &mut strings, &mut patterns, rest, p);
                    }
                }
                let p = Pattern {
                    entry: e as u32,
                    after_lil: false,
                    exact,
                };
                add_pattern(&mut index, &mut strings, &mut patterns, &norm, p);
            }
        }
        let ac = if strings.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .start_kind(StartKind::Anchored)
                    .build(&strings)
                    .map_err(|e| {
                        Error::InvalidInput(format!("cannot compile the gazetteer: {e}"))
                    })?,
            )
        };
        Ok(Self {
            entries,
            normalizer,
            ac,
            patterns,
        })
    }

    /// Compile TSV sources (see [`parse_tsv`]); earlier sources win a
    /// name claimed twice.
    pub fn from_tsv_sources(sources: &[String], normalizer: NormalizerConfig) -> Result<Self> {
        let mut entries = Vec::new();
        for s in sources {
            entries.extend(parse_tsv(s)?);
        }
        Gazetteer::new(entries, normalizer)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `s` normalised the way names are matched (tokens joined by spaces).
    pub fn normalize(&self, s: &str) -> String {
        normalize_phrase(&self.normalizer, s)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Mentions in `text`, left to right, non-overlapping, in character
    /// offsets.
    pub fn find(&self, text: &str) -> Vec<Mention> {
        let mut out = self.find_bytes(text);
        let chars = char_index(text);
        for m in &mut out {
            m.start = chars[m.start];
            m.end = chars[m.end];
        }
        out
    }

    /// Mentions in `text` in byte offsets.
    pub fn find_bytes(&self, text: &str) -> Vec<Mention> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let doc = NormDoc::new(text, &self.normalizer);
        let mut out = Vec::new();
        let mut t = 0;
        while t < doc.tokens.len() {
            match self.best_at(ac, &doc, t, text) {
                Some((m, last_tok)) => {
                    out.push(m);
                    t = last_tok + 1;
                }
                None => t += 1,
            }
        }
        out
    }

    /// Mentions in an already tokenised text, as token ranges
    /// `(first, last + 1, entry)`. The tokens are joined with spaces and
    /// matched like text, so a name never ends inside a token.
    pub fn find_in_tokens<S: AsRef<str>>(&self, tokens: &[S]) -> Vec<(usize, usize, u32)> {
        if self.ac.is_none() || tokens.is_empty() {
            return Vec::new();
        }
        let mut text = String::new();
        let mut starts = Vec::with_capacity(tokens.len());
        for t in tokens {
            if !text.is_empty() {
                text.push(' ');
            }
            starts.push(text.len());
            text.push_str(t.as_ref());
        }
        let tok_at = |b: usize| starts.partition_point(|&s| s <= b) - 1;
        self.find_bytes(&text)
            .into_iter()
            .filter(|m| m.end > m.start)
            .map(|m| (tok_at(m.start), tok_at(m.end - 1) + 1, m.entry))
            .collect()
    }

    /// The longest valid name starting in token `t` (at its start or after
    /// a clitic prefix): the mention in byte offsets, and its last token.
    fn best_at(
        &self,
        ac: &AhoCorasick,
        doc: &NormDoc,
        t: usize,
        text: &str,
    ) -> Option<(Mention, usize)> {
        let tok = &doc.tokens[t];
        let word = &doc.norm[tok.start..tok.end];
        let mut best: Option<(usize, Mention, usize)> = None; // (norm len, mention, last token)
        let starts = std::iter::once("").chain(
            PREFIXES
                .iter()
                .copied()
                .filter(|p| word.len() > p.len() && word.starts_with(p)),
        );
        for prefix in starts {
            let at = tok.start + prefix.len();
            // longest name first; if it is not valid here (ends inside a
            // token, wrong prefix, wrong case), look for a shorter one
            let mut limit = doc.norm.len();
            while limit > at {
                let input = Input::new(&doc.norm)
                    .span(at..limit)
                    .anchored(Anchored::Yes);
                let Some(m) = ac.find(input) else {
                    break;
                };
                limit = m.end() - 1;
                let Some(last) = doc.token_ending_at(m.end(), t) else {
                    continue;
                };
                let start = if prefix.is_empty() {
                    doc.tokens[t].orig_start
                } else {
                    doc.orig_at[at]
                };
                let end = doc.tokens[last].orig_end;
                let after_lil = prefix.ends_with("لل");
                let Some(p) = self.patterns[m.pattern().as_usize()].iter().find(|p| {
                    p.after_lil == after_lil
                        && p.exact.as_deref().is_none_or(|x| &text[start..end] == x)
                }) else {
                    continue;
                };
                let len = m.end() - at;
                if best.as_ref().is_none_or(|b| len > b.0) {
                    best = Some((
                        len,
                        Mention {
                            start,
                            end,
                            entry: p.entry,
                        },
                        last,
                    ));
                }
                break;
            }
            if best.is_some() {
                // a match at the token start beats any after a prefix
                break;
            }
        }
        best.map(|(_, m, last)| (m, last))
    }
}

/// Add `p` to the automaton pattern for the normalised string `s`. One
/// string can stand for several names: «عراق» listed as a name and also
/// derived from «العراق» for use after لل, or "US" (matched in capitals
/// only) and "us". The automaton reports one pattern per match, so a string
/// gets one pattern holding every candidate, in entry order, and matching
/// takes the first candidate valid at the match; separate patterns would
/// hide all but one of them.
fn add_pattern(
    index: &mut std::collections::HashMap<String, usize>,
    strings: &mut Vec<String>,
    patterns: &mut Vec<Vec<Pattern>>,
    s: &str,
    p: Pattern,
) {
    let i = *index.entry(s.to_string()).or_insert_with(|| {
        strings.push(s.to_string());
        patterns.push(Vec::new());
        strings.len() - 1
    });
    patterns[i].push(p);
}

/// Byte offset -> character offset, for every byte offset `0..=len`
/// (entities are reported to Python in characters).
pub fn char_index(text: &str) -> Vec<usize> {
    let mut chars = Vec::with_capacity(text.len() + 1);
    let mut ci = 0;
    for (b, _) in text.char_indices() {
        chars.resize(b + 1, ci);
        ci += 1;
    }
    chars.resize(text.len() + 1, ci);
    chars
}

/// Normalise a name the way text is normalised for matching: token by
/// token, character by character, joined with single spaces.
fn normalize_phrase(normalizer: &Normalizer, s: &str) -> String {
    NormDoc::new(s, normalizer).norm
}

struct NormTok {
    /// Byte range in the normalised string.
    start: usize,
    end: usize,
    /// Byte range of the token in the original text.
    orig_start: usize,
    orig_end: usize,
}

/// A text's tokens, normalised and joined with single spaces, with a map
/// from every normalised byte to the original byte it came from.
struct NormDoc {
    norm: String,
    orig_at: Vec<usize>,
    tokens: Vec<NormTok>,
}

impl NormDoc {
    fn new(text: &str, normalizer: &Normalizer) -> Self {
        let mut norm = String::with_capacity(text.len());
        let mut orig_at = Vec::with_capacity(text.len());
        let mut tokens = Vec::new();
        let mut one = String::new();
        let mut ch = [0u8; 4];
        scan(text, |sp| {
            if !tokens.is_empty() {
                norm.push(' ');
                orig_at.push(sp.start);
            }
            let start = norm.len();
            let tok = &text[sp.start..sp.end];
            let plain = sp.kind == TokenKind::Punct
                || tok.is_ascii() && !tok.bytes().any(|b| b.is_ascii_uppercase());
            for (off, c) in tok.char_indices() {
                let piece: &str = if plain {
                    c.encode_utf8(&mut ch)
                } else {
                    normalizer.normalize_into(c.encode_utf8(&mut ch), &mut one);
                    one.as_str()
                };
                let piece = piece.trim();
                norm.push_str(piece);
                orig_at.extend(std::iter::repeat_n(sp.start + off, piece.len()));
            }
            if norm.len() == start {
                // everything normalised away (a lone diacritic): drop it
                if !tokens.is_empty() {
                    norm.pop();
                    orig_at.pop();
                }
                return;
            }
            tokens.push(NormTok {
                start,
                end: norm.len(),
                orig_start: sp.start,
                orig_end: sp.end,
            });
        });
        Self {
            norm,
            orig_at,
            tokens,
        }
    }

    /// The token (from `from` on) whose normalised text ends at `end`.
    fn token_ending_at(&self, end: usize, from: usize) -> Option<usize> {
        for (i, t) in self.tokens.iter().enumerate().skip(from) {
            if t.end == end {
                return Some(i);
            }
            if t.end > end {
                return None;
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "entities_tests.rs"]
mod tests;
