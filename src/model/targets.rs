//! Training targets: one class per row, or a set of labels per row.

use crate::error::{Error, Result};

/// What each row should predict.
#[derive(Debug, Clone)]
pub enum Targets<'a> {
    /// One class index per row, `0..n_classes`. Two classes train a single
    /// output whose positive class is 1.
    Classes { y: &'a [u32], n_classes: usize },
    /// A label set per row (CSR-style `indptr` into `labels`), one output
    /// per label, one-vs-rest.
    MultiLabel {
        indptr: &'a [i64],
        labels: &'a [u32],
        n_labels: usize,
    },
}

impl Targets<'_> {
    /// Validate indices and sizes.
    pub fn check(&self) -> Result<()> {
        match self {
            Targets::Classes { y, n_classes } => {
                if *n_classes < 2 {
                    return Err(Error::InvalidInput(format!(
                        "need samples of at least 2 classes to fit a classifier; got {n_classes}"
                    )));
                }
                if let Some(i) = y.iter().position(|&c| c as usize >= *n_classes) {
                    return Err(Error::InvalidInput(format!(
                        "y[{i}] = {} is outside 0..{n_classes}",
                        y[i]
                    )));
                }
            }
            Targets::MultiLabel {
                indptr,
                labels,
                n_labels,
            } => {
                if *n_labels == 0 {
                    return Err(Error::InvalidInput("no labels to learn".into()));
                }
                if indptr.first() != Some(&0)
                    || *indptr.last().unwrap_or(&-1) as usize != labels.len()
                    || indptr.windows(2).any(|w| w[1] < w[0])
                {
                    return Err(Error::InvalidInput("malformed label lists".into()));
                }
                if labels.iter().any(|&l| l as usize >= *n_labels) {
                    return Err(Error::InvalidInput("label index out of range".into()));
                }
            }
        }
        Ok(())
    }

    pub fn n_rows(&self) -> usize {
        match self {
            Targets::Classes { y, .. } => y.len(),
            Targets::MultiLabel { indptr, .. } => indptr.len().saturating_sub(1),
        }
    }

    pub fn n_outputs(&self) -> usize {
        match self {
            Targets::Classes { n_classes: 2, .. } => 1,
            Targets::Classes { n_classes, .. } => *n_classes,
            Targets::MultiLabel { n_labels, .. } => *n_labels,
        }
    }

    pub fn is_multilabel(&self) -> bool {
        matches!(self, Targets::MultiLabel { .. })
    }

    /// The class of row `i` (single-label targets only).
    #[inline]
    pub fn class(&self, i: usize) -> usize {
        match self {
            Targets::Classes { y, .. } => y[i] as usize,
            Targets::MultiLabel { .. } => unreachable!("class() on multi-label targets"),
        }
    }

    /// Whether output `o` is positive for row `i`.
    #[inline]
    pub fn is_pos(&self, i: usize, o: usize) -> bool {
        match self {
            Targets::Classes { y, n_classes } => {
                if *n_classes == 2 {
                    y[i] == 1
                } else {
                    y[i] as usize == o
                }
            }
            Targets::MultiLabel { indptr, labels, .. } => {
                labels[indptr[i] as usize..indptr[i + 1] as usize].contains(&(o as u32))
            }
        }
    }
}
