//! The entity recogniser: gazetteer names and tagger mentions merged.
//!
//! Merge rule, applied to candidates from both sources on the text's
//! tokens: names from user gazetteers come first; then longer mentions (in
//! tokens) beat shorter ones; on equal length a gazetteer name beats the
//! tagger (it carries a canonical form and is exact about clitics:
//! «وبغداد» gives «بغداد» rather than the whole token). Accepted mentions
//! never overlap. A tagger mention takes the canonical form of the longest
//! gazetteer name of its type inside it (the tagger's «دونالد ترامب»
//! becomes canonical «دونالد ترامب» only if no listed name is inside it;
//! with «ترامب» listed it links to that entry), else its normalised text.
//! Tagger mentions are dropped when they cover two or more listed names (a
//! tagging error such as «ترمب الكاظمي» read as one person) or are written
//! in a script the tagger hardly saw in training.

use std::sync::Arc;

use crate::features::entities::{char_index, Gazetteer};
use crate::model::tagger::{EntityTagger, TagScratch};
use crate::text::tokenize::scan;

/// A mention in character offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub canonical: String,
}

/// Gazetteer (user entries first) plus an optional trained tagger.
#[derive(Debug, Clone)]
pub struct Recognizer {
    pub gazetteer: Gazetteer,
    /// Entries `0..n_user` of the gazetteer came from the user.
    pub n_user: usize,
    pub tagger: Option<Arc<EntityTagger>>,
    /// Passed to the tagger (see [`EntityTagger::predict_ids_biased`]).
    pub o_penalty: f32,
}

struct Cand {
    /// Byte range in the text.
    start: usize,
    end: usize,
    /// Token range.
    first: usize,
    last: usize,
    /// 0 user gazetteer, 1 built-in gazetteer, 2 tagger.
    source: u8,
    kind: String,
    canonical: String,
}

impl Recognizer {
    pub fn find(&self, text: &str, scratch: &mut TagScratch) -> Vec<Found> {
        let Some(tagger) = &self.tagger else {
            return self.gazetteer_only(text);
        };
        let mut toks = Vec::new();
        scan(text, |sp| toks.push((sp.start, sp.end)));
        let tok_of = |b: usize| toks.partition_point(|&(_, e)| e <= b);
        let g = &self.gazetteer;
        let mut cands: Vec<Cand> = g
            .find_bytes(text)
            .into_iter()
            .map(|m| {
                let e = &g.entries[m.entry as usize];
                Cand {
                    start: m.start,
                    end: m.end,
                    first: tok_of(m.start),
                    last: tok_of(m.end - 1),
                    source: u8::from(m.entry as usize >= self.n_user),
                    kind: e.kind.as_str().to_string(),
                    canonical: e.canonical.clone(),
                }
            })
            .collect();
        debug_assert!(cands.windows(2).all(|w| w[0].end <= w[1].start));
        let n_gaz = cands.len();
        for (start, end, kind) in tagger.find_bytes(text, self.o_penalty, scratch) {
            if !tagger.knows_script(&text[start..end]) {
                continue;
            }
            let (first, last) = (tok_of(start), tok_of(end - 1));
            // Gazetteer mentions come in text order without overlaps, so
            // their `first` and `last` tokens never decrease and the ones
            // touching `first..=last` form one run: binary-search it rather
            // than scan every name for every tagger mention (that was
            // quadratic: minutes for a 10 MB document).
            let lo = cands[..n_gaz].partition_point(|c| c.last < first);
            let hi = lo + cands[lo..n_gaz].partition_point(|c| c.first <= last);
            let near = &cands[lo..hi];
            // a tagger span that swallows two listed names («ترمب الكاظمي»)
            // is a tagging error: the names stand
            let listed = near
                .iter()
                .filter(|c| c.first <= last && c.last >= first && c.kind != "TITLE")
                .count();
            if listed > 1 {
                continue;
            }
            let inside = near
                .iter()
                .filter(|c| c.first >= first && c.last <= last && c.kind == kind)
                .max_by_key(|c| (c.end - c.start, std::cmp::Reverse(c.start)));
            let canonical = match inside {
                Some(c) => c.canonical.clone(),
                None => g.normalize(&text[start..end]),
            };
            cands.push(Cand {
                start,
                end,
                first,
                last,
                source: 2,
                kind: kind.to_string(),
                canonical,
            });
        }
        cands.sort_by_key(|c| {
            (
                c.source != 0,
                std::cmp::Reverse(c.last - c.first),
                c.source,
                c.start,
            )
        });
        let mut taken = vec![false; toks.len()];
        let mut keep: Vec<Cand> = Vec::new();
        for c in cands {
            if taken[c.first..=c.last].iter().any(|&t| t) {
                continue;
            }
            taken[c.first..=c.last].iter_mut().for_each(|t| *t = true);
            keep.push(c);
        }
        keep.sort_by_key(|c| c.start);
        let chars = char_index(text);
        keep.into_iter()
            .map(|c| Found {
                start: chars[c.start],
                end: chars[c.end],
                kind: c.kind,
                canonical: c.canonical,
            })
            .collect()
    }

    fn gazetteer_only(&self, text: &str) -> Vec<Found> {
        self.gazetteer
            .find(text)
            .into_iter()
            .map(|m| {
                let e = &self.gazetteer.entries[m.entry as usize];
                Found {
                    start: m.start,
                    end: m.end,
                    kind: e.kind.as_str().to_string(),
                    canonical: e.canonical.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::entities::parse_tsv;
    use crate::features::token_features::TokenFeaturizer;
    use crate::model::tagger::TaggerConfig;
    use crate::text::{Normalizer, NormalizerConfig};

    fn tagger() -> EntityTagger {
        let mut s = Vec::new();
        let mut t = Vec::new();
        for (a, b) in [
            ("أحمد", "حسن"),
            ("محمد", "علي"),
            ("سارة", "خالد"),
            ("يوسف", "ترامب"),
        ] {
            s.push(vec!["قال", a, b, "إن", "الوضع", "جيد"]);
            t.push(vec!["O", "B-PER", "I-PER", "O", "O", "O"]);
            s.push(vec!["الوضع", "في", b, "جيد"]);
            t.push(vec!["O", "O", "O", "O"]);
        }
        let f = TokenFeaturizer::new(
            Normalizer::new(NormalizerConfig::arabic()),
            None,
            None,
            None,
        );
        EntityTagger::fit(&s, &t, f, &TaggerConfig::default()).unwrap()
    }

    #[test]
    fn merges_longest_first_with_gazetteer_canonicals() {
        let entries = parse_tsv("PER\tترامب\tترمب\nLOC\tبغداد\t\nTITLE\tقال\t\n").unwrap();
        let g = Gazetteer::new(entries, NormalizerConfig::arabic()).unwrap();
        let r = Recognizer {
            gazetteer: g,
            n_user: 0,
            tagger: Some(Arc::new(tagger())),
            o_penalty: 0.0,
        };
        let text = "قال دونالد ترمب إن الوضع في بغداد جيد";
        let got = r.find(text, &mut TagScratch::default());
        let spans: Vec<(String, &str, &str)> = got
            .iter()
            .map(|f| {
                let s: String = text.chars().skip(f.start).take(f.end - f.start).collect();
                (s, f.kind.as_str(), f.canonical.as_str())
            })
            .collect();
        assert!(
            spans.contains(&("دونالد ترمب".into(), "PER", "ترامب")),
            "{spans:?}"
        );
        assert!(
            spans.contains(&("بغداد".into(), "LOC", "بغداد")),
            "{spans:?}"
        );
        // user entries beat the tagger even when shorter
        let g = Gazetteer::new(
            parse_tsv("ORG\tترمب\t\n").unwrap(),
            NormalizerConfig::arabic(),
        )
        .unwrap();
        let r = Recognizer {
            gazetteer: g,
            n_user: 1,
            tagger: r.tagger.clone(),
            o_penalty: 0.0,
        };
        let got = r.find(text, &mut TagScratch::default());
        assert!(got.iter().any(|f| f.kind == "ORG"), "{got:?}");
        assert!(got.iter().all(|f| f.kind != "PER"), "{got:?}");
    }

    #[test]
    fn repeated_text_gives_repeated_mentions() {
        // the gazetteer run near each tagger mention is found by binary
        // search: a text repeated k times must give k shifted copies
        let entries = parse_tsv("PER\tترامب\tترمب\nLOC\tبغداد\t\nTITLE\tقال\t\n").unwrap();
        let r = Recognizer {
            gazetteer: Gazetteer::new(entries, NormalizerConfig::arabic()).unwrap(),
            n_user: 0,
            tagger: Some(Arc::new(tagger())),
            o_penalty: 0.0,
        };
        let one = "قال دونالد ترمب إن الوضع في بغداد جيد وقال محمد علي ";
        let base = r.find(one, &mut TagScratch::default());
        assert!(base.len() >= 3, "{base:?}");
        let k = 50;
        let got = r.find(&one.repeat(k), &mut TagScratch::default());
        let step = one.chars().count();
        let want: Vec<Found> = (0..k)
            .flat_map(|i| {
                base.iter().map(move |f| Found {
                    start: f.start + i * step,
                    end: f.end + i * step,
                    ..f.clone()
                })
            })
            .collect();
        assert_eq!(got, want);
    }
}
