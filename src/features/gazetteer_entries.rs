//! What a [`Gazetteer`](super::entities::Gazetteer) is compiled from: entity
//! types, entries (a canonical name and its variants) and the TSV format
//! name lists are written in.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityType {
    Per,
    Loc,
    Org,
    Misc,
    Title,
}

impl EntityType {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "PER" | "PERSON" => EntityType::Per,
            "LOC" | "LOCATION" | "GPE" => EntityType::Loc,
            "ORG" | "ORGANIZATION" | "ORGANISATION" => EntityType::Org,
            "MISC" => EntityType::Misc,
            "TITLE" => EntityType::Title,
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown entity type {other:?}; use PER, LOC, ORG, MISC or TITLE"
                )))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Loc => "LOC",
            EntityType::Org => "ORG",
            EntityType::Misc => "MISC",
            EntityType::Title => "TITLE",
        }
    }
}

/// One named entity and the ways it is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GazetteerEntry {
    pub kind: EntityType,
    pub canonical: String,
    /// Other surface forms (the canonical form is always matched too).
    pub variants: Vec<String>,
}

/// Parse the TSV format `TYPE<TAB>canonical<TAB>variant|variant`, `#`
/// comments and blank lines allowed. Errors name the line.
pub fn parse_tsv(text: &str) -> Result<Vec<GazetteerEntry>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(kind), Some(canonical)) = (cols.next(), cols.next()) else {
            return Err(Error::InvalidInput(format!(
                "gazetteer line {}: expected TYPE<TAB>name[<TAB>variant|variant...]",
                i + 1
            )));
        };
        let kind = EntityType::parse(kind)
            .map_err(|e| Error::InvalidInput(format!("gazetteer line {}: {e}", i + 1)))?;
        let canonical = canonical.trim();
        if canonical.is_empty() {
            return Err(Error::InvalidInput(format!(
                "gazetteer line {}: empty name",
                i + 1
            )));
        }
        let variants = cols
            .next()
            .unwrap_or("")
            .split('|')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect();
        out.push(GazetteerEntry {
            kind,
            canonical: canonical.to_string(),
            variants,
        });
    }
    Ok(out)
}
