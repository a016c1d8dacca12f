//! Analysis of one text for [`PairFeaturizer`]: its content tokens, stems,
//! sentences, character grams, numbers, entities and punctuation cues
//! ([`Analysed`]), its TF-IDF vector, and the per-body sets shared by every
//! pair with that body ([`BodyExtra`]). Kept apart from the featuriser
//! because this is the per-text pass, independent of any pairing.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::features::entities::EntityType;
use crate::features::pair_cues::{combine, fnv};
use crate::features::pairs::PairFeaturizer;
use crate::text::stem::segment;
use crate::text::tokenize::{scan, TokenKind};

const FIRST_CHARS: usize = 255;

/// One analysed text.
#[derive(Default)]
pub(crate) struct Analysed {
    /// Content-token hashes (stop words removed), in order, and the
    /// normalised words themselves.
    pub(crate) words: Vec<u64>,
    word_strs: Vec<String>,
    pub(crate) stems: Vec<u64>,
    /// Sentence index of each content token.
    sentence: Vec<u32>,
    /// Whether each content token starts within the first 255 characters.
    early: Vec<bool>,
    /// All-token hashes (stop words kept) with their sentence, for cues,
    /// and the hashes of their clitic-stripped stems («وقال» -> «قال»).
    pub(crate) all: Vec<u64>,
    pub(crate) all_stem: Vec<u64>,
    all_sentence: Vec<u32>,
    pub(crate) chargrams: Vec<(u64, u32, bool)>,
    pub(crate) numbers: FxHashSet<u64>,
    pub(crate) entities: FxHashSet<(u8, u64)>,
    pub(crate) n_sentences: u32,
    pub(crate) questions: u32,
    pub(crate) quotes: u32,
    pub(crate) n_tokens: usize,
}

impl PairFeaturizer {
    pub(crate) fn analyse(&self, text: &str) -> Analysed {
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
    pub(crate) fn tfidf(&self, words: impl Iterator<Item = u64>) -> FxHashMap<u64, f32> {
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
}

/// Per-body sets reused by every pair with that body.
pub(crate) struct BodyExtra {
    pub(crate) words: FxHashSet<u64>,
    pub(crate) stems: FxHashSet<u64>,
    /// `[whole, first 255 chars, first sentence][n - 1]` n-gram sets.
    pub(crate) ngrams: [[FxHashSet<u64>; 4]; 3],
    pub(crate) chargrams: [FxHashSet<u64>; 3],
    pub(crate) tfidf: FxHashMap<u64, f32>,
    pub(crate) sentence_tfidf: Vec<FxHashMap<u64, f32>>,
    /// The content words of each sentence with content words, joined.
    pub(crate) sentence_text: Vec<String>,
    /// Start index into `all` of each sentence (plus the end).
    sentence_starts: Vec<usize>,
}

impl BodyExtra {
    pub(crate) fn new(p: &PairFeaturizer, a: &Analysed) -> Self {
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
    pub(crate) fn sentence_tokens(&self, a: &Analysed, k: u32) -> (Vec<u64>, Vec<u64>) {
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

pub(crate) fn ngrams(words: &[u64], n: usize) -> Vec<u64> {
    if words.len() < n {
        return Vec::new();
    }
    words
        .windows(n)
        .map(|w| w.iter().copied().reduce(combine).expect("n >= 1"))
        .collect()
}
