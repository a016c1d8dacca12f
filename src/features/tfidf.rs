//! Term weighting, with scikit-learn's `TfidfTransformer` semantics.
//!
//! For a count `c` of term `t` in a document: `binary` makes `c = 1`;
//! `sublinear_tf` makes `tf = 1 + ln(c)` (else `tf = c`); `use_idf` multiplies
//! by `idf(t) = ln((1 + n) / (1 + df(t))) + 1` with `smooth_idf` (else
//! `ln(n / df(t)) + 1`); finally the row is scaled to unit `l2` or `l1` norm
//! (rows of all zeros stay zero). All arithmetic is f64, row by row, so the
//! result never depends on how rows were split across threads.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Row normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Norm {
    None,
    L1,
    L2,
}

impl Norm {
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            None => Ok(Norm::None),
            Some("l2") => Ok(Norm::L2),
            Some("l1") => Ok(Norm::L1),
            Some(other) => Err(Error::param(
                "norm",
                format!("unknown norm {other:?}; expected \"l1\", \"l2\" or None"),
            )),
        }
    }

    pub fn name(self) -> Option<&'static str> {
        match self {
            Norm::None => None,
            Norm::L1 => Some("l1"),
            Norm::L2 => Some("l2"),
        }
    }

    /// Scale `vals` in place to unit norm.
    pub fn apply(self, vals: &mut [f64]) {
        let total = match self {
            Norm::None => return,
            Norm::L1 => vals.iter().map(|v| v.abs()).sum::<f64>(),
            Norm::L2 => vals.iter().map(|v| v * v).sum::<f64>().sqrt(),
        };
        if total > 0.0 {
            vals.iter_mut().for_each(|v| *v /= total);
        }
    }
}

/// Weighting switches of a TF-IDF vectorizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weighting {
    pub binary: bool,
    pub use_idf: bool,
    pub smooth_idf: bool,
    pub sublinear_tf: bool,
    pub norm: Norm,
}

impl Default for Weighting {
    fn default() -> Self {
        Self {
            binary: false,
            use_idf: true,
            smooth_idf: true,
            sublinear_tf: false,
            norm: Norm::L2,
        }
    }
}

/// Inverse document frequencies from document frequencies.
pub fn idf(df: &[u64], n_docs: usize, smooth: bool) -> Vec<f64> {
    let s = f64::from(u8::from(smooth));
    let n = n_docs as f64 + s;
    df.iter()
        .map(|&d| (n / (d as f64 + s)).ln() + 1.0)
        .collect()
}

impl Weighting {
    /// Turn one row's counts into weights, in place. `cols[i] - offset`
    /// indexes `idf`.
    pub fn weigh_row<C: Copy + Into<i64>>(
        &self,
        cols: &[C],
        offset: i64,
        vals: &mut [f64],
        idf: Option<&[f64]>,
    ) {
        for (v, &c) in vals.iter_mut().zip(cols) {
            let mut x = self.term(*v);
            if let Some(idf) = idf {
                x *= idf[(c.into() - offset) as usize];
            }
            *v = x;
        }
        self.norm.apply(vals);
    }

    /// The weight of a raw count before IDF and normalisation.
    #[inline]
    pub fn term(&self, tf: f64) -> f64 {
        if self.binary {
            1.0
        } else if self.sublinear_tf {
            sublinear(tf)
        } else {
            tf
        }
    }
}

/// `1 + ln(tf)`. Term counts are small integers, so most come from a table
/// (the same `ln` values, computed once) instead of a `ln` call each —
/// a measurable share of single-document prediction time.
#[inline]
fn sublinear(tf: f64) -> f64 {
    static TABLE: std::sync::OnceLock<[f64; 256]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| std::array::from_fn(|i| (i as f64).ln() + 1.0));
    let i = tf as usize;
    if i as f64 == tf && i < 256 {
        t[i]
    } else {
        tf.ln() + 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_matches_sklearn_formula() {
        // sklearn: n=4, df=[1,4] smooth -> ln(5/2)+1, ln(5/5)+1
        let v = idf(&[1, 4], 4, true);
        assert!((v[0] - ((5.0f64 / 2.0).ln() + 1.0)).abs() < 1e-15);
        assert!((v[1] - 1.0).abs() < 1e-15);
        let v = idf(&[2], 4, false);
        assert!((v[0] - (2.0f64.ln() + 1.0)).abs() < 1e-15);
    }

    #[test]
    fn l2_and_l1_norms() {
        let mut v = vec![3.0, 4.0];
        Norm::L2.apply(&mut v);
        assert_eq!(v, vec![0.6, 0.8]);
        let mut v = vec![1.0, -3.0];
        Norm::L1.apply(&mut v);
        assert_eq!(v, vec![0.25, -0.75]);
        let mut z = vec![0.0, 0.0];
        Norm::L2.apply(&mut z);
        assert_eq!(z, vec![0.0, 0.0]);
    }

    #[test]
    fn sublinear_table_is_exact() {
        for tf in [1.0, 2.0, 3.0, 255.0, 256.0, 1000.0, 0.5, 2.5] {
            assert_eq!(sublinear(tf).to_bits(), (tf.ln() + 1.0).to_bits(), "{tf}");
        }
    }

    #[test]
    fn weigh_row_sublinear_binary() {
        let w = Weighting {
            sublinear_tf: true,
            norm: Norm::None,
            use_idf: false,
            ..Default::default()
        };
        let mut v = vec![1.0, std::f64::consts::E];
        w.weigh_row(&[0u32, 1], 0, &mut v, None);
        assert!((v[0] - 1.0).abs() < 1e-12 && (v[1] - 2.0).abs() < 1e-12);
        let w = Weighting {
            binary: true,
            norm: Norm::None,
            ..Default::default()
        };
        let mut v = vec![5.0];
        w.weigh_row(&[0u32], 0, &mut v, Some(&[2.0]));
        assert_eq!(v, vec![2.0]);
    }
}
