//! Prediction with a fitted [`LinearModel`]: decision values for a CSR
//! matrix or one row, and probabilities from them (sigmoid, softmax,
//! modified Huber or Platt, per the model's [`ProbaKind`]).

use super::linear::{LinearModel, ProbaKind};
use super::loss::{normalize_sum, sigmoid, softmax};
use super::sparse::{Col, CsrView, Real};
use crate::error::{Error, Result};
use crate::parallel;

impl LinearModel {
    /// Decision values, `n_rows * n_outputs`, row-major.
    pub fn decision<T: Real>(&self, x: &CsrView<'_, T>, threads: usize) -> Result<Vec<f64>> {
        if x.n_cols != self.n_features {
            return Err(Error::InvalidInput(format!(
                "X has {} features, but the model was fitted with {}",
                x.n_cols, self.n_features
            )));
        }
        let k = self.n_outputs;
        let n = x.n_rows;
        let parts = parallel::map_ranges(threads, n, parallel::transform_parts(threads, n), |r| {
            let mut out = vec![0.0; r.len() * k];
            for (o, i) in r.enumerate() {
                let (cols, vals) = x.row(i);
                self.scores_into(cols, vals, &mut out[o * k..(o + 1) * k]);
            }
            out
        })?;
        Ok(parts.concat())
    }

    /// Scores of one row given as column indices and values.
    #[inline]
    pub fn scores_into<C: Col, T: Real>(&self, cols: &[C], vals: &[T], z: &mut [f64]) {
        let k = self.n_outputs;
        z.copy_from_slice(&self.intercept);
        for (&c, &v) in cols.iter().zip(vals) {
            let base = c.idx() * k;
            let v = v.f64();
            z.iter_mut()
                .zip(&self.coef[base..base + k])
                .for_each(|(zi, &wi)| *zi += v * f64::from(wi));
        }
    }

    /// Number of probability columns: classes (2 for a binary problem) or
    /// labels.
    pub fn n_proba_cols(&self) -> usize {
        if self.n_outputs == 1 && !self.multilabel {
            2
        } else {
            self.n_outputs
        }
    }

    pub fn has_proba(&self) -> bool {
        !matches!(self.proba, ProbaKind::Unavailable)
    }

    /// Probabilities for one row of decision values `z` into `p`
    /// (`n_proba_cols` long).
    pub fn proba_row(&self, z: &[f64], p: &mut [f64]) -> Result<()> {
        let binary = self.n_outputs == 1 && !self.multilabel;
        let per = |o: usize, v: f64| -> Result<f64> {
            Ok(match &self.proba {
                ProbaKind::Sigmoid | ProbaKind::Softmax => sigmoid(v),
                ProbaKind::ModifiedHuber => (v.clamp(-1.0, 1.0) + 1.0) / 2.0,
                ProbaKind::Platt(ab) => {
                    let (a, b) = ab[o];
                    sigmoid(-(a * v + b))
                }
                ProbaKind::Unavailable => {
                    return Err(Error::InvalidInput(format!(
                        "probabilities are not available for loss={:?} without calibration \
                         (fit with probability=True)",
                        self.loss.name()
                    )))
                }
            })
        };
        if binary {
            let p1 = per(0, z[0])?;
            p[0] = 1.0 - p1;
            p[1] = p1;
            return Ok(());
        }
        if matches!(self.proba, ProbaKind::Softmax) && self.multinomial {
            p.copy_from_slice(z);
            softmax(p);
            return Ok(());
        }
        for (o, (pv, &zv)) in p.iter_mut().zip(z).enumerate() {
            *pv = per(o, zv)?;
        }
        if !self.multilabel {
            normalize_sum(p);
        }
        Ok(())
    }

    /// Probabilities for many rows of decision values.
    pub fn proba(&self, z: &[f64]) -> Result<Vec<f64>> {
        let k = self.n_outputs;
        let m = self.n_proba_cols();
        let n = z.len() / k.max(1);
        let mut out = vec![0.0; n * m];
        for i in 0..n {
            self.proba_row(&z[i * k..(i + 1) * k], &mut out[i * m..(i + 1) * m])?;
        }
        Ok(out)
    }
}
