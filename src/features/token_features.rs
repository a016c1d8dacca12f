//! Per-token features for sequence tagging (the entity tagger).
//!
//! Each token of a sentence gets about thirty sparse binary features, each
//! a 64-bit hash of a template id and its strings: the normalised word and
//! its clitic-stripped stem, character prefixes and suffixes, the word's
//! shape, the words and stems around it, word bigrams, and gazetteer
//! membership (`B-LOC`, `I-PER`, `B-TITLE`...) of the token and its
//! neighbours.
//!
//! Features are hashed, never stored as strings: the tagger keeps a map
//! from hash to weight row, so a model file holds 8 bytes per feature. The
//! hash (FNV-1a with a SplitMix64 finaliser) is written out here because
//! model files depend on it: it must never change.
//!
//! [`WordClusters`] (the cluster table) is in `word_clusters`.

use serde::{Deserialize, Serialize};

pub use super::word_clusters::WordClusters;
use crate::features::entities::Gazetteer;
use crate::text::stem::segment;
use crate::text::Normalizer;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// An incremental feature hash.
#[derive(Clone, Copy)]
struct H(u64);

impl H {
    fn new(template: u8) -> Self {
        H(FNV_OFFSET).byte(template)
    }

    fn byte(self, b: u8) -> Self {
        H((self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    }

    fn bytes(self, s: &str) -> Self {
        // 0xff never occurs in UTF-8, so it separates fields unambiguously
        s.bytes().fold(self, H::byte).byte(0xff)
    }

    fn bytes_u16(self, v: u16) -> Self {
        let [a, b] = v.to_le_bytes();
        self.byte(a).byte(b)
    }

    fn finish(self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Template ids (part of the model format: never renumber).
mod t {
    pub const BIAS: u8 = 0;
    pub const WORD: u8 = 1;
    pub const STEM: u8 = 2;
    pub const PROCLITICS: u8 = 3;
    pub const PREFIX: u8 = 4; // + length
    pub const SUFFIX: u8 = 8; // + length
    pub const SHAPE: u8 = 13;
    pub const LENGTH: u8 = 14;
    pub const WORD_AT: u8 = 15; // + offset index
    pub const STEM_AT: u8 = 20; // + offset index
    pub const BIGRAM_LEFT: u8 = 25;
    pub const BIGRAM_RIGHT: u8 = 26;
    pub const GAZ_AT: u8 = 27; // + offset index
    pub const SUFFIX2_AT: u8 = 32; // + offset index
    pub const SHAPE_AT: u8 = 37; // + offset index
    pub const FIRST: u8 = 42;
    pub const GAZ_STEM: u8 = 43;
    pub const CLUSTER: u8 = 44; // + 4·level + offset index (levels < 4)
    pub const CLUSTER_BIGRAM: u8 = 60;
    pub const CUE_AT: u8 = 61; // + offset index
}

/// Neighbour offsets and their index in the `*_AT` templates.
const AROUND: [(isize, u8); 4] = [(-2, 0), (-1, 1), (1, 2), (2, 3)];

/// What is computed once per token before features are emitted.
struct TokInfo {
    word: (u32, u32),
    stem: (u32, u32),
    procl: (u32, u32),
    shape: (u32, u32),
    suffix2: (u32, u32),
    /// 0 = outside any gazetteer name; else 1 + 2·type (+1 inside a name).
    gaz: u8,
    /// The same for the cue lists.
    cue: u8,
    /// Row in the cluster table, if the word is in it.
    cluster: Option<u32>,
}

/// Extracts tagging features; holds no buffers, so one can be shared by
/// threads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenFeaturizer {
    normalizer: Normalizer,
    gazetteer: Option<Gazetteer>,
    cues: Option<Gazetteer>,
    clusters: Option<WordClusters>,
}

/// Reusable buffers, one per thread.
#[derive(Default)]
pub struct Scratch {
    arena: String,
    info: Vec<TokInfo>,
    one: String,
}

fn shape_class(c: char) -> char {
    if c.is_ascii_digit() {
        'd'
    } else if c.is_ascii_uppercase() || (c.is_uppercase() && !c.is_ascii()) {
        'X'
    } else if c.is_lowercase() {
        'x'
    } else if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c) {
        'ع'
    } else if c.is_alphabetic() {
        'a'
    } else if c.is_ascii() {
        c
    } else {
        '*'
    }
}

fn char_prefix(s: &str, n: usize) -> Option<&str> {
    let mut it = s.char_indices();
    let end = it.nth(n).map_or(s.len(), |(b, _)| b);
    (s.chars().count() >= n).then(|| &s[..end])
}

fn char_suffix(s: &str, n: usize) -> Option<&str> {
    let count = s.chars().count();
    if count < n {
        return None;
    }
    let start = s.char_indices().nth(count - n).map_or(s.len(), |(b, _)| b);
    Some(&s[start..])
}

impl TokenFeaturizer {
    /// `gazetteer`: names whose membership is a feature; `cues`: word lists
    /// (given names, titles, head nouns such as وزارة) used the same way;
    /// `clusters`: word clusters.
    pub fn new(
        normalizer: Normalizer,
        gazetteer: Option<Gazetteer>,
        cues: Option<Gazetteer>,
        clusters: Option<WordClusters>,
    ) -> Self {
        Self {
            normalizer,
            gazetteer,
            cues,
            clusters,
        }
    }

    pub fn gazetteer(&self) -> Option<&Gazetteer> {
        self.gazetteer.as_ref()
    }

    pub fn cues(&self) -> Option<&Gazetteer> {
        self.cues.as_ref()
    }

    pub fn clusters(&self) -> Option<&WordClusters> {
        self.clusters.as_ref()
    }

    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    fn push(arena: &mut String, s: &str) -> (u32, u32) {
        let a = arena.len() as u32;
        arena.push_str(s);
        (a, arena.len() as u32)
    }

    /// Normalise one token into `scratch.one`: the normaliser's form with
    /// every digit written `0`, so numbers share features.
    fn norm_into(&self, tok: &str, scratch: &mut Scratch) {
        scratch.one.clear();
        self.normalizer.normalize_into(tok, &mut scratch.one);
        if scratch.one.bytes().any(|b| b.is_ascii_digit()) {
            scratch.one = scratch
                .one
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c })
                .collect();
        }
        if scratch.one.is_empty() {
            // a token that normalises away (a lone mark) still needs a form
            scratch.one.push('∅');
        }
    }

    fn prepare<S: AsRef<str>>(&self, tokens: &[S], scratch: &mut Scratch) {
        scratch.arena.clear();
        scratch.info.clear();
        for tok in tokens {
            self.norm_into(tok.as_ref(), scratch);
            let word = Self::push(&mut scratch.arena, &scratch.one);
            let seg = segment(&scratch.one);
            let stem = Self::push(&mut scratch.arena, seg.stem);
            let procl_start = scratch.arena.len() as u32;
            for p in &seg.prefixes {
                scratch.arena.push_str(p);
            }
            let procl = (procl_start, scratch.arena.len() as u32);
            let mut shape = String::new();
            let mut last = None;
            for c in scratch.one.chars().map(shape_class) {
                if last != Some(c) {
                    shape.push(c);
                    last = Some(c);
                    if shape.chars().count() >= 6 {
                        break;
                    }
                }
            }
            let shape = Self::push(&mut scratch.arena, &shape);
            let s2 = char_suffix(&scratch.one, 2).unwrap_or(&scratch.one);
            let suffix2 = Self::push(&mut scratch.arena, s2);
            let cluster = self.clusters.as_ref().and_then(|c| {
                c.index
                    .get(scratch.one.as_str())
                    .or_else(|| c.index.get(seg.stem))
                    .copied()
            });
            scratch.info.push(TokInfo {
                word,
                stem,
                procl,
                shape,
                suffix2,
                gaz: 0,
                cue: 0,
                cluster,
            });
        }
        for (list, is_cue) in [(&self.gazetteer, false), (&self.cues, true)] {
            let Some(g) = list else { continue };
            for (a, b, entry) in g.find_in_tokens(tokens) {
                let kind = g.entries[entry as usize].kind as u8;
                for (k, info) in scratch.info[a..b].iter_mut().enumerate() {
                    let code = 1 + 2 * kind + u8::from(k > 0);
                    if is_cue {
                        info.cue = code;
                    } else {
                        info.gaz = code;
                    }
                }
            }
        }
    }

    /// Cluster id of `info` at `level` (`u16::MAX` for unknown words or
    /// positions outside the sentence).
    fn cluster(&self, info: Option<&TokInfo>, level: usize) -> u16 {
        match (&self.clusters, info.and_then(|i| i.cluster)) {
            (Some(c), Some(row)) => c.ids[row as usize * c.levels + level],
            _ => u16::MAX,
        }
    }

    /// Features of every token of `tokens`: token `i`'s hashes are
    /// `out[offsets[i]..offsets[i + 1]]` (`offsets` gets `len + 1` entries).
    pub fn featurize<S: AsRef<str>>(
        &self,
        tokens: &[S],
        scratch: &mut Scratch,
        out: &mut Vec<u64>,
        offsets: &mut Vec<u32>,
    ) {
        out.clear();
        offsets.clear();
        offsets.push(0);
        self.prepare(tokens, scratch);
        let levels = self.clusters.as_ref().map_or(0, WordClusters::levels);
        let arena = scratch.arena.as_str();
        let s = |r: (u32, u32)| &arena[r.0 as usize..r.1 as usize];
        let info = &scratch.info;
        let n = info.len();
        let at = |i: usize, d: isize| -> Option<&TokInfo> {
            let j = i as isize + d;
            (0..n as isize).contains(&j).then(|| &info[j as usize])
        };
        for (i, me) in info.iter().enumerate() {
            let word = s(me.word);
            let stem = s(me.stem);
            out.push(H::new(t::BIAS).finish());
            out.push(H::new(t::WORD).bytes(word).finish());
            out.push(H::new(t::STEM).bytes(stem).finish());
            out.push(H::new(t::PROCLITICS).bytes(s(me.procl)).finish());
            for k in 1..=3u8 {
                if let Some(p) = char_prefix(stem, k as usize) {
                    out.push(H::new(t::PREFIX + k).bytes(p).finish());
                }
            }
            for k in 1..=4u8 {
                if let Some(p) = char_suffix(word, k as usize) {
                    out.push(H::new(t::SUFFIX + k).bytes(p).finish());
                }
            }
            out.push(H::new(t::SHAPE).bytes(s(me.shape)).finish());
            let len = stem.chars().count().min(10) as u8;
            out.push(H::new(t::LENGTH).byte(len).finish());
            out.push(H::new(t::GAZ_STEM).byte(me.gaz).bytes(stem).finish());
            if i == 0 {
                out.push(H::new(t::FIRST).finish());
            }
            let none = "\u{1}";
            for (d, k) in AROUND {
                let other = at(i, d);
                let w = other.map_or(none, |o| s(o.word));
                out.push(H::new(t::WORD_AT + k).bytes(w).finish());
                let g = other.map_or(255, |o| o.gaz);
                out.push(H::new(t::GAZ_AT + k).byte(g).finish());
                if d.abs() == 1 {
                    let st = other.map_or(none, |o| s(o.stem));
                    out.push(H::new(t::STEM_AT + k).bytes(st).finish());
                    let sf = other.map_or(none, |o| s(o.suffix2));
                    out.push(H::new(t::SUFFIX2_AT + k).bytes(sf).finish());
                    let sh = other.map_or(none, |o| s(o.shape));
                    out.push(H::new(t::SHAPE_AT + k).bytes(sh).finish());
                }
            }
            out.push(H::new(t::GAZ_AT + 4).byte(me.gaz).finish());
            if self.cues.is_some() {
                for (d, k) in [(-2, 0u8), (-1, 1), (0, 4), (1, 2)] {
                    let c = at(i, d).map_or(255, |o| o.cue);
                    out.push(H::new(t::CUE_AT + k).byte(c).finish());
                }
            }
            for level in 0..levels {
                let l = 4 * level as u8;
                for (d, k) in [(0isize, 0u8), (-1, 1), (1, 2)] {
                    let c = self.cluster(at(i, d), level);
                    out.push(H::new(t::CLUSTER + l + k).bytes_u16(c).finish());
                }
                if level == 0 {
                    let c = self.cluster(at(i, -2), level);
                    out.push(H::new(t::CLUSTER + l + 3).bytes_u16(c).finish());
                }
            }
            if levels > 1 {
                let a = self.cluster(at(i, -1), 1);
                let b = self.cluster(Some(me), 1);
                out.push(H::new(t::CLUSTER_BIGRAM).bytes_u16(a).bytes_u16(b).finish());
            }
            let prev = at(i, -1).map_or(none, |o| s(o.word));
            let next = at(i, 1).map_or(none, |o| s(o.word));
            out.push(H::new(t::BIGRAM_LEFT).bytes(prev).bytes(word).finish());
            out.push(H::new(t::BIGRAM_RIGHT).bytes(word).bytes(next).finish());
            offsets.push(out.len() as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::entities::parse_tsv;
    use crate::text::NormalizerConfig;

    fn feats(tokens: &[&str], gaz: Option<&Gazetteer>) -> Vec<Vec<u64>> {
        let f = TokenFeaturizer::new(
            Normalizer::new(NormalizerConfig::arabic()),
            gaz.cloned(),
            None,
            None,
        );
        let (mut out, mut off) = (Vec::new(), Vec::new());
        f.featurize(tokens, &mut Scratch::default(), &mut out, &mut off);
        assert_eq!(off.len(), tokens.len() + 1);
        off.windows(2)
            .map(|w| out[w[0] as usize..w[1] as usize].to_vec())
            .collect()
    }

    #[test]
    fn the_hash_is_stable() {
        // model files store these hashes: this value must never change
        assert_eq!(
            H::new(t::WORD).bytes("بغداد").finish(),
            0x6df4_96a8_cb30_d774
        );
    }

    #[test]
    fn normalised_spellings_share_features_and_context_matters() {
        let a = feats(&["قال", "الرئيسُ", "أوباما"], None);
        let b = feats(&["قال", "الرئيس", "اوباما"], None);
        assert_eq!(a, b);
        let c = feats(&["قال", "الرئيس", "بوش"], None);
        assert_ne!(a[1], c[1]); // the right neighbour differs
        assert_eq!(a[0][..4], c[0][..4]); // the word's own features do not
    }

    #[test]
    fn gazetteer_membership_is_a_feature() {
        let g = Gazetteer::new(
            parse_tsv("LOC\tبغداد\t\nTITLE\tالرئيس\t\n").unwrap(),
            NormalizerConfig::arabic(),
        )
        .unwrap();
        let with = feats(&["في", "وبغداد"], Some(&g));
        let without = feats(&["في", "وبغداد"], None);
        assert_ne!(with[1], without[1]);
        assert_ne!(with[0], without[0]); // the right neighbour is a place
        let digits = feats(&["عام", "٢٠١٩"], None);
        assert_eq!(digits, feats(&["عام", "1987"], None));
    }
}
