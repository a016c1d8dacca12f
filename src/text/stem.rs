//! Conservative, data-free Arabic clitic segmentation (a "light stemmer").
//!
//! # Why
//!
//! Arabic writes conjunctions, some prepositions, the definite article and
//! possessive/object pronouns attached to the word: `والكتاب` ("and the book"),
//! `للعراق` ("for Iraq"), `كتابها` ("her book"). Without segmentation every
//! combination is a separate vocabulary entry, which fragments the counts of
//! the content word a news classifier actually cares about. Real segmenters use
//! a lexicon or a trained model; this crate ships no data, so this module uses a
//! small set of orthographic rules that prefer *under*-splitting to
//! over-splitting. The tokenizer calls [`segment`] when `segment_clitics=True`.
//!
//! # Rules (this is the specification; the tests check each one)
//!
//! 1. **Candidates.** Only words made entirely of Arabic letters
//!    (U+0621..=U+064A or U+0671..=U+06D3) are candidates. Anything else —
//!    Latin, digits, mixed scripts, words still carrying diacritics, the empty
//!    string — is returned unchanged (whole word as the stem, no markers).
//!    Callers should strip diacritics and normalise before segmenting. Note
//!    that tatweel (U+0640) lies inside the accepted range and is treated as
//!    a letter, so it must be removed first too.
//! 2. **Short words.** Words of 3 letters or fewer are never segmented.
//!    Letters are counted as `char`s, never bytes.
//! 3. **Proclitics,** read left to right, each optional, at most one of each:
//!    * a conjunction `و` or `ف`;
//!    * then the article, in one of these shapes:
//!      * `لل` → preposition `ل` + article `ال` whose alef is elided in writing
//!        (markers `ل+`, `ال+`);
//!      * `بال` / `كال` → preposition `ب` / `ك` + article (markers `ب+`/`ك+`, `ال+`);
//!      * `ال` → article alone (marker `ال+`).
//!
//!    **Decision on bare prepositions:** `ب`, `ك` and `ل` are split off *only*
//!    when they are followed by the article (the three shapes above). A bare
//!    `ب`/`ك`/`ل` before an indefinite word is left attached, because far too
//!    many stems begin with those letters (`بغداد`, `كتاب`, `لبنان`, `بحث`,
//!    `كبير`, `لجنة`). So `بغداد`, `كتاب`, `لبنان` stay whole and `وبغداد` is
//!    `و+` + `بغداد`; the price is that `بمصر`, `لتحقيق`, `كرئيس` are
//!    under-split (left whole), which is harmless for classification.
//!    Because `ل` is only ever split as `لل`, a marker sequence `ل+`, `ال+`
//!    always stands for the written letters `لل`.
//! 4. **Stem length for prefixes.** The prefix chain is taken greedily, then
//!    the *whole* chain is undone if it would leave a stem of fewer than 3
//!    letters: `والد` stays `والد`, `الله` stays `الله`, `الآن` stays `الآن`,
//!    `وكالة` stays `وكالة`, `فقط` stays `فقط`.
//! 5. **Enclitics.** A single pronoun suffix is stripped, longest first:
//!    `هما كما` (3 letters), `ها هم هن كم كن نا` (2 letters), then `ه ك ي`
//!    (1 letter). Two- and three-letter suffixes must leave a stem of at
//!    least 3 letters; one-letter suffixes must leave at least 4. If the
//!    longest matching suffix would leave too short a stem, shorter ones are
//!    still tried.
//! 6. **Article blocks enclitics.** A definite noun does not take a possessive
//!    pronoun, so no suffix is stripped when the word has one of the article
//!    shapes of rule 3 after its optional conjunction — *even if* the article
//!    split was undone by rule 4. This keeps `والتي`, `والذي`, `الله`, `والده`
//!    whole instead of producing `والت` + `+ي`.
//! 7. **Output.** Markers are `و+ ف+ ب+ ك+ ل+ ال+` for prefixes (in reading
//!    order) and `+ها`, `+ه`, ... for the suffix. The stem is always a
//!    contiguous slice of the input, and prefix letters (with `ل+ال+` written
//!    `لل`) + stem + suffix letters reproduce the input exactly.
//!
//! # Known over-splits (stated plainly)
//!
//! With no lexicon the rules cannot tell a clitic from a stem letter that
//! happens to look like one. Known wrong outputs, all covered by tests:
//!
//! * Stems beginning with `و` or `ف`: `وزير` → `و+` `زير`, `وزارة` → `و+`
//!   `زارة`, `ولاية` → `و+` `لاية`, `واشنطن` → `و+` `اشنطن`, `فلسطين` → `ف+`
//!   `لسطين`, `فرنسا` → `ف+` `رنسا`, `فيلم` → `ف+` `يلم`, and the stop words
//!   `فيها`/`فيما` (`ف+` `يها`) — filter stop words before segmenting.
//! * Stems beginning with `ال` that is not the article: `التزام` → `ال+`
//!   `تزام`; relatives such as `الذين` → `ال+` `ذين`.
//! * Hamza spelling matters: `ألمانيا` and `إليها` are handled correctly, but
//!   after alef folding (`أ`/`إ` → `ا`) they read `المانيا` → `ال+` `مانيا` and
//!   `اليها` → `ال+` `يها`. Segment before folding alef when possible.
//! * `لل` + a name beginning with `ل`: `لليبيا` → `ل+` `ال+` `يبيا` (the
//!   reconstruction is still exact, the analysis is not).
//! * Article-shaped sequences inside a stem: `وكالتها` → `و+` `ك+` `ال+`
//!   `تها`, `والدته` → `و+` `ال+` `دته`.
//! * Words ending in letters that look like pronouns: nisba adjectives
//!   `عراقي` → `عراق` `+ي`, `أمريكي` → `أمريك` `+ي`; `اتجاه` → `اتجا` `+ه`;
//!   `مشترك` → `مشتر` `+ك`; `كورونا` → `كورو` `+نا`, `أحيانا` → `أحيا`
//!   `+نا`; `تفاهم` → `تفا` `+هم`; `تراكم` → `ترا` `+كم`; `أماكن` → `أما`
//!   `+كن`.

/// One word split into proclitic markers, a stem, and an optional enclitic marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segmented<'a> {
    /// Proclitic markers in reading order, e.g. `["و+", "ال+"]`.
    pub prefixes: Vec<&'static str>,
    /// The remaining stem: always a contiguous slice of the input word.
    pub stem: &'a str,
    /// Pronoun enclitic marker, e.g. `Some("+ها")`.
    pub suffix: Option<&'static str>,
}

impl Segmented<'_> {
    /// The surface word the segmentation came from. Rule 7: the markers,
    /// the stem and the suffix rebuild it exactly, «لل» standing for «ل+»
    /// «ال+». Tests and the fuzz target check every segmentation with it.
    pub fn surface(&self) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < self.prefixes.len() {
            if self.prefixes[i] == "ل+" && self.prefixes.get(i + 1) == Some(&"ال+") {
                out.push_str("لل");
                i += 2;
            } else {
                out.push_str(self.prefixes[i].trim_end_matches('+'));
                i += 1;
            }
        }
        out.push_str(self.stem);
        if let Some(suf) = self.suffix {
            out.push_str(suf.trim_start_matches('+'));
        }
        out
    }
}

/// Minimum stem length (in letters) left after any strip.
const MIN_STEM: usize = 3;
/// Minimum stem length left after stripping a one-letter suffix (`ه ك ي`).
const MIN_STEM_SINGLE_LETTER_SUFFIX: usize = 4;

/// Pronoun enclitics, longest first, as (letters, marker).
const SUFFIXES: &[(&[char], &str)] = &[
    (&['ه', 'م', 'ا'], "+هما"),
    (&['ك', 'م', 'ا'], "+كما"),
    (&['ه', 'ا'], "+ها"),
    (&['ه', 'م'], "+هم"),
    (&['ه', 'ن'], "+هن"),
    (&['ك', 'م'], "+كم"),
    (&['ك', 'ن'], "+كن"),
    (&['ن', 'ا'], "+نا"),
    (&['ه'], "+ه"),
    (&['ك'], "+ك"),
    (&['ي'], "+ي"),
];

const ALEF: char = 'ا';
const LAM: char = 'ل';

/// True for the Arabic letters accepted by rule 1.
fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}')
}

/// Proclitic chain found at the start of a word: markers and letters consumed.
struct Prefixes {
    markers: Vec<&'static str>,
    len: usize,
    has_article: bool,
}

/// Greedy proclitic analysis (rule 3), without the length check of rule 4.
fn scan_prefixes(chars: &[char]) -> Prefixes {
    let mut markers = Vec::new();
    let mut pos = 0;
    match chars.first() {
        Some('و') => {
            markers.push("و+");
            pos = 1;
        }
        Some('ف') => {
            markers.push("ف+");
            pos = 1;
        }
        _ => {}
    }
    let rest = &chars[pos..];
    let mut has_article = true;
    if rest.starts_with(&[LAM, LAM]) {
        markers.extend(["ل+", "ال+"]);
        pos += 2;
    } else if rest.len() >= 3 && rest[1] == ALEF && rest[2] == LAM && rest[0] == 'ب' {
        markers.extend(["ب+", "ال+"]);
        pos += 3;
    } else if rest.len() >= 3 && rest[1] == ALEF && rest[2] == LAM && rest[0] == 'ك' {
        markers.extend(["ك+", "ال+"]);
        pos += 3;
    } else if rest.starts_with(&[ALEF, LAM]) {
        markers.push("ال+");
        pos += 2;
    } else {
        has_article = false;
    }
    Prefixes {
        markers,
        len: pos,
        has_article,
    }
}

/// Split `word` into proclitic markers, stem and enclitic marker.
///
/// See the module documentation for the exact rules. Non-candidates (non-Arabic
/// or short words) come back unchanged: `stem == word`, no markers.
pub fn segment(word: &str) -> Segmented<'_> {
    let unchanged = Segmented {
        prefixes: Vec::new(),
        stem: word,
        suffix: None,
    };
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n <= MIN_STEM || !chars.iter().all(|&c| is_arabic_letter(c)) {
        return unchanged;
    }

    // Rules 3 and 4: greedy chain, undone as a whole if the stem gets too short.
    let scanned = scan_prefixes(&chars);
    let (prefixes, start) = if n - scanned.len >= MIN_STEM {
        (scanned.markers, scanned.len)
    } else {
        (Vec::new(), 0)
    };

    // Rules 5 and 6: one pronoun suffix, only on words without an article shape.
    let mut end = n;
    let mut suffix = None;
    if !scanned.has_article {
        for &(letters, marker) in SUFFIXES {
            let min_stem = if letters.len() == 1 {
                MIN_STEM_SINGLE_LETTER_SUFFIX
            } else {
                MIN_STEM
            };
            if chars[start..].ends_with(letters) && n - start - letters.len() >= min_stem {
                suffix = Some(marker);
                end = n - letters.len();
                break;
            }
        }
    }

    // Char indices -> byte offsets, so the stem is a slice of the input.
    let byte_at = |char_idx: usize| {
        word.char_indices()
            .nth(char_idx)
            .map_or(word.len(), |(b, _)| b)
    };
    Segmented {
        prefixes,
        stem: &word[byte_at(start)..byte_at(end)],
        suffix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Check one case: expected output, exact reconstruction, stem is a slice.
    fn check(word: &str, prefixes: &[&str], stem: &str, suffix: Option<&str>) {
        let got = segment(word);
        assert_eq!(got.prefixes, prefixes, "prefixes of {word:?}");
        assert_eq!(got.stem, stem, "stem of {word:?}");
        assert_eq!(got.suffix, suffix, "suffix of {word:?}");
        assert_eq!(got.surface(), word, "reconstruction of {word:?}");
        let (w0, w1) = (word.as_ptr() as usize, word.as_ptr() as usize + word.len());
        let s0 = got.stem.as_ptr() as usize;
        assert!(
            s0 >= w0 && s0 + got.stem.len() <= w1,
            "stem of {word:?} is not a slice of the input"
        );
        if got.stem != word {
            assert!(got.stem.chars().count() >= MIN_STEM, "stem too short");
        }
    }

    type Case = (
        &'static str,
        &'static [&'static str],
        &'static str,
        Option<&'static str>,
    );

    /// Splits the rules get right.
    const CORRECT: &[Case] = &[
        ("والكتاب", &["و+", "ال+"], "كتاب", None),
        ("الكتاب", &["ال+"], "كتاب", None),
        ("الحكومة", &["ال+"], "حكومة", None),
        ("للعراق", &["ل+", "ال+"], "عراق", None),
        ("وللعراق", &["و+", "ل+", "ال+"], "عراق", None),
        ("للغاية", &["ل+", "ال+"], "غاية", None),
        ("بالنسبة", &["ب+", "ال+"], "نسبة", None),
        ("كالعادة", &["ك+", "ال+"], "عادة", None),
        ("فالحكومة", &["ف+", "ال+"], "حكومة", None),
        ("وبالتالي", &["و+", "ب+", "ال+"], "تالي", None),
        ("اللغة", &["ال+"], "لغة", None),
        ("كتابها", &[], "كتاب", Some("+ها")),
        ("وكتابها", &["و+"], "كتاب", Some("+ها")),
        ("بيتهما", &[], "بيت", Some("+هما")),
        ("كتابكما", &[], "كتاب", Some("+كما")),
        ("حكومتنا", &[], "حكومت", Some("+نا")),
        ("عليهم", &[], "علي", Some("+هم")),
        ("رأيهن", &[], "رأي", Some("+هن")),
        ("بلادكم", &[], "بلاد", Some("+كم")),
        ("بيوتكن", &[], "بيوت", Some("+كن")),
        ("كتابه", &[], "كتاب", Some("+ه")),
        ("كتابك", &[], "كتاب", Some("+ك")),
        ("كتابي", &[], "كتاب", Some("+ي")),
        ("كلاهما", &[], "كلا", Some("+هما")),
        ("وقال", &["و+"], "قال", None),
        ("فقال", &["ف+"], "قال", None),
        ("ولكن", &["و+"], "لكن", None),
        ("وبغداد", &["و+"], "بغداد", None),
        ("وحكومتها", &["و+"], "حكومت", Some("+ها")),
        ("إليها", &[], "إلي", Some("+ها")),
    ];

    /// Words the rules must leave whole.
    const UNCHANGED: &[&str] = &[
        // Bare ب/ك/ل are never split (rule 3 decision).
        "بغداد",
        "كتاب",
        "لبنان",
        "بمصر",
        "لتحقيق",
        // Prefix chain undone: stem would be < 3 letters (rule 4).
        "الله",
        "والد",
        "الآن",
        "وكالة",
        "وكالات",
        "بالغ",
        "فقط",
        "ولله",
        // Article shape blocks suffixes even when undone (rule 6).
        "الذي",
        "التي",
        "والتي",
        "والذي",
        "والي",
        "والده",
        // Suffix would leave too short a stem (rule 5).
        "منها",
        "منهم",
        "مصري",
        "هناك",
        "يمكن",
        // Hamza on the alef: not the article.
        "ألمانيا",
        // Short words (rule 2).
        "ولد",
        "وال",
        "من",
        "و",
        "",
        // Non-candidates (rule 1).
        "Trump",
        "COVID19",
        "2024",
        "بغداد2024",
        "كِتَابُهَا",
    ];

    /// Known over-splits, kept here so any change in behaviour is visible.
    const KNOWN_OVERSPLITS: &[Case] = &[
        ("فلسطين", &["ف+"], "لسطين", None),
        ("فرنسا", &["ف+"], "رنسا", None),
        ("فيلم", &["ف+"], "يلم", None),
        ("فيها", &["ف+"], "يها", None),
        ("فيما", &["ف+"], "يما", None),
        ("وزير", &["و+"], "زير", None),
        ("وزارة", &["و+"], "زارة", None),
        ("ولاية", &["و+"], "لاية", None),
        ("واشنطن", &["و+"], "اشنطن", None),
        ("التزام", &["ال+"], "تزام", None),
        ("المانيا", &["ال+"], "مانيا", None),
        ("اليها", &["ال+"], "يها", None),
        ("الذين", &["ال+"], "ذين", None),
        ("لليبيا", &["ل+", "ال+"], "يبيا", None),
        ("وكالتها", &["و+", "ك+", "ال+"], "تها", None),
        ("والدته", &["و+", "ال+"], "دته", None),
        ("عراقي", &[], "عراق", Some("+ي")),
        ("أمريكي", &[], "أمريك", Some("+ي")),
        ("اتجاه", &[], "اتجا", Some("+ه")),
        ("مشترك", &[], "مشتر", Some("+ك")),
        ("كورونا", &[], "كورو", Some("+نا")),
        ("أحيانا", &[], "أحيا", Some("+نا")),
        ("تفاهم", &[], "تفا", Some("+هم")),
        ("تراكم", &[], "ترا", Some("+كم")),
        ("أماكن", &[], "أما", Some("+كن")),
    ];

    #[test]
    fn correct_splits() {
        for &(word, prefixes, stem, suffix) in CORRECT {
            check(word, prefixes, stem, suffix);
        }
    }

    #[test]
    fn unchanged_words() {
        for &word in UNCHANGED {
            check(word, &[], word, None);
        }
    }

    #[test]
    fn known_oversplits_are_documented_behaviour() {
        for &(word, prefixes, stem, suffix) in KNOWN_OVERSPLITS {
            check(word, prefixes, stem, suffix);
        }
    }

    #[test]
    fn enough_cases() {
        assert!(CORRECT.len() + UNCHANGED.len() + KNOWN_OVERSPLITS.len() >= 30);
    }

    #[test]
    fn article_word_gets_no_suffix() {
        let s = segment("الكتاب");
        assert_eq!(s.suffix, None);
        // Even a pronoun-looking ending is kept after an article.
        let s = segment("البنك");
        assert_eq!((s.prefixes, s.stem, s.suffix), (vec!["ال+"], "بنك", None));
    }

    #[test]
    fn latin_is_unchanged() {
        assert_eq!(
            segment("Trump"),
            Segmented {
                prefixes: vec![],
                stem: "Trump",
                suffix: None
            }
        );
    }

    #[test]
    fn extended_arabic_letters_are_candidates() {
        // U+06CC FARSI YEH is in the accepted letter range but is not a clitic.
        check("والکتاب", &["و+", "ال+"], "کتاب", None);
        check("كتابی", &[], "كتابی", None);
    }

    #[test]
    fn stems_respect_length_limits() {
        for &(word, _, _, _) in CORRECT.iter().chain(KNOWN_OVERSPLITS) {
            let s = segment(word);
            let stem_len = s.stem.chars().count();
            assert!(stem_len >= MIN_STEM, "{word:?}");
            if let Some(suf) = s.suffix {
                let suffix_letters = suf.chars().count() - 1; // minus the '+'
                if suffix_letters == 1 {
                    assert!(stem_len >= MIN_STEM_SINGLE_LETTER_SUFFIX, "{word:?}");
                }
            }
        }
    }
}
