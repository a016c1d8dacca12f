//! An averaged structured perceptron over IOB2 tags (Collins 2002), decoded
//! with Viterbi under IOB2 constraints, on the features of
//! [`crate::features::token_features`].
//!
//! Why a perceptron and not a CRF: on ANERcorp-sized data the two reach
//! similar accuracy with the same features, and the perceptron trains in
//! seconds with no hyper-parameter but the number of passes. Averaging the
//! weights over every update (kept lazily with the usual `w − u/c` trick)
//! gives most of the regularisation a CRF's prior would.
//!
//! Decoding never produces an invalid sequence: `I-X` may only follow
//! `B-X` or `I-X`. Training data with an `I-X` that breaks that rule (as
//! some of ANERcorp does) is read as `B-X`, the conlleval reading.

use std::ops::ControlFlow;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::token_features::{Scratch, TokenFeaturizer};
use crate::model::sparse::Rng;
use crate::parallel::{map_ranges, transform_parts};
use crate::text::tokenize::scan;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TaggerConfig {
    /// Passes over the training sentences.
    pub epochs: usize,
    /// Seed of the per-pass shuffle.
    pub seed: u64,
    /// Features seen in fewer training tokens are dropped.
    pub min_count: u32,
    /// Threads for feature extraction.
    pub threads: usize,
}

impl Default for TaggerConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            seed: 0,
            min_count: 1,
            threads: 1,
        }
    }
}

/// A trained tagger.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "TaggerData", try_from = "TaggerData")]
pub struct EntityTagger {
    /// `O` first, then `B-X`, `I-X` for each type in sorted order.
    tags: Vec<String>,
    featurizer: TokenFeaturizer,
    index: FxHashMap<u64, u32>,
    /// Feature-major weights, `n_features × n_tags`.
    weights: Vec<f32>,
    /// `(n_tags + 1) × n_tags`: row `n_tags` holds start weights.
    trans: Vec<f32>,
    /// Same shape as `trans`: which transitions IOB2 allows.
    allowed: Vec<bool>,
    /// Per-pass count of training tokens tagged wrongly (before the update).
    errors: Vec<u64>,
    /// Share of the training tokens' letters in each [`Script`].
    scripts: [f32; 3],
}

/// Writing systems, told apart so a tagger is not trusted on a script it
/// never saw in training (an Arabic tagger on an English sentence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Arabic = 0,
    Latin = 1,
    Other = 2,
}

impl Script {
    pub fn of(c: char) -> Option<Script> {
        if !c.is_alphabetic() {
            None
        } else if ('\u{0600}'..='\u{06FF}').contains(&c)
            || ('\u{0750}'..='\u{077F}').contains(&c)
            || ('\u{FB50}'..='\u{FEFF}').contains(&c)
        {
            Some(Script::Arabic)
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            Some(Script::Latin)
        } else {
            Some(Script::Other)
        }
    }
}

/// What is stored: features sorted by hash (delta-coded) with only their
/// non-zero weights.
#[derive(Serialize, Deserialize)]
struct TaggerData {
    tags: Vec<String>,
    featurizer: TokenFeaturizer,
    key_deltas: Vec<u64>,
    /// Per feature: the bit mask of tags with a stored weight.
    masks: Vec<u32>,
    values: Vec<f32>,
    trans: Vec<f32>,
    errors: Vec<u64>,
    scripts: [f32; 3],
}

impl From<EntityTagger> for TaggerData {
    fn from(m: EntityTagger) -> Self {
        let nt = m.tags.len();
        let mut keys: Vec<(u64, u32)> = m.index.iter().map(|(&k, &v)| (k, v)).collect();
        keys.sort_unstable();
        let (mut key_deltas, mut masks, mut values) = (Vec::new(), Vec::new(), Vec::new());
        let mut last = 0u64;
        for (k, row) in keys {
            let w = &m.weights[row as usize * nt..(row as usize + 1) * nt];
            let mask = w
                .iter()
                .enumerate()
                .filter(|(_, &x)| x != 0.0)
                .fold(0u32, |m, (j, _)| m | (1 << j));
            if mask == 0 {
                continue;
            }
            key_deltas.push(k.wrapping_sub(last));
            last = k;
            masks.push(mask);
            values.extend(w.iter().copied().filter(|&x| x != 0.0));
        }
        Self {
            tags: m.tags,
            featurizer: m.featurizer,
            key_deltas,
            masks,
            values,
            trans: m.trans,
            errors: m.errors,
            scripts: m.scripts,
        }
    }
}

impl TryFrom<TaggerData> for EntityTagger {
    type Error = Error;
    fn try_from(d: TaggerData) -> Result<Self> {
        let bad = |m: &str| Error::ModelFormat(format!("entity tagger: {m}"));
        let nt = d.tags.len();
        if nt == 0 || nt > 32 {
            return Err(bad("the tag count must be between 1 and 32"));
        }
        let allowed = allowed_transitions(&d.tags).map_err(|e| bad(&e.to_string()))?;
        if d.trans.len() != (nt + 1) * nt || d.masks.len() != d.key_deltas.len() {
            return Err(bad("inconsistent weight shapes"));
        }
        let stored: usize = d.masks.iter().map(|m| m.count_ones() as usize).sum();
        if stored != d.values.len() || d.masks.iter().any(|&m| m >> nt != 0) {
            return Err(bad("the weight masks do not match the stored weights"));
        }
        let mut index = FxHashMap::default();
        index.reserve(d.masks.len());
        let mut weights = vec![0f32; d.masks.len() * nt];
        let mut key = 0u64;
        let mut v = d.values.iter();
        for (row, (&delta, &mask)) in d.key_deltas.iter().zip(&d.masks).enumerate() {
            key = key.wrapping_add(delta);
            if index.insert(key, row as u32).is_some() {
                return Err(bad("a feature is stored twice"));
            }
            for j in (0..nt).filter(|j| mask & (1 << j) != 0) {
                weights[row * nt + j] = *v.next().expect("counted above");
            }
        }
        Ok(Self {
            tags: d.tags,
            featurizer: d.featurizer,
            index,
            weights,
            trans: d.trans,
            allowed,
            errors: d.errors,
            scripts: d.scripts,
        })
    }
}

/// Split an IOB2 tag into its prefix and type (`None` type for `O`).
fn parse_tag(tag: &str) -> Option<(char, &str)> {
    if tag == "O" {
        return Some(('O', ""));
    }
    let (p, ty) = tag.split_once('-')?;
    match p {
        "B" | "I" if !ty.is_empty() => Some((p.chars().next()?, ty)),
        _ => None,
    }
}

/// `(n_tags + 1) × n_tags` mask: `I-X` only after `B-X`/`I-X`, never first.
fn allowed_transitions(tags: &[String]) -> Result<Vec<bool>> {
    let nt = tags.len();
    let parsed = tags
        .iter()
        .map(|t| {
            parse_tag(t).ok_or_else(|| Error::InvalidInput(format!("{t:?} is not an IOB2 tag")))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut allowed = vec![true; (nt + 1) * nt];
    for (j, &(p, ty)) in parsed.iter().enumerate() {
        if p != 'I' {
            continue;
        }
        for i in 0..=nt {
            let ok = i < nt && parsed[i].1 == ty && parsed[i].0 != 'O';
            allowed[i * nt + j] = ok;
        }
    }
    Ok(allowed)
}

/// Viterbi over emission scores `n × nt`; returns tag ids.
fn viterbi(emit: &[f32], n: usize, nt: usize, trans: &[f32], allowed: &[bool]) -> Vec<u16> {
    if n == 0 {
        return Vec::new();
    }
    let mut score = vec![f32::NEG_INFINITY; nt];
    let mut back = vec![0u8; n * nt];
    for j in 0..nt {
        if allowed[nt * nt + j] {
            score[j] = trans[nt * nt + j] + emit[j];
        }
    }
    let mut next = vec![0f32; nt];
    for t in 1..n {
        for j in 0..nt {
            let (mut best, mut arg) = (f32::NEG_INFINITY, 0usize);
            for i in 0..nt {
                if !allowed[i * nt + j] {
                    continue;
                }
                let s = score[i] + trans[i * nt + j];
                if s > best {
                    best = s;
                    arg = i;
                }
            }
            next[j] = best + emit[t * nt + j];
            back[t * nt + j] = arg as u8;
        }
        std::mem::swap(&mut score, &mut next);
    }
    let mut j = (0..nt)
        .max_by(|&a, &b| score[a].total_cmp(&score[b]).then(b.cmp(&a)))
        .expect("at least one tag");
    let mut out = vec![0u16; n];
    for t in (0..n).rev() {
        out[t] = j as u16;
        j = back[t * nt + j] as usize;
    }
    out
}

/// One sentence's features as weight-row ids: token `i` has
/// `ids[off[i]..off[i + 1]]`.
struct Encoded {
    ids: Vec<u32>,
    off: Vec<u32>,
}

impl EntityTagger {
    /// Train on token lists and their IOB2 tag lists.
    pub fn fit<S: AsRef<str> + Sync>(
        sentences: &[Vec<S>],
        tags: &[Vec<S>],
        featurizer: TokenFeaturizer,
        cfg: &TaggerConfig,
    ) -> Result<Self> {
        Self::fit_observed(sentences, tags, featurizer, cfg, &mut |_| {
            ControlFlow::Continue(())
        })
    }

    /// [`EntityTagger::fit`], calling `on_epoch(k)` after pass `k` (a
    /// progress bar's hook). The passes run one after another on the
    /// calling thread (only feature extraction, before them, uses workers),
    /// so the hook is only ever called on that thread: the one Python
    /// delivers Ctrl-C to. `Break` stops training after that pass and the
    /// fit returns [`Error::Interrupted`]; otherwise the hook cannot change
    /// the result.
    pub fn fit_observed<S: AsRef<str> + Sync>(
        sentences: &[Vec<S>],
        tags: &[Vec<S>],
        featurizer: TokenFeaturizer,
        cfg: &TaggerConfig,
        on_epoch: &mut dyn FnMut(usize) -> ControlFlow<()>,
    ) -> Result<Self> {
        if sentences.len() != tags.len() {
            return Err(Error::InvalidInput(format!(
                "{} sentences but {} tag lists",
                sentences.len(),
                tags.len()
            )));
        }
        if cfg.epochs == 0 {
            return Err(Error::param("n_iter", "must be at least 1"));
        }
        // the tag set: O, then B-/I- for every type, sorted
        let mut types = std::collections::BTreeSet::new();
        for (s, (toks, tg)) in sentences.iter().zip(tags).enumerate() {
            if toks.len() != tg.len() {
                return Err(Error::InvalidInput(format!(
                    "sentence {s}: {} tokens but {} tags",
                    toks.len(),
                    tg.len()
                )));
            }
            for (i, t) in tg.iter().enumerate() {
                let (_, ty) = parse_tag(t.as_ref()).ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "sentence {s}, token {i}: {:?} is not an IOB2 tag (O, B-TYPE, I-TYPE)",
                        t.as_ref()
                    ))
                })?;
                if !ty.is_empty() {
                    types.insert(ty.to_string());
                }
            }
        }
        let n_tokens: usize = sentences.iter().map(Vec::len).sum();
        if n_tokens == 0 {
            return Err(Error::InvalidInput(
                "no training tokens: every sentence is empty".into(),
            ));
        }
        let mut tag_names = vec!["O".to_string()];
        for ty in &types {
            tag_names.push(format!("B-{ty}"));
            tag_names.push(format!("I-{ty}"));
        }
        if tag_names.len() > 32 {
            return Err(Error::InvalidInput(format!(
                "{} entity types; at most 15 are supported",
                types.len()
            )));
        }
        let tag_id: FxHashMap<&str, u16> = tag_names
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u16))
            .collect();
        let gold: Vec<Vec<u16>> = tags
            .iter()
            .map(|tg| {
                let mut prev = "O".to_string();
                tg.iter()
                    .map(|t| {
                        let t = t.as_ref();
                        let fixed = match parse_tag(t) {
                            Some(('I', ty))
                                if prev != format!("B-{ty}") && prev != format!("I-{ty}") =>
                            {
                                format!("B-{ty}")
                            }
                            _ => t.to_string(),
                        };
                        let id = tag_id[fixed.as_str()];
                        prev = fixed;
                        id
                    })
                    .collect()
            })
            .collect();

        let threads = cfg.threads.max(1);
        let hashed: Vec<(Vec<u64>, Vec<u32>)> = map_ranges(
            threads,
            sentences.len(),
            transform_parts(threads, sentences.len()),
            |r| {
                let mut scratch = Scratch::default();
                sentences[r]
                    .iter()
                    .map(|s| {
                        let (mut h, mut off) = (Vec::new(), Vec::new());
                        featurizer.featurize(s, &mut scratch, &mut h, &mut off);
                        (h, off)
                    })
                    .collect::<Vec<_>>()
            },
        )?
        .into_iter()
        .flatten()
        .collect();

        let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
        for (h, _) in &hashed {
            for &k in h {
                *counts.entry(k).or_default() += 1;
            }
        }
        let mut keys: Vec<u64> = counts
            .into_iter()
            .filter(|&(_, c)| c >= cfg.min_count)
            .map(|(k, _)| k)
            .collect();
        keys.sort_unstable();
        let index: FxHashMap<u64, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32))
            .collect();
        let encoded: Vec<Encoded> = hashed
            .into_iter()
            .map(|(h, off)| encode(&index, &h, &off))
            .collect();

        let mut letters = [0u64; 3];
        for s in sentences {
            for t in s {
                for c in t.as_ref().chars() {
                    if let Some(k) = Script::of(c) {
                        letters[k as usize] += 1;
                    }
                }
            }
        }
        let total = letters.iter().sum::<u64>().max(1) as f32;
        let scripts = letters.map(|n| n as f32 / total);
        let nt = tag_names.len();
        let allowed = allowed_transitions(&tag_names)?;
        let mut tagger = Self {
            tags: tag_names,
            featurizer,
            index,
            weights: Vec::new(),
            trans: Vec::new(),
            allowed,
            errors: Vec::new(),
            scripts,
        };
        tagger.train(&encoded, &gold, keys.len(), nt, cfg, on_epoch)?;
        Ok(tagger)
    }

    /// The passes, on this thread; [`Error::Interrupted`] when `on_epoch`
    /// says stop (the half-trained weights are then dropped).
    fn train(
        &mut self,
        data: &[Encoded],
        gold: &[Vec<u16>],
        nf: usize,
        nt: usize,
        cfg: &TaggerConfig,
        on_epoch: &mut dyn FnMut(usize) -> ControlFlow<()>,
    ) -> Result<()> {
        // w: current weights; u: sum of c·Δ, so the average is w − u/c
        let mut w = vec![0f64; nf * nt];
        let mut u = vec![0f64; nf * nt];
        let mut tw = vec![0f64; (nt + 1) * nt];
        let mut tu = vec![0f64; (nt + 1) * nt];
        let mut c = 1f64;
        let mut rng = Rng::new(cfg.seed);
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut emit = Vec::new();
        let mut trans32 = vec![0f32; tw.len()];
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut order);
            let mut wrong = 0u64;
            for &s in &order {
                let (x, g) = (&data[s], &gold[s]);
                let n = g.len();
                if n == 0 {
                    continue;
                }
                emit.clear();
                emit.resize(n * nt, 0f32);
                for i in 0..n {
                    let row = &mut emit[i * nt..(i + 1) * nt];
                    for &f in &x.ids[x.off[i] as usize..x.off[i + 1] as usize] {
                        let wf = &w[f as usize * nt..(f as usize + 1) * nt];
                        for (e, v) in row.iter_mut().zip(wf) {
                            *e += *v as f32;
                        }
                    }
                }
                for (a, b) in trans32.iter_mut().zip(&tw) {
                    *a = *b as f32;
                }
                let pred = viterbi(&emit, n, nt, &trans32, &self.allowed);
                if pred != *g {
                    for i in 0..n {
                        let (p, q) = (pred[i] as usize, g[i] as usize);
                        if p != q {
                            wrong += 1;
                            for &f in &x.ids[x.off[i] as usize..x.off[i + 1] as usize] {
                                let f = f as usize * nt;
                                w[f + q] += 1.0;
                                u[f + q] += c;
                                w[f + p] -= 1.0;
                                u[f + p] -= c;
                            }
                        }
                        let pp = if i == 0 { nt } else { pred[i - 1] as usize };
                        let gp = if i == 0 { nt } else { g[i - 1] as usize };
                        if (pp, p) != (gp, q) {
                            tw[gp * nt + q] += 1.0;
                            tu[gp * nt + q] += c;
                            tw[pp * nt + p] -= 1.0;
                            tu[pp * nt + p] -= c;
                        }
                    }
                }
                c += 1.0;
            }
            self.errors.push(wrong);
            if on_epoch(epoch + 1).is_break() {
                return Err(Error::Interrupted);
            }
        }
        self.weights = w.iter().zip(&u).map(|(w, u)| (w - u / c) as f32).collect();
        self.trans = tw
            .iter()
            .zip(&tu)
            .map(|(w, u)| (w - u / c) as f32)
            .collect();
        Ok(())
    }

    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Training errors per pass.
    pub fn errors(&self) -> &[u64] {
        &self.errors
    }

    /// Whether the tagger saw enough of `text`'s main script in training
    /// (at least 5% of its training letters) to be trusted on it.
    pub fn knows_script(&self, text: &str) -> bool {
        let mut n = [0usize; 3];
        for c in text.chars() {
            if let Some(k) = Script::of(c) {
                n[k as usize] += 1;
            }
        }
        let main = (0..3)
            .max_by_key(|&k| (n[k], std::cmp::Reverse(k)))
            .unwrap_or(0);
        n[main] > 0 && self.scripts[main] >= 0.05
    }

    pub fn n_features(&self) -> usize {
        self.index.len()
    }

    pub fn featurizer(&self) -> &TokenFeaturizer {
        &self.featurizer
    }

    /// Tag ids for one token list.
    pub fn predict_ids<S: AsRef<str>>(&self, tokens: &[S], scratch: &mut TagScratch) -> Vec<u16> {
        self.predict_ids_biased(tokens, 0.0, scratch)
    }

    /// Tag ids with `o_penalty` subtracted from every `O` score: positive
    /// values trade precision for recall.
    pub fn predict_ids_biased<S: AsRef<str>>(
        &self,
        tokens: &[S],
        o_penalty: f32,
        scratch: &mut TagScratch,
    ) -> Vec<u16> {
        let nt = self.tags.len();
        let n = tokens.len();
        self.featurizer.featurize(
            tokens,
            &mut scratch.features,
            &mut scratch.hashes,
            &mut scratch.offsets,
        );
        scratch.emit.clear();
        scratch.emit.resize(n * nt, 0.0);
        for i in 0..n {
            let row = &mut scratch.emit[i * nt..(i + 1) * nt];
            row[0] = -o_penalty;
            let range = scratch.offsets[i] as usize..scratch.offsets[i + 1] as usize;
            for h in &scratch.hashes[range] {
                if let Some(&f) = self.index.get(h) {
                    let wf = &self.weights[f as usize * nt..(f as usize + 1) * nt];
                    for (e, v) in row.iter_mut().zip(wf) {
                        *e += v;
                    }
                }
            }
        }
        viterbi(&scratch.emit, n, nt, &self.trans, &self.allowed)
    }

    /// IOB2 tags for one token list.
    pub fn predict<S: AsRef<str>>(
        &self,
        tokens: &[S],
        o_penalty: f32,
        scratch: &mut TagScratch,
    ) -> Vec<&str> {
        self.predict_ids_biased(tokens, o_penalty, scratch)
            .into_iter()
            .map(|t| self.tags[t as usize].as_str())
            .collect()
    }

    /// Entity spans `(first token, last token + 1, type)` in a tag-id
    /// sequence (valid IOB2, as Viterbi produces).
    pub fn spans(&self, ids: &[u16]) -> Vec<(usize, usize, &str)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, &str)> = None;
        for (i, &t) in ids.iter().enumerate() {
            let (p, ty) = parse_tag(&self.tags[t as usize]).expect("validated tags");
            if p == 'I' {
                continue;
            }
            if let Some((s, oty)) = open.take() {
                out.push((s, i, oty));
            }
            if p == 'B' {
                open = Some((i, ty));
            }
        }
        if let Some((s, ty)) = open {
            out.push((s, ids.len(), ty));
        }
        out
    }

    /// Entity mentions in raw text: `(start byte, end byte, type)`. The
    /// text is tokenised with khabar's tokenizer (punctuation kept apart).
    pub fn find_bytes(
        &self,
        text: &str,
        o_penalty: f32,
        scratch: &mut TagScratch,
    ) -> Vec<(usize, usize, &str)> {
        let mut spans = Vec::new();
        scan(text, |sp| spans.push((sp.start, sp.end)));
        let tokens: Vec<&str> = spans.iter().map(|&(a, b)| &text[a..b]).collect();
        let ids = self.predict_ids_biased(&tokens, o_penalty, scratch);
        self.spans(&ids)
            .into_iter()
            .map(|(a, b, ty)| (spans[a].0, spans[b - 1].1, ty))
            .collect()
    }
}

fn encode(index: &FxHashMap<u64, u32>, h: &[u64], off: &[u32]) -> Encoded {
    let mut ids = Vec::with_capacity(h.len());
    let mut o = Vec::with_capacity(off.len());
    o.push(0);
    for w in off.windows(2) {
        ids.extend(
            h[w[0] as usize..w[1] as usize]
                .iter()
                .filter_map(|k| index.get(k).copied()),
        );
        o.push(ids.len() as u32);
    }
    Encoded { ids, off: o }
}

/// Reusable buffers for prediction, one per thread.
#[derive(Default)]
pub struct TagScratch {
    features: Scratch,
    hashes: Vec<u64>,
    offsets: Vec<u32>,
    emit: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Normalizer, NormalizerConfig};

    fn plain() -> TokenFeaturizer {
        TokenFeaturizer::new(
            Normalizer::new(NormalizerConfig::arabic()),
            None,
            None,
            None,
        )
    }

    fn toy() -> (Vec<Vec<&'static str>>, Vec<Vec<&'static str>>) {
        let mut s = Vec::new();
        let mut t = Vec::new();
        for (name, place) in [
            ("أحمد", "بغداد"),
            ("محمد", "القاهرة"),
            ("علي", "دمشق"),
            ("سارة", "عمان"),
            ("خالد", "بيروت"),
        ] {
            s.push(vec!["قال", name, "حسن", "في", place, "اليوم"]);
            t.push(vec!["O", "B-PER", "I-PER", "O", "B-LOC", "O"]);
            s.push(vec!["وصل", name, "إلى", place]);
            t.push(vec!["O", "B-PER", "O", "B-LOC"]);
        }
        (s, t)
    }

    #[test]
    fn learns_a_toy_pattern_and_round_trips() {
        let (s, t) = toy();
        let m = EntityTagger::fit(&s, &t, plain(), &TaggerConfig::default()).unwrap();
        assert_eq!(m.tags, ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]);
        let mut sc = TagScratch::default();
        let got = m.predict(
            &["قال", "يوسف", "حسن", "في", "طرابلس", "اليوم"],
            0.0,
            &mut sc,
        );
        assert_eq!(got, ["O", "B-PER", "I-PER", "O", "B-LOC", "O"]);
        let bytes = postcard::to_stdvec(&m).unwrap();
        let back: EntityTagger = postcard::from_bytes(&bytes).unwrap();
        let toks = ["وصل", "يوسف", "إلى", "طرابلس"];
        assert_eq!(
            back.predict(&toks, 0.0, &mut sc),
            m.predict(&toks, 0.0, &mut sc)
        );
        assert_eq!(back.trans, m.trans);
        // training is deterministic
        let again = EntityTagger::fit(&s, &t, plain(), &TaggerConfig::default()).unwrap();
        assert_eq!(postcard::to_stdvec(&again).unwrap(), bytes);
    }

    #[test]
    fn decoding_respects_iob2() {
        let tags: Vec<String> = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let allowed = allowed_transitions(&tags).unwrap();
        // emissions that favour I-PER everywhere
        let emit = [0., 0., 0., 0., 5.].repeat(3);
        let trans = vec![0f32; 30];
        let got = viterbi(&emit, 3, 5, &trans, &allowed);
        assert_eq!(got, [3, 4, 4]); // starts with B-PER, never a bare I-PER
    }

    #[test]
    fn bad_training_data_names_the_place() {
        let s = vec![vec!["a", "b"]];
        let cfg = TaggerConfig::default();
        let e = EntityTagger::fit(&s, &[vec!["O"]], plain(), &cfg).unwrap_err();
        assert!(e.to_string().contains("sentence 0"), "{e}");
        let e = EntityTagger::fit(&s, &[vec!["O", "X-PER"]], plain(), &cfg).unwrap_err();
        assert!(e.to_string().contains("token 1"), "{e}");
        let empty: Vec<Vec<&str>> = vec![vec![]];
        assert!(EntityTagger::fit(&empty, &empty, plain(), &cfg).is_err());
    }

    #[test]
    fn a_hook_that_breaks_stops_the_fit() {
        let (s, t) = toy();
        let cfg = TaggerConfig::default();
        let caller = std::thread::current().id();
        let mut seen = Vec::new();
        let mut stop_after_first = |k: usize| {
            assert_eq!(std::thread::current().id(), caller);
            seen.push(k);
            if k >= 1 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let out = EntityTagger::fit_observed(&s, &t, plain(), &cfg, &mut stop_after_first);
        assert!(matches!(out, Err(Error::Interrupted)), "{out:?}");
        assert_eq!(seen, [1]); // not called again once it said stop
    }

    #[test]
    fn a_hook_that_continues_changes_nothing() {
        // called after every pass, on this thread, and the same model as
        // `fit`, whatever the thread count (workers extract the features)
        let (s, t) = toy();
        let caller = std::thread::current().id();
        for threads in [1, 3] {
            let cfg = TaggerConfig {
                threads,
                ..TaggerConfig::default()
            };
            let mut seen = Vec::new();
            let mut go_on = |k: usize| {
                assert_eq!(std::thread::current().id(), caller);
                seen.push(k);
                ControlFlow::Continue(())
            };
            let observed = EntityTagger::fit_observed(&s, &t, plain(), &cfg, &mut go_on).unwrap();
            assert_eq!(seen, (1..=cfg.epochs).collect::<Vec<_>>());
            let plain_fit = EntityTagger::fit(&s, &t, plain(), &cfg).unwrap();
            assert_eq!(
                postcard::to_stdvec(&observed).unwrap(),
                postcard::to_stdvec(&plain_fit).unwrap()
            );
        }
    }

    #[test]
    fn spans_from_tags() {
        let (s, t) = toy();
        let m = EntityTagger::fit(&s, &t, plain(), &TaggerConfig::default()).unwrap();
        // O B-LOC I-LOC B-PER B-PER O
        assert_eq!(
            m.spans(&[0, 1, 2, 3, 3, 0]),
            vec![(1, 3, "LOC"), (3, 4, "PER"), (4, 5, "PER")]
        );
    }
}
