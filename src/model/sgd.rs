//! Mini-batch AdaGrad for the linear models: `fit(solver="sgd")` and
//! `partial_fit`.
//!
//! Objective per sample: `L(z) + α/2 ‖W‖²`. Each mini-batch averages the
//! gradients of its rows and takes one AdaGrad step (per-coordinate step
//! `η₀ / √(Σ g²)`). The L2 term is applied to the coordinates a batch
//! touches — the usual lazy treatment for sparse data (as in libFFM and
//! Vowpal Wabbit), which keeps a step proportional to the batch's non-zeros
//! rather than to the model size; and only to weights that have a loss
//! gradient in the batch (a class whose rows are all past the margin of a
//! margin loss takes no step), which makes margin losses several times
//! faster once most rows are classified with room to spare. Batches are processed in a fixed order on
//! one thread, so a seed gives one model, whatever `n_jobs` says.

use serde::{Deserialize, Serialize};

use super::linear::{
    check_fit_inputs, finish_weights, scores_row, LinearConfig, LinearModel, ProbaKind, Scale,
};
use super::loss::{softmax_loss, Loss};
use super::progress::Tracker;
use super::sparse::{CsrView, Real, Rng};
use super::targets::Targets;
use crate::error::{Error, Result};

/// Everything `partial_fit` needs to continue training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SgdState {
    pub n_features: usize,
    pub k: usize,
    pub multinomial: bool,
    pub loss: Loss,
    pub alpha: f64,
    pub eta0: f64,
    pub batch_size: usize,
    pub fit_intercept: bool,
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    acc_w: Vec<f64>,
    acc_b: Vec<f64>,
    rng: Rng,
    /// Samples seen so far.
    pub t: u64,
    /// Whether `w` and `acc_w` live in memory advised for huge pages (see
    /// `crate::hugepages`): true when made here, false when loaded (not
    /// serialised, so the file format is unchanged).
    #[serde(skip)]
    advised: bool,
    /// The L1 share of `alpha` (elastic net). Not serialised, so the file
    /// format is unchanged: a fit sets it from its configuration and each
    /// `partial_fit` call from the caller's (see `LinearModel::partial_fit`).
    #[serde(skip)]
    pub l1_ratio: f64,
}

struct Scratch {
    /// The batch's gradient, `k` values per touched feature, in the order
    /// features were first touched: compact, so it stays in cache (a dense
    /// `d * k` array is one more random access per non-zero).
    g: Vec<f64>,
    gb: Vec<f64>,
    /// Feature -> its slot in `g` (`u32::MAX`: not touched in this batch).
    slot: Vec<u32>,
    touched: Vec<usize>,
    z: Vec<f64>,
    dz: Vec<f64>,
}

impl SgdState {
    /// Whether the arrays have the sizes `n_features` and `k` imply (checked
    /// when a model file is loaded, before anything indexes them).
    pub fn sizes_agree(&self) -> bool {
        let dk = self.n_features.checked_mul(self.k);
        dk == Some(self.w.len())
            && dk == Some(self.acc_w.len())
            && self.b.len() == self.k
            && self.acc_b.len() == self.k
    }

    pub fn new(cfg: &LinearConfig, d: usize, k: usize, multinomial: bool) -> Self {
        Self {
            n_features: d,
            k,
            multinomial,
            loss: cfg.loss,
            alpha: cfg.alpha,
            eta0: cfg.eta0,
            batch_size: cfg.batch_size,
            fit_intercept: cfg.fit_intercept,
            w: crate::hugepages::zeroed_f64(d * k),
            b: vec![0.0; k],
            acc_w: crate::hugepages::zeroed_f64(d * k),
            acc_b: vec![0.0; k],
            rng: Rng::new(cfg.random_state),
            t: 0,
            advised: true,
            l1_ratio: cfg.l1_ratio,
        }
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            g: Vec::new(),
            gb: vec![0.0; self.k],
            slot: vec![u32::MAX; self.n_features],
            touched: Vec::new(),
            z: vec![0.0; self.k],
            dz: vec![0.0; self.k],
        }
    }

    /// Loss derivatives of row `i` into `s.dz`; returns the row's loss.
    fn row_grad<T: Real>(
        &self,
        x: &CsrView<'_, T>,
        i: usize,
        targets: &Targets<'_>,
        scale: Scale<'_>,
        s: &mut Scratch,
    ) -> f64 {
        let (cols, vals) = x.row(i);
        scores_row(cols, vals, &self.w, &self.b, scale, &mut s.z);
        if self.multinomial {
            softmax_loss(&s.z, targets.class(i), &mut s.dz)
        } else {
            let mut l = 0.0;
            for o in 0..self.k {
                let y = if targets.is_pos(i, o) { 1.0 } else { -1.0 };
                let (lo, d) = self.loss.binary(s.z[o], y);
                l += lo;
                s.dz[o] = d;
            }
            l
        }
    }

    fn step<T: Real>(
        &mut self,
        x: &CsrView<'_, T>,
        rows: &[usize],
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        s: &mut Scratch,
    ) -> f64 {
        let k = self.k;
        let mut loss = 0.0;
        for &i in rows {
            let l = self.row_grad(x, i, targets, scale, s);
            let wi = sw[i];
            loss += wi * l;
            // Margin losses (hinge, squared hinge, modified Huber) have no
            // gradient for rows past the margin — once training gets going,
            // most (row, class) pairs: skip them outright.
            if wi == 0.0 || s.dz.iter().all(|&d| d == 0.0) {
                continue;
            }
            let (cols, vals) = x.row(i);
            for (&c, &v) in cols.iter().zip(vals) {
                let j = c as usize;
                if s.slot[j] == u32::MAX {
                    s.slot[j] = s.touched.len() as u32;
                    s.touched.push(j);
                    s.g.resize(s.g.len() + k, 0.0);
                }
                let at = s.slot[j] as usize * k;
                let v = wi * v.f64();
                for o in 0..k {
                    if s.dz[o] != 0.0 {
                        let r = scale.map_or(1.0, |r| r[j * k + o]);
                        s.g[at + o] += v * r * s.dz[o];
                    }
                }
            }
            for o in 0..k {
                s.gb[o] += wi * s.dz[o];
            }
        }
        let inv = 1.0 / rows.len() as f64;
        let l2 = self.alpha * (1.0 - self.l1_ratio);
        let l1 = self.alpha * self.l1_ratio;
        for (sl, &j) in s.touched.iter().enumerate() {
            s.slot[j] = u32::MAX;
            for o in 0..k {
                // Only weights with a loss gradient in this batch step (L2
                // included): an AdaGrad step costs a square root, and a
                // weight whose class had no gradient would only decay.
                let gv = s.g[sl * k + o];
                if gv == 0.0 {
                    continue;
                }
                let p = j * k + o;
                let g = gv * inv + l2 * self.w[p];
                adagrad(&mut self.w[p], &mut self.acc_w[p], g, self.eta0);
                if l1 > 0.0 {
                    // The L1 part as a proximal step (AdaGrad's composite
                    // mirror descent, Duchi et al. 2011): shrink towards
                    // zero by this weight's own step size times the L1
                    // strength, stopping at zero, so that weights of
                    // features that do not help become exactly zero.
                    let step = self.eta0 / (self.acc_w[p].sqrt() + 1e-10);
                    let w = self.w[p];
                    self.w[p] = w.signum() * (w.abs() - step * l1).max(0.0);
                }
            }
        }
        s.touched.clear();
        s.g.clear();
        for o in 0..k {
            let g = s.gb[o] * inv;
            s.gb[o] = 0.0;
            if self.fit_intercept {
                adagrad(&mut self.b[o], &mut self.acc_b[o], g, self.eta0);
            }
        }
        self.t += rows.len() as u64;
        loss
    }

    fn epoch<T: Real>(
        &mut self,
        x: &CsrView<'_, T>,
        rows: &[usize],
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        s: &mut Scratch,
    ) -> f64 {
        let mut loss = 0.0;
        for batch in rows.chunks(self.batch_size) {
            loss += self.step(x, batch, targets, sw, scale, s);
        }
        loss
    }

    /// Weighted share of correct decisions on `rows` (early stopping).
    fn score<T: Real>(
        &self,
        x: &CsrView<'_, T>,
        rows: &[usize],
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        s: &mut Scratch,
    ) -> f64 {
        let (mut good, mut total) = (0.0, 0.0);
        for &i in rows {
            let (cols, vals) = x.row(i);
            scores_row(cols, vals, &self.w, &self.b, scale, &mut s.z);
            let w = sw[i];
            total += w;
            match targets {
                Targets::Classes { n_classes: 2, .. } => {
                    good += w * f64::from(u8::from((s.z[0] > 0.0) == targets.is_pos(i, 0)));
                }
                Targets::Classes { .. } => {
                    let best = argmax(&s.z);
                    good += w * f64::from(u8::from(best == targets.class(i)));
                }
                Targets::MultiLabel { .. } => {
                    let right = (0..self.k)
                        .filter(|&o| (s.z[o] > 0.0) == targets.is_pos(i, o))
                        .count();
                    good += w * right as f64 / self.k as f64;
                }
            }
        }
        if total > 0.0 {
            good / total
        } else {
            0.0
        }
    }

    /// Train for up to `max_iter` epochs. Returns (epochs, converged).
    pub fn fit<T: Real>(
        &mut self,
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
    ) -> Result<(usize, bool)> {
        self.fit_tracked(cfg, x, targets, sw, scale, &Tracker::silent())
    }

    /// [`SgdState::fit`], ticking `tracker` once per epoch (and stopping
    /// when it says so).
    pub(crate) fn fit_tracked<T: Real>(
        &mut self,
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        tracker: &Tracker,
    ) -> Result<(usize, bool)> {
        let mut rows: Vec<usize> = (0..x.n_rows).collect();
        let mut val: Vec<usize> = Vec::new();
        if cfg.early_stopping {
            self.rng.shuffle(&mut rows);
            let n_val = ((x.n_rows as f64) * cfg.validation_fraction).round() as usize;
            if n_val == 0 || n_val >= x.n_rows {
                return Err(Error::InvalidInput(format!(
                    "early stopping: validation_fraction={} of {} samples leaves no validation \
                     or no training rows",
                    cfg.validation_fraction, x.n_rows
                )));
            }
            val = rows.split_off(x.n_rows - n_val);
        }
        let mut s = self.scratch();
        let mut best = f64::INFINITY;
        let mut best_state: Option<(Vec<f64>, Vec<f64>)> = None;
        let mut stale = 0;
        for epoch in 0..cfg.max_iter {
            self.rng.shuffle(&mut rows);
            let loss = self.epoch(x, &rows, targets, sw, scale, &mut s);
            // lower is better for both criteria
            let crit = if cfg.early_stopping {
                -self.score(x, &val, targets, sw, scale, &mut s)
            } else {
                loss / rows.len().max(1) as f64
            };
            if crit < best - cfg.tol {
                stale = 0;
                if cfg.early_stopping {
                    best_state = Some((self.w.clone(), self.b.clone()));
                }
            } else {
                stale += 1;
            }
            best = best.min(crit);
            if tracker.tick().is_break() {
                return Ok((epoch + 1, false)); // discarded by the caller
            }
            if stale >= cfg.n_iter_no_change {
                if let Some((w, b)) = best_state {
                    self.w = w; // a plain copy: re-advised if training goes on
                    self.b = b;
                    self.advised = false;
                }
                return Ok((epoch + 1, true));
            }
        }
        Ok((cfg.max_iter, false))
    }

    /// One pass over `x` (shuffled with the stored generator).
    pub fn partial_fit<T: Real>(
        &mut self,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
    ) -> Result<()> {
        check_fit_inputs(x, targets, sw)?;
        if x.n_cols != self.n_features || targets.n_outputs() != self.k {
            return Err(Error::InvalidInput(format!(
                "partial_fit: X has {} features and {} outputs; the model has {} and {}",
                x.n_cols,
                targets.n_outputs(),
                self.n_features,
                self.k
            )));
        }
        if !self.advised {
            // weights loaded from a file or a pickle: one copy, then every
            // later call runs on huge pages
            self.w = crate::hugepages::rehomed(&self.w);
            self.acc_w = crate::hugepages::rehomed(&self.acc_w);
            self.advised = true;
        }
        let mut rows: Vec<usize> = (0..x.n_rows).collect();
        self.rng.shuffle(&mut rows);
        let mut s = self.scratch();
        self.epoch(x, &rows, targets, sw, None, &mut s);
        Ok(())
    }

    /// The current weights as a model.
    pub fn to_model(&self, loss: Loss, multilabel: bool, scale: Scale<'_>) -> LinearModel {
        let coef = finish_weights(&self.w, scale);
        LinearModel {
            n_features: self.n_features,
            n_outputs: self.k,
            multilabel,
            loss,
            multinomial: self.multinomial,
            coef,
            intercept: self.b.clone(),
            proba: ProbaKind::Unavailable,
            n_iter: 0,
            converged: false,
            sgd: None,
        }
    }
}

/// One AdaGrad step on a weight with gradient `g`: the step shrinks with
/// the weight's accumulated squared gradients.
#[inline]
fn adagrad(w: &mut f64, acc: &mut f64, g: f64, eta0: f64) {
    *acc += g * g;
    *w -= eta0 * g / (acc.sqrt() + 1e-10);
}

pub(crate) fn argmax(z: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in z.iter().enumerate() {
        if v > z[best] {
            best = i;
        }
    }
    best
}
