//! Assembly of one pair's feature row for [`PairFeaturizer`]: the
//! [`FEATURE_NAMES`] columns computed from an analysed headline and an
//! analysed body. Kept apart from the analysis (which sees one text at a
//! time) and from the batch transform that calls it.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::features::entities::EntityType;
use crate::features::pair_analysis::{ngrams, Analysed, BodyExtra};
use crate::features::pairs::{PairFeaturizer, FEATURE_NAMES};

impl PairFeaturizer {
    /// One pair's features, and the body's content sentences by decreasing
    /// similarity to the headline.
    pub(crate) fn pair_row(
        &self,
        h: &Analysed,
        b: &Analysed,
        x: &BodyExtra,
    ) -> (Vec<f32>, Vec<usize>) {
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

fn ratio(a: f32, b: f32) -> f32 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}
