//! Model files: a small binary envelope around a serde payload.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `\x89KHABAR\n` (the high byte and newline catch text-mode mangling) |
//! | 8..12 | format version, `u32` (currently 1) |
//! | 12..20 | payload length in bytes, `u64` |
//! | 20..24 | CRC-32 (IEEE) of the payload, `u32` |
//! | 24.. | payload: [`ModelFile`] encoded with `postcard` |
//!
//! Loading checks, in order: length, magic, version (newer versions are
//! refused with a message asking to upgrade), payload length, checksum, then
//! decodes. Decoding is plain data — no code runs, nothing is imported — and
//! postcard bounds every allocation by the bytes actually present, so a
//! hostile length field cannot make us allocate gigabytes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::hashing::HashingConfig;
use crate::features::pairs::PairFeaturizer;
use crate::features::vectorizer::TextVectorizer;
use crate::model::mlp::Mlp;
use crate::model::{EntityTagger, LinearModel, NaiveBayes};
use crate::pipeline::TextPipeline;
use crate::stance::StanceBundle;
use crate::text::NormalizerConfig;

/// Magic bytes at the start of every model file.
pub const MAGIC: &[u8; 8] = b"\x89KHABAR\n";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = 24;

/// Every object that can be saved. New variants go at the end: the variant
/// index is part of the format.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Model {
    Normalizer(NormalizerConfig),
    TextVectorizer(Box<TextVectorizer>),
    HashingVectorizer(HashingConfig),
    Linear(Box<LinearModel>),
    NaiveBayes(Box<NaiveBayes>),
    TextPipeline(Box<TextPipeline>),
    EntityTagger(Box<EntityTagger>),
    PairFeatures(Box<PairFeaturizer>),
    Mlp(Box<Mlp>),
    StanceBundle(Box<StanceBundle>),
}

impl Model {
    pub fn kind(&self) -> &'static str {
        match self {
            Model::Normalizer(_) => "Normalizer",
            Model::TextVectorizer(_) => "TextVectorizer",
            Model::HashingVectorizer(_) => "HashingVectorizer",
            Model::Linear(_) => "LinearModel",
            Model::NaiveBayes(_) => "NaiveBayes",
            Model::TextPipeline(_) => "TextPipeline",
            Model::EntityTagger(_) => "EntityTagger",
            Model::PairFeatures(_) => "PairFeatures",
            Model::Mlp(_) => "Mlp",
            Model::StanceBundle(_) => "StanceBundle",
        }
    }
}

/// The payload: the writing library's version, the model, and free-form
/// metadata (Python-side parameters such as `n_jobs`, as JSON text).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFile {
    pub khabar_version: String,
    pub model: Model,
    pub metadata: String,
}

impl ModelFile {
    pub fn new(model: Model, metadata: String) -> Self {
        Self {
            khabar_version: env!("CARGO_PKG_VERSION").to_string(),
            model,
            metadata,
        }
    }
}

/// Encode a model file to bytes.
pub fn to_bytes(file: &ModelFile) -> Result<Vec<u8>> {
    let payload = postcard::to_stdvec(file)
        .map_err(|e| Error::ModelFormat(format!("could not encode the model: {e}")))?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decode and verify model bytes.
pub fn from_bytes(bytes: &[u8]) -> Result<ModelFile> {
    let err = |m: String| Err(Error::ModelFormat(m));
    if bytes.is_empty() {
        return err("the data is empty (0 bytes)".into());
    }
    if bytes.len() < HEADER_LEN {
        if !MAGIC.starts_with(&bytes[..bytes.len().min(8)]) {
            return err("not a khabar model (wrong magic bytes)".into());
        }
        return err(format!(
            "truncated: {} bytes, shorter than the {HEADER_LEN}-byte header",
            bytes.len()
        ));
    }
    if &bytes[..8] != MAGIC {
        return err("not a khabar model (wrong magic bytes)".into());
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version == 0 {
        return err("invalid format version 0".into());
    }
    if version > FORMAT_VERSION {
        return err(format!(
            "written by a newer khabar (format version {version}; this khabar {} reads up to \
             version {FORMAT_VERSION}); upgrade khabar to load it",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let declared = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let present = (bytes.len() - HEADER_LEN) as u64;
    if declared > present {
        return err(format!("truncated: the header declares {declared} payload bytes but only {present} are present"));
    }
    if declared < present {
        return err(format!(
            "{} unexpected trailing bytes after the payload",
            present - declared
        ));
    }
    let crc = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER_LEN..];
    if crc32fast::hash(payload) != crc {
        return err("checksum mismatch: the data is corrupted".into());
    }
    let (file, rest): (ModelFile, &[u8]) = postcard::take_from_bytes(payload)
        .map_err(|e| Error::ModelFormat(format!("the payload could not be decoded: {e}")))?;
    if !rest.is_empty() {
        return err("the payload has unexpected trailing bytes".into());
    }
    check_model(&file.model)?;
    Ok(file)
}

/// The sizes a model records must agree with its arrays (or prediction
/// would index out of bounds) and its weights must be finite (or every
/// prediction would be NaN, blamed on the input). The checksum catches
/// accidental damage; this catches a file whose checksum was recomputed
/// after editing (crafted, or written by a buggy tool), so that loading it
/// fails with a clear error instead of an internal error at first use.
fn check_model(model: &Model) -> Result<()> {
    match model {
        Model::Linear(m) => check_linear(m),
        Model::NaiveBayes(m) => m.check_sizes(),
        Model::TextVectorizer(v) => check_idf(v),
        Model::TextPipeline(p) => {
            check_linear(&p.model)?;
            check_idf(&p.vectorizer)?;
            if p.vectorizer.n_features() != p.model.n_features {
                return Err(Error::ModelFormat(format!(
                    "the vectorizer makes {} features but the model takes {}",
                    p.vectorizer.n_features(),
                    p.model.n_features
                )));
            }
            Ok(())
        }
        Model::PairFeatures(p) => check_pairs(p),
        Model::StanceBundle(b) => {
            if let Some(p) = &b.pairs {
                check_pairs(p)?;
            }
            for (_, v) in &b.vectorizers {
                check_idf(v)?;
            }
            // features are divided by `scale`: it must be positive
            if !finite(&b.mean) || !finite(&b.scale) || b.scale.iter().any(|&s| s <= 0.0) {
                return Err(Error::ModelFormat(
                    "stance bundle: the feature scaling is not finite and positive".into(),
                ));
            }
            match &b.model {
                crate::stance::StanceModel::Linear(m) => check_linear(m),
                crate::stance::StanceModel::Mlp(m) => check_mlp(m),
            }
        }
        Model::Mlp(m) => check_mlp(m),
        _ => Ok(()),
    }
}

fn finite<T: Copy + Into<f64>>(values: &[T]) -> bool {
    values.iter().all(|&v| v.into().is_finite())
}

fn check_idf(v: &TextVectorizer) -> Result<()> {
    if v.blocks.iter().all(|b| b.idf.as_deref().is_none_or(finite)) {
        Ok(())
    } else {
        Err(Error::ModelFormat(
            "vectorizer: an IDF weight is not finite".into(),
        ))
    }
}

fn check_pairs(p: &PairFeaturizer) -> Result<()> {
    if p.weights_finite() {
        Ok(())
    } else {
        Err(Error::ModelFormat(
            "pair features: an IDF weight is not finite".into(),
        ))
    }
}

fn check_mlp(m: &Mlp) -> Result<()> {
    m.validate()?;
    if [&m.w1, &m.b1, &m.w2, &m.b2].iter().all(|w| finite(w)) {
        Ok(())
    } else {
        Err(Error::ModelFormat("MLP: a weight is not finite".into()))
    }
}

fn check_linear(m: &LinearModel) -> Result<()> {
    let dk = m.n_features.checked_mul(m.n_outputs);
    let platt_ok = match &m.proba {
        crate::model::linear::ProbaKind::Platt(ab) => ab.len() == m.n_outputs,
        _ => true,
    };
    let sgd_ok = m
        .sgd
        .as_ref()
        .is_none_or(|s| s.sizes_agree() && s.n_features == m.n_features);
    if m.n_outputs == 0
        || dk != Some(m.coef.len())
        || m.intercept.len() != m.n_outputs
        || !platt_ok
        || !sgd_ok
    {
        return Err(Error::ModelFormat(format!(
            "linear model: the weights do not match {} features x {} outputs",
            m.n_features, m.n_outputs
        )));
    }
    let platt_finite = match &m.proba {
        crate::model::linear::ProbaKind::Platt(ab) => {
            ab.iter().all(|(a, b)| a.is_finite() && b.is_finite())
        }
        _ => true,
    };
    if !finite(&m.coef) || !finite(&m.intercept) || !platt_finite {
        return Err(Error::ModelFormat(
            "linear model: a weight is not finite".into(),
        ));
    }
    Ok(())
}

/// Write a model file atomically (temporary file + rename), so a crash
/// never leaves a half-written model under the final name.
pub fn save(path: &std::path::Path, file: &ModelFile) -> Result<()> {
    let bytes = to_bytes(file)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(())
}

/// Read and verify a model file.
pub fn load(path: &std::path::Path) -> Result<ModelFile> {
    let bytes = std::fs::read(path)?;
    from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<u8> {
        to_bytes(&ModelFile::new(
            Model::Normalizer(NormalizerConfig::arabic()),
            "{}".into(),
        ))
        .unwrap()
    }

    fn msg(b: &[u8]) -> String {
        from_bytes(b).unwrap_err().to_string()
    }

    #[test]
    fn round_trip() {
        let f = from_bytes(&sample()).unwrap();
        assert!(matches!(f.model, Model::Normalizer(c) if c == NormalizerConfig::arabic()));
    }

    #[test]
    fn rejects_corruption_with_clear_messages() {
        let good = sample();
        assert!(msg(&[]).contains("empty"));
        assert!(msg(&good[..10]).contains("truncated"));
        assert!(msg(&good[..good.len() - 1]).contains("truncated"));
        assert!(msg(b"PK\x03\x04 this is a zip file, not a model").contains("magic"));
        let mut future = good.clone();
        future[8] = 99;
        assert!(msg(&future).contains("newer khabar"));
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x10;
        assert!(msg(&flipped).contains("checksum"));
        let mut longer = good.clone();
        longer.push(0);
        assert!(msg(&longer).contains("trailing"));
    }

    #[test]
    fn rejects_sizes_that_disagree_even_with_a_valid_checksum() {
        // as if the file had been edited and its checksum recomputed
        let mut nb = NaiveBayes::new(crate::model::NbKind::Multinomial, 1.0, true, 3, 2).unwrap();
        nb.n_features = 66;
        let bytes = to_bytes(&ModelFile::new(
            Model::NaiveBayes(Box::new(nb)),
            "{}".into(),
        ))
        .unwrap();
        assert!(msg(&bytes).contains("66 features x 2 classes"));
    }

    #[test]
    fn rejects_non_finite_weights() {
        let mlp = |w: f32| Mlp {
            n_features: 1,
            hidden: 1,
            n_classes: 2,
            w1: vec![w],
            b1: vec![0.0],
            w2: vec![1.0, -1.0],
            b2: vec![0.0, 0.0],
            loss_curve: vec![],
            validation_curve: vec![],
            n_iter: 1,
        };
        let bytes = |m| to_bytes(&ModelFile::new(Model::Mlp(Box::new(m)), "{}".into())).unwrap();
        assert!(from_bytes(&bytes(mlp(0.5))).is_ok());
        assert!(msg(&bytes(mlp(f32::NAN))).contains("not finite"));
        assert!(msg(&bytes(mlp(f32::INFINITY))).contains("not finite"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = from_bytes(&b);
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&b);
            let _ = from_bytes(&with_magic);
        }

        #[test]
        fn any_single_bit_flip_is_detected(pos in 0usize..1000, bit in 0u8..8) {
            let mut b = sample();
            let p = pos % b.len();
            b[p] ^= 1 << bit;
            prop_assert!(from_bytes(&b).is_err());
        }
    }
}
