//! The built-in cue lexicons of [`PairFeaturizer`] (refuting, hedging,
//! reporting and negation words, Arabic and English), the FNV hashes that
//! words and word pairs are compared by, and cue counting. Kept apart
//! because the lexicons are long data lists that would otherwise bury the
//! featuriser's code.

use rustc_hash::FxHashSet;

use crate::features::pairs::PairFeaturizer;

/// Refuting / denial cues (normalised and matched as words or word pairs).
pub(crate) const REFUTE: &[&str] = &[
    "نفى",
    "ينفي",
    "نفت",
    "تنفي",
    "نفي",
    "نفوا",
    "ينفون",
    "كذب",
    "كذبت",
    "يكذب",
    "تكذيب",
    "شائعة",
    "شائعات",
    "إشاعة",
    "إشاعات",
    "مزاعم",
    "ادعاءات",
    "زعم",
    "مزيف",
    "مزيفة",
    "مفبرك",
    "مفبركة",
    "فبركة",
    "ملفق",
    "ملفقة",
    "مضلل",
    "مضللة",
    "عار عن الصحة",
    "غير صحيح",
    "غير صحيحة",
    "لا صحة",
    "لا أساس",
    "عارية عن الصحة",
    "خاطئ",
    "خاطئة",
    "أكاذيب",
    "كاذب",
    "كاذبة",
    "دحض",
    "يدحض",
    "رفض",
    "رفضت",
    "ينكر",
    "أنكر",
    "أنكرت",
    "تفنيد",
    "deny",
    "denies",
    "denied",
    "denial",
    "fake",
    "hoax",
    "false",
    "falsely",
    "untrue",
    "debunk",
    "debunked",
    "debunks",
    "refute",
    "refutes",
    "refuted",
    "rumor",
    "rumors",
    "rumour",
    "rumours",
    "fabricated",
    "fabrication",
    "bogus",
    "myth",
    "not true",
    "no evidence",
    "misleading",
    "fraud",
    "lie",
    "lies",
    "dismissed",
    "rejects",
    "rejected",
    "doubt",
    "doubts",
    "satire",
    "prank",
];

/// Hedging / uncertainty cues.
pub(crate) const HEDGE: &[&str] = &[
    "قد",
    "ربما",
    "يزعم",
    "يزعمون",
    "زعمت",
    "يعتقد",
    "يُعتقد",
    "محتمل",
    "محتملة",
    "احتمال",
    "يحتمل",
    "مزعوم",
    "مزعومة",
    "يشتبه",
    "مشتبه",
    "غير مؤكد",
    "غير مؤكدة",
    "لم يتأكد",
    "لم تتأكد",
    "يبدو",
    "على ما يبدو",
    "أنباء",
    "تقارير",
    "بحسب",
    "وفقا",
    "نقلا",
    "مصادر",
    "يرجح",
    "ترجيح",
    "reportedly",
    "allegedly",
    "alleged",
    "reports",
    "report",
    "claim",
    "claims",
    "claimed",
    "may",
    "might",
    "could",
    "possibly",
    "possible",
    "apparently",
    "rumored",
    "rumoured",
    "suggest",
    "suggests",
    "suspected",
    "unconfirmed",
    "unverified",
    "believed",
    "likely",
    "purportedly",
    "according",
];

/// Reporting verbs.
pub(crate) const REPORT: &[&str] = &[
    "قال",
    "قالت",
    "يقول",
    "تقول",
    "أضاف",
    "أضافت",
    "يضيف",
    "أكد",
    "أكدت",
    "يؤكد",
    "تؤكد",
    "حذر",
    "حذرت",
    "يحذر",
    "ذكر",
    "ذكرت",
    "يذكر",
    "أعلن",
    "أعلنت",
    "يعلن",
    "صرح",
    "صرحت",
    "أوضح",
    "أوضحت",
    "أشار",
    "أشارت",
    "نقل",
    "نقلت",
    "أفاد",
    "أفادت",
    "كشف",
    "كشفت",
    "said",
    "says",
    "told",
    "tell",
    "stated",
    "announced",
    "confirmed",
    "confirms",
    "added",
    "reported",
    "according to",
    "claimed",
    "explained",
    "noted",
    "revealed",
    "warned",
];

/// Negation words.
pub(crate) const NEGATION: &[&str] = &[
    "لا",
    "لم",
    "لن",
    "ليس",
    "ليست",
    "ليسوا",
    "غير",
    "عدم",
    "بدون",
    "دون",
    "ما",
    "not",
    "no",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "without",
    "cannot",
    "t",
];

pub(crate) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(crate) fn combine(a: u64, b: u64) -> u64 {
    (a.rotate_left(23) ^ b).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Cue lexicons compiled to hashes of normalised words and word pairs.
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    pub(crate) refute: FxHashSet<u64>,
    pub(crate) hedge: FxHashSet<u64>,
    pub(crate) report: FxHashSet<u64>,
    pub(crate) negation: FxHashSet<u64>,
}

impl PairFeaturizer {
    /// Cue words (as written or clitic-stripped) and cue word pairs.
    pub(crate) fn count_cues(&self, set: &FxHashSet<u64>, toks: (&[u64], &[u64])) -> usize {
        let (full, stem) = toks;
        let single = full
            .iter()
            .zip(stem)
            .filter(|(h, s)| set.contains(h) || set.contains(s))
            .count();
        let pairs = (1..full.len())
            .filter(|&i| {
                set.contains(&combine(full[i - 1], full[i]))
                    || set.contains(&combine(stem[i - 1], full[i]))
            })
            .count();
        single + pairs
    }
}
