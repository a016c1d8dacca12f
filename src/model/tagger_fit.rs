//! Training an [`EntityTagger`]: checking and repairing the IOB2 tags,
//! hashing and indexing the features (on workers), then the averaged
//! perceptron passes (on the calling thread).

use std::ops::ControlFlow;

use rustc_hash::FxHashMap;

use super::tagger::{allowed_transitions, parse_tag, viterbi, EntityTagger, Script, TaggerConfig};
use crate::error::{Error, Result};
use crate::features::token_features::{Scratch, TokenFeaturizer};
use crate::model::sparse::Rng;
use crate::parallel::{map_ranges, transform_parts};

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
