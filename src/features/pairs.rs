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
//!
//! This module holds the featuriser (its fitted state, serialisation, fit
//! and the batch transforms). The cue lexicons and word hashing are in
//! `pair_cues`, the analysis of one text and of a body's sentences in
//! `pair_analysis`, and the assembly of one pair's feature row in
//! `pair_row`.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::entities::Gazetteer;
use crate::features::pair_analysis::{Analysed, BodyExtra};
use crate::features::pair_cues::{combine, fnv, Lexicon, HEDGE, NEGATION, REFUTE, REPORT};
use crate::parallel::{map_ranges, transform_parts};
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

/// Fitted pair featuriser: normaliser, IDF over the training texts and an
/// optional gazetteer for entity overlap.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "PairData", try_from = "PairData")]
pub struct PairFeaturizer {
    pub(crate) normalizer: Normalizer,
    pub(crate) gazetteer: Option<Gazetteer>,
    pub(crate) idf: FxHashMap<u64, f32>,
    pub(crate) default_idf: f32,
    pub(crate) stop: FxHashSet<u64>,
    pub(crate) lexicon: Lexicon,
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
