//! The model loader on arbitrary bytes.
//!
//! An input that starts with the magic bytes is loaded as a whole file.
//! Anything else is taken as a payload and given a correct header (length
//! and CRC), so the fuzzer reaches the decoder instead of stopping at the
//! checksum. Loading must return `Ok` or `Err`: never panic, abort or run
//! out of memory (libFuzzer's `-malloc_limit_mb` catches a huge allocation
//! from a length field). A loaded model then goes through what the Python
//! loader does with it (`restore`, `validate`, building a hashing
//! vectorizer) and is used once, on two short documents: a file that loads
//! must be safe to use, or fail with an error. A loaded model also
//! re-encodes, and the re-encoding is stable.
#![no_main]

use khabar::features::hashing::HashingVectorizer;
use khabar::io::{from_bytes, to_bytes, Model, FORMAT_VERSION, MAGIC};
use khabar::model::tagger::TagScratch;
use khabar::text::Normalizer;
use libfuzzer_sys::fuzz_target;

const DOCS: [&str; 2] = [
    "بومبيو يهدد بإغلاق السفارة في بغداد",
    "Trump and Pompeo in Baghdad, 2020",
];

/// A well-formed header around `payload`.
fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// What `load_bytes` in the bindings does after decoding, then one use.
fn use_model(model: Model) {
    match model {
        Model::Normalizer(cfg) => {
            Normalizer::new(cfg).normalize(DOCS[0]);
        }
        Model::TextVectorizer(mut tv) => {
            tv.restore();
            if let Ok(m) = tv.transform(&DOCS, 1) {
                m.check_invariants().expect("valid CSR");
            }
        }
        Model::HashingVectorizer(cfg) => {
            if let Ok(hv) = HashingVectorizer::new(cfg) {
                if let Ok(m) = hv.transform(&DOCS, 1) {
                    m.check_invariants().expect("valid CSR");
                }
            }
        }
        Model::TextPipeline(mut p) => {
            p.vectorizer.restore();
            let _ = p.proba(&DOCS, 1);
        }
        Model::Mlp(m) => {
            let _ = m.validate();
        }
        Model::StanceBundle(mut b) => {
            if b.validate().is_ok() {
                for (_, v) in b.vectorizers.iter_mut() {
                    v.restore();
                }
            }
        }
        Model::EntityTagger(t) => {
            t.find_bytes(DOCS[0], 0.0, &mut TagScratch::default());
        }
        // These take feature matrices, not text: loading is what is tested.
        Model::Linear(_) | Model::NaiveBayes(_) | Model::PairFeatures(_) => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let wrapped;
    let bytes = if data.starts_with(MAGIC) {
        data
    } else {
        wrapped = wrap(data);
        &wrapped
    };
    let Ok(file) = from_bytes(bytes) else {
        return;
    };
    let again = to_bytes(&file).expect("a loaded model re-encodes");
    let back = from_bytes(&again).expect("a re-encoded model loads");
    assert_eq!(
        to_bytes(&back).expect("re-encodes"),
        again,
        "re-encoding is not stable"
    );
    use_model(file.model);
});
