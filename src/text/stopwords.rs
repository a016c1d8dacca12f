//! Stop-word lists for Arabic (Modern Standard Arabic, news register) and English.
//!
//! # Why these lists exist
//!
//! News classification is driven by content words (actors, places, topics). Function
//! words such as "في" / "of" or "الذي" / "which" occur in every article regardless of
//! topic, so they inflate the vocabulary, dilute TF-IDF weights and add noise to
//! linear models. Both lists are written for this crate rather than copied from an
//! existing resource, so their provenance and licence are unambiguous.
//!
//! # Arabic list (393 entries)
//!
//! * Plain, unvocalised Modern Standard Arabic with standard hamza spelling
//!   (`إلى`, `أن`, `إن`, `أو`). Orthographic normalisation (alef/yeh/teh-marbuta
//!   folding, diacritic and tatweel removal) is the tokenizer's job; a caller that
//!   normalises tokens must normalise these entries with the same function before
//!   comparing, otherwise `إلى` will not match a folded `الى`.
//! * Covers prepositions (bare and with the most frequent pronoun suffixes, e.g.
//!   `فيها`, `عليه`), conjunctions, the particles `إن` / `أن` and their sisters,
//!   negation, pronouns, demonstratives, relative pronouns, `كان` and its sisters,
//!   interrogatives, quantifiers and common adverbs.
//! * Includes the most frequent forms with an attached conjunction `و` or `ف`
//!   (`وفي`, `ومن`, `وهو`, `فإن`, ...). These are listed explicitly because a
//!   tokenizer that does not segment clitics sees them as single tokens.
//! * Includes a handful of news reporting verbs (`قال`, `أضاف`, `أكد`, `أشار`,
//!   `أوضح` and their common forms): they appear in nearly every wire story and
//!   carry no topical signal.
//! * When clitic segmentation (`super::stem`) is enabled, filter stop words
//!   *before* segmenting: the data-free segmenter over-splits some of these very
//!   words (for example `فيها` becomes `ف+` + `يها`).
//!
//! # English list (315 entries)
//!
//! Lowercase function words: articles and determiners, pronouns, auxiliaries and
//! modals, prepositions, conjunctions, common adverbs, a few light/reporting verbs
//! (`say`, `said`, `told`) and common contractions written with an ASCII apostrophe.
//! Callers must lowercase tokens before lookup.
//!
//! Both functions return `'static` slices with no duplicates; build a `HashSet`
//! once at the call site if many lookups are needed.

/// Arabic stop words (Modern Standard Arabic, news register), unvocalised.
// Grouped by category, several entries a line; rustfmt would put one per line.
#[rustfmt::skip]
static ARABIC: &[&str] = &[
    // Prepositions and prepositional adverbs.
    "في", "من", "إلى", "على", "عن", "مع", "حتى", "منذ", "لدى", "عند", "حول", "خلال", "بين",
    "ضد", "نحو", "دون", "عبر", "وسط", "تحت", "فوق", "أمام", "خلف", "وراء", "بعد", "قبل", "قرب",
    "تجاه", "عدا", "سوى", "غير", "مثل", "ضمن", "رغم", "بدون", "حسب", "وفق", "وفقا", "طبقا",
    "إثر", "عقب", "بسبب", "بشأن", "حوالي",
    // Prepositions carrying a pronoun suffix.
    "له", "لها", "لهم", "لهما", "لنا", "لك", "لكم", "لي", "به", "بها", "بهم", "بنا", "بك",
    "بكم", "بي", "فيه", "فيها", "فيهم", "فينا", "منه", "منها", "منهم", "منك", "منكم", "مني",
    "عنه", "عنها", "عنهم", "عني", "عليه", "عليها", "عليهم", "علينا", "عليك", "عليكم", "إليه",
    "إليها", "إليهم", "إلينا", "معه", "معها", "معهم", "معنا", "لديه", "لديها", "لديهم", "لدينا",
    "لدي", "عنده", "عندها", "عندهم", "عندنا", "بينهم", "بينها", "بيننا",
    // Conjunctions and subordinators.
    "ثم", "أو", "أم", "بل", "لكن", "ولكن", "إلا", "إما", "أما", "كي", "لكي", "حيث", "إذ", "إذا",
    "إذن", "لو", "لولا", "كلما", "بينما", "عندما", "حينما", "لما", "كما", "مما", "ممن", "بما",
    "فيما", "طالما", "بعدما", "أينما", "مهما", "سواء",
    // Particles: inna and her sisters, future, negation, vocative.
    "إن", "أن", "كأن", "ليت", "لعل", "قد", "لقد", "سوف", "هل", "نعم", "لا", "لم", "لن", "ما",
    "إنما", "أنما", "كلا", "بلى", "يا", "أيها", "أيتها", "ألا", "لأن", "بأن", "أنه", "أنها",
    "أنهم", "أنهما", "أننا", "إنه", "إنها", "إنهم", "إننا", "لأنه", "لأنها", "كأنه", "كأنها",
    "لكنه", "لكنها", "عسى",
    // Independent and object pronouns.
    "أنا", "نحن", "أنت", "أنتما", "أنتم", "أنتن", "هو", "هي", "هما", "هم", "هن", "إياه",
    "إياها", "إياهم", "إياك", "إيانا",
    // Demonstratives and deictic adverbs.
    "هذا", "هذه", "هذان", "هذين", "هاتان", "هاتين", "ذلك", "تلك", "ذاك", "أولئك", "هؤلاء",
    "هنا", "هناك", "هنالك", "ثمة", "كذلك", "لذلك", "بذلك", "هكذا", "لهذا", "بهذا", "بهذه",
    "لهذه",
    // Relative pronouns.
    "الذي", "التي", "الذين", "اللذان", "اللذين", "اللتان", "اللتين", "اللاتي", "اللائي",
    "اللواتي",
    // Kana and her sisters, modal verbs.
    "كان", "كانت", "كانوا", "كانا", "كنت", "كنا", "يكون", "تكون", "يكونون", "ليس", "ليست",
    "لسنا", "صار", "أصبح", "أصبحت", "أصبحوا", "يصبح", "تصبح", "ظل", "يظل", "بات", "زال", "يزال",
    "تزال", "دام", "كاد", "يكاد", "يمكن", "يجب", "ينبغي",
    // News reporting verbs (said, added, stressed, pointed out, explained).
    "قال", "قالت", "يقول", "تقول", "أضاف", "أضافت", "أكد", "أكدت", "أشار", "أشارت", "أوضح",
    "أوضحت",
    // Interrogatives.
    "ماذا", "لماذا", "متى", "أين", "كيف", "كم", "أي", "أية",
    // Quantifiers, time words and common adverbs.
    "أيضا", "الآن", "اليوم", "أمس", "غدا", "حين", "آنذاك", "حاليا", "لاحقا", "سابقا", "فقط",
    "جدا", "أكثر", "أقل", "كل", "كله", "كلها", "كلهم", "بعض", "بعضها", "بعضهم", "جميع", "جميعا",
    "جميعهم", "معظم", "أغلب", "عدة", "عدد", "نفس", "نفسه", "نفسها", "ذات", "ذاته", "ذاتها",
    "ذو", "ذي", "أحد", "إحدى", "مثلا", "تماما", "دائما", "أبدا", "أحيانا", "غالبا", "ربما",
    "أثناء", "بلا", "تقريبا", "إضافة", "بالإضافة", "فضلا", "إلخ",
    // Attached conjunction wa- variants.
    "وفي", "ومن", "وإلى", "وعلى", "وعن", "ومع", "وحتى", "وعند", "وخلال", "وبين", "وبعد", "وقبل",
    "وغير", "وهو", "وهي", "وهم", "ونحن", "وأنا", "وهذا", "وهذه", "وذلك", "وهناك", "وكذلك",
    "والذي", "والتي", "وكان", "وكانت", "وليس", "وقد", "ولا", "ولم", "ولن", "وما", "وإن", "وأن",
    "وأنه", "ولما", "وإذا", "وعندما", "وأما", "وكل", "وبعض", "وأيضا", "واليوم", "وله", "ولها",
    "وبها", "وفيها", "ومنها", "وقال", "وقالت", "وأضاف", "وأكد", "وأشار", "وأوضح",
    // Attached conjunction fa- variants.
    "فإن", "فإنه", "فإنها", "فقد", "فلا", "فلم", "فلن", "فما", "فهو", "فهي", "فهذا", "فذلك",
    "فإذا", "فكان", "فكانت", "فليس", "فأما",
];

/// English stop words, lowercase.
#[rustfmt::skip]
static ENGLISH: &[&str] = &[
    // Articles, determiners and quantifiers.
    "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every",
    "either", "neither", "no", "none", "all", "both", "few", "fewer", "many", "much", "more",
    "most", "less", "least", "other", "others", "another", "such", "own", "same", "several",
    "enough", "various", "whole", "lot", "lots",
    // Personal, possessive and reflexive pronouns.
    "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your",
    "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers",
    "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "one",
    "ones", "oneself",
    // Interrogative, relative and indefinite pronouns.
    "who", "whom", "whose", "which", "what", "whatever", "whichever", "whoever", "whomever",
    "somebody", "someone", "something", "anybody", "anyone", "anything", "everybody",
    "everyone", "everything", "nobody", "nothing",
    // Auxiliaries and modals.
    "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
    "do", "does", "did", "doing", "done", "will", "would", "shall", "should", "can", "cannot",
    "could", "may", "might", "must", "ought",
    // Common contractions (ASCII apostrophe).
    "it's", "i'm", "i've", "i'd", "i'll", "we're", "we've", "they're", "they've", "you're",
    "you've", "he's", "she's", "that's", "there's", "let's", "don't", "doesn't", "didn't",
    "isn't", "aren't", "wasn't", "weren't", "hasn't", "haven't", "hadn't", "can't", "won't",
    "wouldn't", "couldn't", "shouldn't",
    // Prepositions.
    "about", "above", "across", "after", "against", "along", "alongside", "amid", "among",
    "amongst", "around", "as", "at", "before", "behind", "below", "beneath", "beside",
    "besides", "between", "beyond", "by", "despite", "down", "during", "except", "for", "from",
    "in", "inside", "into", "like", "near", "of", "off", "on", "onto", "out", "outside", "over",
    "past", "per", "since", "through", "throughout", "till", "to", "toward", "towards", "under",
    "underneath", "unlike", "until", "up", "upon", "via", "with", "within", "without",
    // Conjunctions.
    "and", "but", "or", "nor", "so", "yet", "if", "unless", "because", "although", "though",
    "whereas", "while", "whilst", "whether", "than", "then", "once",
    // Wh-adverbs and place/time adverbs.
    "here", "there", "where", "when", "why", "how", "wherever", "whenever", "wherein",
    "whereby", "whereupon", "hence", "thus", "therefore", "thereby", "therein", "thereafter",
    "hereby", "herein", "hereafter", "elsewhere", "everywhere", "somewhere", "anywhere",
    "nowhere", "now", "soon", "later", "ago", "afterwards", "beforehand", "meanwhile",
    "sometime", "sometimes", "often", "seldom",
    // Degree, focus and connective adverbs.
    "also", "again", "already", "always", "ever", "never", "not", "only", "just", "even",
    "still", "very", "too", "quite", "rather", "almost", "nearly", "perhaps", "maybe",
    "however", "moreover", "otherwise", "indeed", "else", "instead", "anyway", "anyhow",
    "further", "furthermore", "nevertheless", "nonetheless", "somehow", "mostly", "mainly",
    "namely", "really", "simply", "yes",
    // Light verbs and news reporting verbs.
    "get", "gets", "got", "make", "makes", "made", "say", "says", "said", "told",
    // Titles and abbreviations.
    "mr", "mrs", "ms", "etc",
];

/// Arabic (MSA) stop words: unvocalised, standard hamza spelling, no duplicates.
pub fn arabic() -> &'static [&'static str] {
    ARABIC
}

/// English stop words: lowercase, no duplicates.
pub fn english() -> &'static [&'static str] {
    ENGLISH
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn assert_no_duplicates(list: &[&str], name: &str) {
        let mut seen = HashSet::new();
        for w in list {
            assert!(seen.insert(*w), "duplicate entry {w:?} in {name} list");
        }
    }

    fn assert_well_formed(list: &[&str], name: &str) {
        for w in list {
            assert!(!w.is_empty(), "empty entry in {name} list");
            assert!(
                !w.chars().any(char::is_whitespace),
                "whitespace inside {w:?} in {name} list"
            );
        }
    }

    fn is_arabic_diacritic(c: char) -> bool {
        matches!(c, '\u{064B}'..='\u{0652}' | '\u{0670}')
    }

    #[test]
    fn arabic_has_no_duplicates() {
        assert_no_duplicates(arabic(), "arabic");
    }

    #[test]
    fn english_has_no_duplicates() {
        assert_no_duplicates(english(), "english");
    }

    #[test]
    fn entries_are_non_empty_and_have_no_whitespace() {
        assert_well_formed(arabic(), "arabic");
        assert_well_formed(english(), "english");
    }

    #[test]
    fn arabic_entries_have_no_diacritics_or_tatweel() {
        for w in arabic() {
            assert!(
                !w.chars().any(is_arabic_diacritic),
                "diacritic in arabic entry {w:?}"
            );
            assert!(!w.contains('\u{0640}'), "tatweel in arabic entry {w:?}");
        }
    }

    #[test]
    fn arabic_entries_are_arabic_letters_only() {
        for w in arabic() {
            assert!(
                w.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c)),
                "non-letter in arabic entry {w:?}"
            );
        }
    }

    #[test]
    fn english_entries_are_lowercase_ascii() {
        for w in english() {
            assert!(
                w.chars().all(|c| c.is_ascii_lowercase() || c == '\''),
                "unexpected character in english entry {w:?}"
            );
        }
    }

    #[test]
    fn list_sizes_are_in_the_expected_range() {
        assert!((250..=400).contains(&arabic().len()), "{}", arabic().len());
        assert!(
            (250..=350).contains(&english().len()),
            "{}",
            english().len()
        );
    }

    #[test]
    fn arabic_contains_known_members() {
        let set: HashSet<&str> = arabic().iter().copied().collect();
        let known =
            "في من إلى على عن مع أن إن أو هو هي هم نحن أنا هذا هذه ذلك تلك هؤلاء الذي التي الذين
            اللذان كان كانت يكون ليس لا لم لن ما قد لقد أيضا حيث عند بعد قبل وفي ومن وهو فإن قال";
        for w in known.split_whitespace() {
            assert!(set.contains(w), "missing arabic stop word {w:?}");
        }
    }

    #[test]
    fn arabic_uses_hamza_spelling() {
        let set: HashSet<&str> = arabic().iter().copied().collect();
        for w in ["الى", "ان", "او", "اذا"] {
            assert!(
                !set.contains(w),
                "hamza-less spelling {w:?} should not be listed"
            );
        }
    }

    #[test]
    fn english_contains_known_members() {
        let set: HashSet<&str> = english().iter().copied().collect();
        for w in [
            "the", "a", "an", "and", "or", "of", "in", "to", "is", "was", "be", "he", "she",
            "they", "which", "that", "not", "with", "from", "said",
        ] {
            assert!(set.contains(w), "missing english stop word {w:?}");
        }
        for w in ["trump", "iraq", "economy"] {
            assert!(
                !set.contains(w),
                "content word {w:?} must not be a stop word"
            );
        }
    }
}
