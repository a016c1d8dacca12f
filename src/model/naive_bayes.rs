//! Multinomial and Complement Naive Bayes (as scikit-learn's
//! `MultinomialNB` and `ComplementNB`), and NB-SVM log-count ratios.

use serde::{Deserialize, Serialize};

use super::loss::softmax;
use super::sparse::{CsrView, Real};
use super::targets::Targets;
use crate::error::{Error, Result};
use crate::parallel;

/// Which Naive Bayes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NbKind {
    Multinomial,
    /// Complement NB (Rennie et al. 2003); `norm` is the second
    /// normalisation of the weights.
    Complement {
        norm: bool,
    },
}

/// A fitted Naive Bayes model. Counts are kept so `partial_fit` can add to
/// them; log-probabilities are derived from the counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NaiveBayes {
    pub kind: NbKind,
    pub alpha: f64,
    pub fit_prior: bool,
    pub n_features: usize,
    pub n_classes: usize,
    pub class_count: Vec<f64>,
    /// `feature_count[j * n_classes + k]`.
    pub feature_count: Vec<f64>,
    pub class_log_prior: Vec<f64>,
    /// Feature-major like the counts.
    pub feature_log_prob: Vec<f64>,
}

fn check_non_negative<T: Real>(x: &CsrView<'_, T>, who: &str) -> Result<()> {
    for i in 0..x.n_rows {
        let (cols, vals) = x.row(i);
        if let Some(p) = vals.iter().position(|v| v.f64() < 0.0) {
            return Err(Error::InvalidInput(format!(
                "{who} needs non-negative features (counts or TF-IDF); X row {i}, column {} is {}",
                cols[p],
                vals[p].f64()
            )));
        }
    }
    Ok(())
}

impl NaiveBayes {
    /// Check that the arrays have the sizes `n_features` and `n_classes`
    /// imply (after loading a model file).
    pub fn check_sizes(&self) -> Result<()> {
        let fk = self.n_features.checked_mul(self.n_classes);
        if self.n_classes == 0
            || self.class_count.len() != self.n_classes
            || self.class_log_prior.len() != self.n_classes
            || fk != Some(self.feature_count.len())
            || fk != Some(self.feature_log_prob.len())
        {
            return Err(Error::ModelFormat(format!(
                "naive Bayes: the arrays do not match {} features x {} classes",
                self.n_features, self.n_classes
            )));
        }
        Ok(())
    }

    pub fn new(
        kind: NbKind,
        alpha: f64,
        fit_prior: bool,
        n_features: usize,
        n_classes: usize,
    ) -> Result<Self> {
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(Error::param(
                "alpha",
                format!("{alpha} must be a positive finite number"),
            ));
        }
        if n_classes < 2 {
            return Err(Error::InvalidInput(format!(
                "need samples of at least 2 classes to fit a classifier; got {n_classes}"
            )));
        }
        Ok(Self {
            kind,
            alpha,
            fit_prior,
            n_features,
            n_classes,
            class_count: vec![0.0; n_classes],
            feature_count: vec![0.0; n_features * n_classes],
            class_log_prior: vec![0.0; n_classes],
            feature_log_prob: vec![0.0; n_features * n_classes],
        })
    }

    /// Add the counts of `x` (one class per row in `y`, weights `sw`).
    pub fn partial_fit<T: Real>(
        &mut self,
        x: &CsrView<'_, T>,
        y: &[u32],
        sw: &[f64],
    ) -> Result<()> {
        let who = match self.kind {
            NbKind::Multinomial => "MultinomialNB",
            NbKind::Complement { .. } => "ComplementNB",
        };
        if x.n_cols != self.n_features {
            return Err(Error::InvalidInput(format!(
                "X has {} features, but the model has {}",
                x.n_cols, self.n_features
            )));
        }
        if y.len() != x.n_rows || sw.len() != x.n_rows {
            return Err(Error::InvalidInput(format!(
                "X has {} rows but y has {} and sample_weight {}",
                x.n_rows,
                y.len(),
                sw.len()
            )));
        }
        Targets::Classes {
            y,
            n_classes: self.n_classes,
        }
        .check()?;
        if let Some(i) = sw.iter().position(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::InvalidInput(format!(
                "sample_weight[{i}] = {} is not a finite non-negative number",
                sw[i]
            )));
        }
        check_non_negative(x, who)?;
        let k = self.n_classes;
        for i in 0..x.n_rows {
            let c = y[i] as usize;
            let s = sw[i];
            self.class_count[c] += s;
            let (cols, vals) = x.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                self.feature_count[j as usize * k + c] += s * v.f64();
            }
        }
        self.update();
        Ok(())
    }

    fn update(&mut self) {
        let (k, d, a) = (self.n_classes, self.n_features, self.alpha);
        let total: f64 = self.class_count.iter().sum();
        for c in 0..k {
            self.class_log_prior[c] = if self.fit_prior && total > 0.0 {
                (self.class_count[c] / total).ln()
            } else {
                -(k as f64).ln()
            };
        }
        match self.kind {
            NbKind::Multinomial => {
                let mut sums = vec![a * d as f64; k];
                for row in self.feature_count.chunks_exact(k) {
                    sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
                }
                for (j, row) in self.feature_count.chunks_exact(k).enumerate() {
                    for c in 0..k {
                        self.feature_log_prob[j * k + c] = (row[c] + a).ln() - sums[c].ln();
                    }
                }
            }
            NbKind::Complement { norm } => {
                let mut comp = vec![0.0; d * k];
                let mut sums = vec![0.0; k];
                for (j, row) in self.feature_count.chunks_exact(k).enumerate() {
                    let all: f64 = row.iter().sum();
                    for c in 0..k {
                        let v = all - row[c] + a;
                        comp[j * k + c] = v;
                        sums[c] += v;
                    }
                }
                let mut norms = vec![0.0; k];
                for j in 0..d {
                    for c in 0..k {
                        let l = (comp[j * k + c] / sums[c]).ln();
                        comp[j * k + c] = l;
                        norms[c] += l;
                    }
                }
                for j in 0..d {
                    for c in 0..k {
                        let l = comp[j * k + c];
                        self.feature_log_prob[j * k + c] = if norm { l / norms[c] } else { -l };
                    }
                }
            }
        }
    }

    /// Joint log-likelihoods, `n_rows * n_classes`.
    pub fn joint_log_likelihood<T: Real>(
        &self,
        x: &CsrView<'_, T>,
        threads: usize,
    ) -> Result<Vec<f64>> {
        if x.n_cols != self.n_features {
            return Err(Error::InvalidInput(format!(
                "X has {} features, but the model was fitted with {}",
                x.n_cols, self.n_features
            )));
        }
        let k = self.n_classes;
        // Complement NB ignores the prior with 2+ classes, as scikit-learn does
        let prior = match self.kind {
            NbKind::Multinomial => self.class_log_prior.clone(),
            NbKind::Complement { .. } => vec![0.0; k],
        };
        let n = x.n_rows;
        let parts = parallel::map_ranges(threads, n, parallel::transform_parts(threads, n), |r| {
            let mut out = vec![0.0; r.len() * k];
            for (o, i) in r.enumerate() {
                let z = &mut out[o * k..(o + 1) * k];
                z.copy_from_slice(&prior);
                let (cols, vals) = x.row(i);
                for (&j, &v) in cols.iter().zip(vals) {
                    let base = j as usize * k;
                    let v = v.f64();
                    z.iter_mut()
                        .zip(&self.feature_log_prob[base..base + k])
                        .for_each(|(a, b)| *a += v * b);
                }
            }
            out
        })?;
        Ok(parts.concat())
    }

    /// Class probabilities from joint log-likelihoods (in place).
    pub fn proba(&self, jll: &mut [f64]) {
        for row in jll.chunks_exact_mut(self.n_classes) {
            softmax(row);
        }
    }
}

/// NB-SVM log-count ratios (Wang & Manning 2012) per output, feature-major
/// `n_features * n_outputs`: `r = log((p / |p|₁) / (q / |q|₁))` with
/// `p = α + Σ_{positive rows} x` and `q = α + Σ_{negative rows} x`.
pub fn log_count_ratio<T: Real>(
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    alpha: f64,
) -> Result<Vec<f64>> {
    check_non_negative(x, "NB scaling")?;
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(Error::param(
            "nb_alpha",
            format!("{alpha} must be positive"),
        ));
    }
    let k = targets.n_outputs();
    let d = x.n_cols;
    let mut pos = vec![0.0; d * k];
    let mut all = vec![0.0; d];
    for i in 0..x.n_rows {
        let (cols, vals) = x.row(i);
        for o in 0..k {
            if targets.is_pos(i, o) {
                for (&j, &v) in cols.iter().zip(vals) {
                    pos[j as usize * k + o] += v.f64();
                }
            }
        }
        for (&j, &v) in cols.iter().zip(vals) {
            all[j as usize] += v.f64();
        }
    }
    let mut psum = vec![alpha * d as f64; k];
    let mut qsum = vec![alpha * d as f64; k];
    for j in 0..d {
        for o in 0..k {
            psum[o] += pos[j * k + o];
            qsum[o] += all[j] - pos[j * k + o];
        }
    }
    let mut r = vec![0.0; d * k];
    for j in 0..d {
        for o in 0..k {
            let p = (pos[j * k + o] + alpha) / psum[o];
            let q = (all[j] - pos[j * k + o] + alpha) / qsum[o];
            r[j * k + o] = (p / q).ln();
        }
    }
    Ok(r)
}
