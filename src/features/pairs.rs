//! Stance pair features: how a body (article, tweet, sentence) relates to
//! a headline, claim or target.
//!
//! Every pair gets the same fixed list of dense features ([`FEATURE_NAMES`]):
//! word and stem overlap, headline n-gram and character-gram hits in the
//! whole body / its first 255 characters / its first sentence, TF-IDF
//! cosine with the whole body and with its best-matching sentence, entity
//! and number overlap, counts of refuting, hedging, reporting and negation
//! cues (built-in Arabic and English lexicons), question marks, quotes and
//! lengths. Texts are normalised (the "arabic" preset by default) and
//! tokenised with khabar's tokenizer; stop words are left out of overlaps.
//!
//! Bodies repeat across pairs in stance corpora (FNC-1: 1,700 bodies for
//! 50,000 pairs), so each distinct body is analysed once per call.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::entities::{EntityType, Gazetteer};
use crate::parallel::{map_ranges, transform_parts};
use crate::text::stem::segment;
use crate::text::tokenize::{scan, TokenKind};
use crate::text::{stopwords, Normalizer, NormalizerConfig};

/// Names of the features, in column order.
pub const FEATURE_NAMES: [&str; 52] = [
    "word_jaccard",
    "word_contain_h_in_b",
    "word_contain_b_in_h",
    "stem_jaccard",
    "stem_contain_h_in_b",
    "stem_contain_b_in_h",
    "ngram1_hits_body",
    "ngram2_hits_body",
    "ngram3_hits_body",
    "ngram4_hits_body",
    "ngram1_hits_first255",
    "ngram2_hits_first255",
    "ngram3_hits_first255",
    "ngram4_hits_first255",
    "ngram1_hits_first_sentence",
    "ngram2_hits_first_sentence",
    "ngram3_hits_first_sentence",
    "ngram4_hits_first_sentence",
    "chargram_hits_body",
    "chargram_hits_first255",
    "chargram_hits_first_sentence",
    "tfidf_cosine",
    "tfidf_cosine_best_sentence",
    "tfidf_cosine_top3_sentences",
    "best_sentence_position",
    "sentences_with_overlap",
    "entity_headline_in_body",
    "entity_shared_log",
    "entity_body_only_log",
    "entity_headline_count",
    "per_shared",
    "loc_shared",
    "org_shared",
    "number_headline_in_body",
    "number_headline_count",
    "refute_body_per100",
    "refute_headline",
    "refute_best_sentence",
    "refute_first_sentence",
    "hedge_body_per100",
    "hedge_headline",
    "hedge_best_sentence",
    "report_body_per100",
    "report_headline",
    "negation_near_headline_terms_per100",
    "negation_headline",
    "question_headline",
    "question_body_per100",
    "quotes_body_per100",
    "body_tokens_log",
    "headline_tokens_log",
    "body_sentences_log",
];

/// Refuting / denial cues (normalised and matched as words or word pairs).
const REFUTE: &[&str] = &[
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
const HEDGE: &[&str] = &[
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
const REPORT: &[&str] = &[
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
const NEGATION: &[&str] = &[
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

const FIRST_CHARS: usize = 255;

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn combine(a: u64, b: u64) -> u64 {
    (a.rotate_left(23) ^ b).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// One analysed text.
#[derive(Default)]
struct Analysed {
    /// Content-token hashes (stop words removed), in order, and the
    /// normalised words themselves.
    words: Vec<u64>,
    word_strs: Vec<String>,
    stems: Vec<u64>,
    /// Sentence index of each content token.
    sentence: Vec<u32>,
    /// Whether each content token starts within the first 255 characters.
    early: Vec<bool>,
    /// All-token hashes (stop words kept) with their sentence, for cues,
    /// and the hashes of their clitic-stripped stems («وقال» -> «قال»).
    all: Vec<u64>,
    all_stem: Vec<u64>,
    all_sentence: Vec<u32>,
    chargrams: Vec<(u64, u32, bool)>,
    numbers: FxHashSet<u64>,
    entities: FxHashSet<(u8, u64)>,
    n_sentences: u32,
    questions: u32,
    quotes: u32,
    n_tokens: usize,
}

/// Cue lexicons compiled to hashes of normalised words and word pairs.
#[derive(Debug, Clone)]
struct Lexicon {
    refute: FxHashSet<u64>,
    hedge: FxHashSet<u64>,
    report: FxHashSet<u64>,
    negation: FxHashSet<u64>,
}

/// Fitted pair featuriser: normaliser, IDF over the training texts and an
/// optional gazetteer for entity overlap.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "PairData", try_from = "PairData")]
pub struct PairFeaturizer {
    normalizer: Normalizer,
    gazetteer: Option<Gazetteer>,
    idf: FxHashMap<u64, f32>,
    default_idf: f32,
    stop: FxHashSet<u64>,
    lexicon: Lexicon,
}

#[derive(Serialize, Deserialize)]
struct PairData {
    normalizer: NormalizerConfig,
    gazetteer: Option<Gazetteer>,
    idf_keys: Vec<u64>,
    idf_values: Vec<f32>,
    default_idf: f32,
}

impl From<PairFeaturizer> for PairData {
    fn from(p: PairFeaturizer) -> Self {
        let mut kv: Vec<(u64, f32)> = p.idf.into_iter().collect();
        kv.sort_unstable_by_key(|&(k, _)| k);
        Self {
            normalizer: *p.normalizer.config(),
            gazetteer: p.gazetteer,
            idf_keys: kv.iter().map(|&(k, _)| k).collect(),
            idf_values: kv.iter().map(|&(_, v)| v).collect(),
            default_idf: p.default_idf,
        }
    }
}

impl TryFrom<PairData> for PairFeaturizer {
    type Error = Error;
    fn try_from(d: PairData) -> Result<Self> {
        if d.idf_keys.len() != d.idf_values.len() {
            return Err(Error::ModelFormat(
                "pair features: IDF shapes differ".into(),
            ));
        }
        let mut p = PairFeaturizer::unfitted(d.normalizer, d.gazetteer);
        p.idf = d.idf_keys.into_iter().zip(d.idf_values).collect();
        p.default_idf = d.default_idf;
        Ok(p)
    }
}

impl PairFeaturizer {
    /// Whether every IDF weight is a finite number (checked when a model
    /// file is loaded: a damaged weight would make every feature NaN).
    pub fn weights_finite(&self) -> bool {
        self.default_idf.is_finite() && self.idf.values().all(|v| v.is_finite())
    }

    fn unfitted(normalizer: NormalizerConfig, gazetteer: Option<Gazetteer>) -> Self {
        let normalizer = Normalizer::new(normalizer);
        let norm = |w: &str| normalizer.normalize(w);
        let set = |words: &[&str]| -> FxHashSet<u64> {
            words
                .iter()
                .map(|w| {
                    let toks: Vec<String> = norm(w).split_whitespace().map(String::from).collect();
                    toks.iter().map(|t| fnv(t)).reduce(combine).unwrap_or(0)
                })
                .collect()
        };
        let stop = stopwords::arabic()
            .iter()
            .chain(stopwords::english())
            .map(|w| fnv(&norm(w)))
            .collect();
        Self {
            normalizer,
            gazetteer,
            idf: FxHashMap::default(),
            default_idf: 1.0,
            stop,
            lexicon: Lexicon {
                refute: set(REFUTE),
                hedge: set(HEDGE),
                report: set(REPORT),
                negation: set(NEGATION),
            },
        }
    }

    /// Fit IDF on the distinct texts (headlines and bodies) of `pairs`.
    pub fn fit<S: AsRef<str> + Sync>(
        pairs: &[(S, S)],
        normalizer: NormalizerConfig,
        gazetteer: Option<Gazetteer>,
        threads: usize,
    ) -> Result<Self> {
        if pairs.is_empty() {
            return Err(Error::InvalidInput("cannot fit on 0 pairs".into()));
        }
        let mut p = Self::unfitted(normalizer, gazetteer);
        let mut seen = FxHashSet::default();
        let texts: Vec<&str> = pairs
            .iter()
            .flat_map(|(h, b)| [h.as_ref(), b.as_ref()])
            .filter(|t| seen.insert(*t))
            .collect();
        let sets: Vec<FxHashSet<u64>> = map_ranges(
            threads,
            texts.len(),
            transform_parts(threads, texts.len()),
            |r| {
                texts[r]
                    .iter()
                    .map(|t| p.word_hashes(t))
                    .collect::<Vec<_>>()
            },
        )?
        .into_iter()
        .flatten()
        .collect();
        let mut df: FxHashMap<u64, u32> = FxHashMap::default();
        for s in &sets {
            for &h in s {
                *df.entry(h).or_default() += 1;
            }
        }
        let n = texts.len() as f32;
        p.default_idf = (1.0 + n).ln() + 1.0;
        p.idf = df
            .into_iter()
            .map(|(h, d)| (h, ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0))
            .collect();
        Ok(p)
    }

    pub fn n_idf_terms(&self) -> usize {
        self.idf.len()
    }

    /// Call `f` with each normalised word, number or hashtag token of
    /// `text` (tokens that normalise to nothing are skipped).
    fn for_each_word(&self, text: &str, mut f: impl FnMut(&str)) {
        let mut buf = String::new();
        scan(text, |sp| {
            if matches!(
                sp.kind,
                TokenKind::Word | TokenKind::Number | TokenKind::Hashtag
            ) {
                buf.clear();
                self.normalizer
                    .normalize_into(&text[sp.start..sp.end], &mut buf);
                if !buf.is_empty() {
                    f(&buf);
                }
            }
        });
    }

    /// Hashes of the normalised word and number tokens of `text`.
    fn word_hashes(&self, text: &str) -> FxHashSet<u64> {
        let mut out = FxHashSet::default();
        self.for_each_word(text, |w| {
            out.insert(fnv(w));
        });
        out
    }

    fn analyse(&self, text: &str) -> Analysed {
        let mut a = Analysed::default();
        let mut buf = String::new();
        let mut sentence = 0u32;
        let mut pending_break = false;
        let mut chars_before = 0usize;
        let mut last_byte = 0usize;
        let mut seen_sentence_text = false;
        scan(text, |sp| {
            let tok = &text[sp.start..sp.end];
            let gap = &text[last_byte..sp.start];
            chars_before += gap.chars().count();
            last_byte = sp.start;
            if (gap.contains('\n') || pending_break) && seen_sentence_text {
                sentence += 1;
                seen_sentence_text = false;
            }
            pending_break = false;
            match sp.kind {
                TokenKind::Punct => {
                    if tok.contains(['.', '!', '?', '؟', '…']) {
                        pending_break = true;
                    }
                    if tok.contains(['?', '؟']) {
                        a.questions += 1;
                    }
                    if tok.contains(['"', '«', '»', '“', '”']) {
                        a.quotes += 1;
                    }
                }
                TokenKind::Word | TokenKind::Number | TokenKind::Hashtag => {
                    seen_sentence_text = true;
                    buf.clear();
                    self.normalizer.normalize_into(tok, &mut buf);
                    if buf.is_empty() {
                        return;
                    }
                    a.n_tokens += 1;
                    let h = fnv(&buf);
                    let stem = fnv(segment(&buf).stem);
                    a.all.push(h);
                    a.all_stem.push(stem);
                    a.all_sentence.push(sentence);
                    if sp.kind == TokenKind::Number {
                        a.numbers.insert(h);
                    }
                    if self.stop.contains(&h) {
                        return;
                    }
                    let early = chars_before < FIRST_CHARS;
                    a.words.push(h);
                    a.word_strs.push(buf.clone());
                    a.stems.push(stem);
                    a.sentence.push(sentence);
                    a.early.push(early);
                    let chars: Vec<char> = format!(" {buf} ").chars().collect();
                    for w in chars.windows(4) {
                        let g: String = w.iter().collect();
                        a.chargrams.push((fnv(&g), sentence, early));
                    }
                }
                _ => {}
            }
        });
        a.n_sentences = sentence + 1;
        if let Some(g) = &self.gazetteer {
            for m in g.find_bytes(text) {
                let e = &g.entries[m.entry as usize];
                if matches!(e.kind, EntityType::Title) {
                    continue;
                }
                a.entities.insert((e.kind as u8, fnv(&e.canonical)));
            }
        }
        a
    }

    fn idf(&self, h: u64) -> f32 {
        self.idf.get(&h).copied().unwrap_or(self.default_idf)
    }

    /// Sublinear TF-IDF vector of a token list, L2-normalised.
    fn tfidf(&self, words: impl Iterator<Item = u64>) -> FxHashMap<u64, f32> {
        let mut tf: FxHashMap<u64, f32> = FxHashMap::default();
        for w in words {
            *tf.entry(w).or_default() += 1.0;
        }
        let mut norm = 0f32;
        for (h, v) in tf.iter_mut() {
            *v = (1.0 + v.ln()) * self.idf(*h);
            norm += *v * *v;
        }
        let norm = norm.sqrt().max(1e-12);
        tf.values_mut().for_each(|v| *v /= norm);
        tf
    }

    /// Cue words (as written or clitic-stripped) and cue word pairs.
    fn count_cues(&self, set: &FxHashSet<u64>, toks: (&[u64], &[u64])) -> usize {
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

    /// Normalised content words (stop words left out) of `text`, in order.
    fn content_words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_word(text, |w| {
            if !self.stop.contains(&fnv(w)) {
                out.push(w.to_string());
            }
        });
        out
    }

    /// For each pair, the body's content words absent from the headline and
    /// the headline's absent from the body, as space-joined texts: term
    /// features of what the body adds (a denial, a hedge) and of what it
    /// leaves out.
    pub fn diff_texts<S: AsRef<str> + Sync>(
        &self,
        pairs: &[(S, S)],
        threads: usize,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let parts = map_ranges(
            threads,
            pairs.len(),
            transform_parts(threads, pairs.len()),
            |r| {
                pairs[r]
                    .iter()
                    .map(|(h, b)| {
                        let hw = self.content_words(h.as_ref());
                        let bw = self.content_words(b.as_ref());
                        let hs: FxHashSet<&str> = hw.iter().map(String::as_str).collect();
                        let bs: FxHashSet<&str> = bw.iter().map(String::as_str).collect();
                        let keep = |words: &[String], other: &FxHashSet<&str>| {
                            words
                                .iter()
                                .filter(|w| !other.contains(w.as_str()))
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .join(" ")
                        };
                        (keep(&bw, &hs), keep(&hw, &bs))
                    })
                    .collect::<Vec<_>>()
            },
        )?;
        Ok(parts.into_iter().flatten().unzip())
    }

    /// Features of every pair, row-major `pairs.len() × FEATURE_NAMES.len()`.
    pub fn transform<S: AsRef<str> + Sync>(
        &self,
        pairs: &[(S, S)],
        threads: usize,
    ) -> Result<Vec<f32>> {
        Ok(self.transform_with(pairs, 0, threads)?.0)
    }

    /// [`Self::transform`], plus for each pair the content words of the
    /// body's `top_k` sentences most similar (TF-IDF cosine) to the
    /// headline, in body order: where a long article states its stance.
    pub fn transform_with<S: AsRef<str> + Sync>(
        &self,
        pairs: &[(S, S)],
        top_k: usize,
        threads: usize,
    ) -> Result<(Vec<f32>, Vec<String>)> {
        // analyse each distinct body once
        let mut body_id: FxHashMap<&str, usize> = FxHashMap::default();
        let mut bodies: Vec<&str> = Vec::new();
        let ids: Vec<usize> = pairs
            .iter()
            .map(|(_, b)| {
                *body_id.entry(b.as_ref()).or_insert_with(|| {
                    bodies.push(b.as_ref());
                    bodies.len() - 1
                })
            })
            .collect();
        let analysed: Vec<(Analysed, BodyExtra)> = map_ranges(
            threads,
            bodies.len(),
            transform_parts(threads, bodies.len()),
            |r| {
                bodies[r]
                    .iter()
                    .map(|b| {
                        let a = self.analyse(b);
                        let extra = BodyExtra::new(self, &a);
                        (a, extra)
                    })
                    .collect::<Vec<_>>()
            },
        )?
        .into_iter()
        .flatten()
        .collect();
        let nf = FEATURE_NAMES.len();
        let rows: Vec<(Vec<f32>, String)> = map_ranges(
            threads,
            pairs.len(),
            transform_parts(threads, pairs.len()),
            |r| {
                r.map(|i| {
                    let (body, extra) = &analysed[ids[i]];
                    let head = self.analyse(pairs[i].0.as_ref());
                    let (row, mut best) = self.pair_row(&head, body, extra);
                    best.truncate(top_k);
                    best.sort_unstable();
                    let text = best
                        .iter()
                        .map(|&s| extra.sentence_text[s].as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (row, text)
                })
                .collect::<Vec<_>>()
            },
        )?
        .into_iter()
        .flatten()
        .collect();
        let mut out = Vec::with_capacity(rows.len() * nf);
        let mut texts = Vec::with_capacity(if top_k > 0 { rows.len() } else { 0 });
        for (r, t) in rows {
            debug_assert_eq!(r.len(), nf);
            out.extend(r);
            if top_k > 0 {
                texts.push(t);
            }
        }
        Ok((out, texts))
    }

    /// One pair's features, and the body's content sentences by decreasing
    /// similarity to the headline.
    fn pair_row(&self, h: &Analysed, b: &Analysed, x: &BodyExtra) -> (Vec<f32>, Vec<usize>) {
        let mut f = Vec::with_capacity(FEATURE_NAMES.len());
        let hw: FxHashSet<u64> = h.words.iter().copied().collect();
        let hs: FxHashSet<u64> = h.stems.iter().copied().collect();
        for (hset, bset) in [(&hw, &x.words), (&hs, &x.stems)] {
            let inter = hset.intersection(bset).count() as f32;
            let union = (hset.len() + bset.len()) as f32 - inter;
            f.push(ratio(inter, union));
            f.push(ratio(inter, hset.len() as f32));
            f.push(ratio(inter, bset.len() as f32));
        }
        // headline n-gram hits in the body regions
        let head_grams: Vec<Vec<u64>> = (1..=4).map(|n| ngrams(&h.words, n)).collect();
        for region in 0..3 {
            for (n, grams) in head_grams.iter().enumerate() {
                let set = &x.ngrams[region][n];
                let hits = grams.iter().filter(|g| set.contains(g)).count() as f32;
                f.push(ratio(hits, grams.len() as f32));
            }
        }
        let hc: FxHashSet<u64> = h.chargrams.iter().map(|c| c.0).collect();
        for region in 0..3 {
            let hits = hc
                .iter()
                .filter(|g| x.chargrams[region].contains(g))
                .count() as f32;
            f.push(ratio(hits, hc.len() as f32));
        }
        // TF-IDF cosines
        let hv = self.tfidf(h.words.iter().copied());
        let dot = |v: &FxHashMap<u64, f32>| -> f32 {
            hv.iter()
                .map(|(k, a)| a * v.get(k).copied().unwrap_or(0.0))
                .sum()
        };
        f.push(dot(&x.tfidf));
        let mut sims: Vec<(f32, usize)> = x
            .sentence_tfidf
            .iter()
            .enumerate()
            .map(|(i, v)| (dot(v), i))
            .collect();
        sims.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let best = sims.first().copied().unwrap_or((0.0, 0));
        f.push(best.0);
        let top3 = sims.iter().take(3).map(|s| s.0).sum::<f32>() / 3.0;
        f.push(top3);
        f.push(ratio(
            best.1 as f32,
            (x.sentence_tfidf.len().max(2) - 1) as f32,
        ));
        f.push(ratio(
            sims.iter().filter(|s| s.0 > 0.0).count() as f32,
            sims.len() as f32,
        ));
        // entities
        let shared = h.entities.intersection(&b.entities).count() as f32;
        f.push(ratio(shared, h.entities.len() as f32));
        f.push(shared.ln_1p());
        f.push((b.entities.len() as f32 - shared).max(0.0).ln_1p());
        f.push((h.entities.len() as f32).ln_1p());
        for kind in [EntityType::Per, EntityType::Loc, EntityType::Org] {
            let k = kind as u8;
            let n = h
                .entities
                .iter()
                .filter(|e| e.0 == k && b.entities.contains(e))
                .count() as f32;
            f.push(n.ln_1p());
        }
        // numbers
        let nshared = h.numbers.intersection(&b.numbers).count() as f32;
        f.push(ratio(nshared, h.numbers.len() as f32));
        f.push((h.numbers.len() as f32).ln_1p());
        // cues
        let per100 = |n: usize| 100.0 * n as f32 / b.n_tokens.max(1) as f32;
        let lx = &self.lexicon;
        let best_sentence_tokens = x.sentence_tokens(b, best.1 as u32);
        let first_sentence_tokens = x.sentence_tokens(b, 0);
        let body = (b.all.as_slice(), b.all_stem.as_slice());
        let head = (h.all.as_slice(), h.all_stem.as_slice());
        let best_s = (
            best_sentence_tokens.0.as_slice(),
            best_sentence_tokens.1.as_slice(),
        );
        let first_s = (
            first_sentence_tokens.0.as_slice(),
            first_sentence_tokens.1.as_slice(),
        );
        let n = |set, toks| self.count_cues(set, toks) as f32;
        f.push(per100(self.count_cues(&lx.refute, body)));
        f.extend([
            n(&lx.refute, head),
            n(&lx.refute, best_s),
            n(&lx.refute, first_s),
        ]);
        f.push(per100(self.count_cues(&lx.hedge, body)));
        f.extend([n(&lx.hedge, head), n(&lx.hedge, best_s)]);
        f.push(per100(self.count_cues(&lx.report, body)));
        f.push(n(&lx.report, head));
        // negation within 3 tokens of a headline content word in the body
        let mut near = 0usize;
        for (i, t) in b.all.iter().enumerate() {
            if lx.negation.contains(t) {
                let lo = i.saturating_sub(3);
                let hi = (i + 4).min(b.all.len());
                if b.all[lo..hi].iter().any(|w| hw.contains(w)) {
                    near += 1;
                }
            }
        }
        f.push(per100(near));
        f.push(n(&lx.negation, head));
        f.push(h.questions as f32);
        f.push(per100(b.questions as usize));
        f.push(per100(b.quotes as usize));
        f.push((b.n_tokens as f32).ln_1p());
        f.push((h.n_tokens as f32).ln_1p());
        f.push((b.n_sentences as f32).ln_1p());
        (f, sims.into_iter().map(|s| s.1).collect())
    }
}

/// Per-body sets reused by every pair with that body.
struct BodyExtra {
    words: FxHashSet<u64>,
    stems: FxHashSet<u64>,
    /// `[whole, first 255 chars, first sentence][n - 1]` n-gram sets.
    ngrams: [[FxHashSet<u64>; 4]; 3],
    chargrams: [FxHashSet<u64>; 3],
    tfidf: FxHashMap<u64, f32>,
    sentence_tfidf: Vec<FxHashMap<u64, f32>>,
    /// The content words of each sentence with content words, joined.
    sentence_text: Vec<String>,
    /// Start index into `all` of each sentence (plus the end).
    sentence_starts: Vec<usize>,
}

impl BodyExtra {
    fn new(p: &PairFeaturizer, a: &Analysed) -> Self {
        let regions: [Vec<bool>; 3] = [
            vec![true; a.words.len()],
            a.early.clone(),
            a.sentence.iter().map(|&s| s == 0).collect(),
        ];
        let ngrams = regions.clone().map(|keep| {
            let words: Vec<u64> = a
                .words
                .iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .map(|(w, _)| *w)
                .collect();
            [1, 2, 3, 4].map(|n| ngrams(&words, n).into_iter().collect())
        });
        let chargrams = [
            a.chargrams.iter().map(|c| c.0).collect(),
            a.chargrams.iter().filter(|c| c.2).map(|c| c.0).collect(),
            a.chargrams
                .iter()
                .filter(|c| c.1 == 0)
                .map(|c| c.0)
                .collect(),
        ];
        let mut sentence_tfidf = Vec::new();
        let mut sentence_text = Vec::new();
        let mut start = 0;
        while start < a.words.len() {
            let s = a.sentence[start];
            let end = start + a.sentence[start..].iter().take_while(|&&x| x == s).count();
            sentence_tfidf.push(p.tfidf(a.words[start..end].iter().copied()));
            sentence_text.push(a.word_strs[start..end].join(" "));
            start = end;
        }
        let sentence_starts: Vec<usize> = (0..=a.n_sentences as usize)
            .map(|s| a.all_sentence.partition_point(|&x| (x as usize) < s))
            .collect();
        Self {
            words: a.words.iter().copied().collect(),
            stems: a.stems.iter().copied().collect(),
            ngrams,
            chargrams,
            tfidf: p.tfidf(a.words.iter().copied()),
            sentence_tfidf,
            sentence_text,
            sentence_starts,
        }
    }

    /// All-token hashes of the `k`-th sentence that has content words.
    fn sentence_tokens(&self, a: &Analysed, k: u32) -> (Vec<u64>, Vec<u64>) {
        // map the k-th content sentence back to its sentence number
        let mut seen = 0u32;
        let mut prev = None;
        let mut target = None;
        for &s in &a.sentence {
            if prev != Some(s) {
                if seen == k {
                    target = Some(s);
                    break;
                }
                seen += 1;
                prev = Some(s);
            }
        }
        let Some(s) = target else {
            return (Vec::new(), Vec::new());
        };
        let r = self.sentence_starts[s as usize]..self.sentence_starts[s as usize + 1];
        (a.all[r.clone()].to_vec(), a.all_stem[r].to_vec())
    }
}

fn ratio(a: f32, b: f32) -> f32 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

fn ngrams(words: &[u64], n: usize) -> Vec<u64> {
    if words.len() < n {
        return Vec::new();
    }
    words
        .windows(n)
        .map(|w| w.iter().copied().reduce(combine).expect("n >= 1"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::entities::parse_tsv;

    fn feats(h: &str, b: &str) -> FxHashMap<&'static str, f32> {
        let g = Gazetteer::new(
            parse_tsv("PER\tبومبيو\t\nLOC\tبغداد\t\n").unwrap(),
            NormalizerConfig::arabic(),
        )
        .unwrap();
        let pairs = [(h, b)];
        let p = PairFeaturizer::fit(&pairs, NormalizerConfig::arabic(), Some(g), 1).unwrap();
        let row = p.transform(&pairs, 1).unwrap();
        FEATURE_NAMES.iter().copied().zip(row).collect()
    }

    #[test]
    fn overlap_cues_and_entities() {
        let f = feats(
            "بومبيو يهدد بإغلاق السفارة في بغداد",
            "نفى مسؤول أن بومبيو يهدد بإغلاق السفارة. وقال إن الخبر غير صحيح؟ \"لا\" في بغداد.",
        );
        assert!(f["ngram3_hits_body"] > 0.0);
        assert_eq!(f["ngram1_hits_first_sentence"], 0.8); // بغداد comes later
        assert!(f["tfidf_cosine_best_sentence"] >= f["tfidf_cosine"] - 1e-6);
        assert!(f["refute_body_per100"] > 0.0 && f["refute_first_sentence"] >= 1.0);
        assert_eq!(f["entity_headline_in_body"], 1.0);
        assert!(f["question_body_per100"] > 0.0);
        assert!(f["quotes_body_per100"] > 0.0);
        assert!(f["report_body_per100"] > 0.0);
        let g = feats("ترامب يزور لندن", "الطقس جميل اليوم");
        assert_eq!(g["word_jaccard"], 0.0);
        assert_eq!(g["tfidf_cosine"], 0.0);
        assert_eq!(g["refute_body_per100"], 0.0);
    }

    #[test]
    fn identical_bodies_are_analysed_once_and_rows_align() {
        let pairs = [("a b c", "a b c d"), ("x y", "a b c d"), ("a b c", "z")];
        let p = PairFeaturizer::fit(&pairs, NormalizerConfig::arabic(), None, 2).unwrap();
        let out = p.transform(&pairs, 2).unwrap();
        let nf = FEATURE_NAMES.len();
        assert_eq!(out.len(), 3 * nf);
        assert_eq!(out[1], 1.0); // contain_h_in_b of the first pair
        assert_eq!(out[nf + 1], 0.0);
        let one = p.transform(&pairs[1..2], 1).unwrap();
        let (_, top) = p.transform_with(&pairs, 1, 2).unwrap();
        assert_eq!(top, ["b c d", "b c d", "z"]);
        let (body_only, head_only) = p.diff_texts(&pairs, 2).unwrap();
        assert_eq!(body_only, ["d", "b c d", "z"]);
        assert_eq!(head_only, ["", "x y", "b c"]);
        assert_eq!(&out[nf..2 * nf], &one[..]);
        assert!(out.iter().all(|v| v.is_finite()));
    }
}
