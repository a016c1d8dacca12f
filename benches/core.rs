//! Micro-benchmarks of the core stages on a plain-text corpus (one document
//! per line), without Python: where does the time go?
//!
//! `cargo bench --no-default-features --bench core -- /tmp/corpus.txt`
//! (`scripts/bench_vectorize.py` is the benchmark against scikit-learn.)

use std::time::Instant;

use khabar::features::csr::Dtype;
use khabar::features::hashing::{HashingConfig, HashingVectorizer};
use khabar::features::ngrams::{AnalyzerKind, AnalyzerSpec};
use khabar::features::tfidf::{Norm, Weighting};
use khabar::features::vectorizer::{TextVectorizer, TextVectorizerConfig};
use khabar::features::vocabulary::Pruning;
use khabar::text::{Normalizer, NormalizerConfig, Tokenizer, TokenizerConfig};

fn time<R>(name: &str, mb: f64, mut f: impl FnMut() -> R) {
    // `cargo bench ... -- CORPUS FILTER`: run only cases containing FILTER.
    if let Some(filter) = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .nth(1)
    {
        if !name.contains(&filter) {
            return;
        }
    }
    f();
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for _ in 0..3 {
        let (t, c) = (Instant::now(), thread_cpu());
        std::hint::black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(thread_cpu() - c);
    }
    // The calling thread's CPU time is robust to other load on the machine;
    // it equals wall time for single-threaded cases on an idle machine.
    println!(
        "{name:<44} {:>7.1} MB/s wall ({best:.3} s), {:>7.1} MB/s by caller CPU time",
        mb / best,
        mb / best_cpu
    );
}

/// CPU seconds used by the calling thread (Linux), or 0 elsewhere.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or("/tmp/corpus.txt".into());
    let text = std::fs::read_to_string(&path).expect("corpus file (one document per line)");
    let docs: Vec<&str> = text.lines().collect();
    let mb = text.len() as f64 / 1e6;
    println!("{} docs, {mb:.1} MB", docs.len());
    let norm = Normalizer::new(NormalizerConfig::arabic());
    let mut buf = String::new();
    time("normalize (arabic)", mb, || {
        docs.iter()
            .map(|d| {
                norm.normalize_into(d, &mut buf);
                buf.len()
            })
            .sum::<usize>()
    });
    let normalized: Vec<String> = docs.iter().map(|d| norm.normalize(d)).collect();
    let tok = Tokenizer::new(TokenizerConfig::default());
    time("tokenize", mb, || {
        let mut n = 0;
        for d in &normalized {
            tok.for_each(d, |_, _| n += 1);
        }
        n
    });
    let word = AnalyzerSpec::new(AnalyzerKind::Word, 1, 2).unwrap();
    let charwb = AnalyzerSpec::new(AnalyzerKind::CharWb, 2, 5).unwrap();
    for (name, spec, nc) in [
        ("word(1,2)", word, NormalizerConfig::arabic()),
        ("word(1,2) no-norm", word, NormalizerConfig::none()),
        ("char_wb(2,5)", charwb, NormalizerConfig::arabic()),
    ] {
        let hv = HashingVectorizer::new(HashingConfig {
            analyzers: vec![spec],
            normalizer: nc,
            tokenizer: TokenizerConfig::default(),
            stop_words: None,
            n_features: 1 << 20,
            alternate_sign: true,
            binary: false,
            norm: Norm::L2,
            dtype: Dtype::F64,
        })
        .unwrap();
        time(&format!("hashing {name} 1 thread"), mb, || {
            hv.transform(&docs, 1).unwrap().nnz()
        });
        time(&format!("hashing {name} 2 threads"), mb, || {
            hv.transform(&docs, 2).unwrap().nnz()
        });
        let cfg = TextVectorizerConfig {
            analyzers: vec![spec],
            normalizer: nc,
            tokenizer: TokenizerConfig::default(),
            stop_words: None,
            pruning: Pruning::default(),
            weighting: Weighting::default(),
            dtype: Dtype::F64,
            vocabulary: None,
        };
        time(&format!("tfidf fit_transform {name} 1 thread"), mb, || {
            TextVectorizer::fit(cfg.clone(), &docs, 1, true)
                .unwrap()
                .1
                .unwrap()
                .nnz()
        });
        time(&format!("tfidf fit_transform {name} 2 threads"), mb, || {
            TextVectorizer::fit(cfg.clone(), &docs, 2, true)
                .unwrap()
                .1
                .unwrap()
                .nnz()
        });
    }
}
