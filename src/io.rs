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
    Ok(file)
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
