//! Linear classifiers trained on CSR matrices.
//!
//! * `Solver::Lbfgs` — deterministic L-BFGS on the regularised objective
//!   `½‖W‖² + C Σᵢ sᵢ L(zᵢ)` (scikit-learn's `LogisticRegression` objective;
//!   the intercept is not penalised). Multinomial (softmax) for log loss, or
//!   one-vs-rest for any smooth loss, optimised jointly since the objective
//!   separates by class (in `super::smooth`).
//! * `Solver::Dcd` — dual coordinate descent for hinge and squared hinge, as
//!   in liblinear (and so scikit-learn's `LinearSVC`), with shrinking; the
//!   intercept is a regularised constant feature of value
//!   `intercept_scaling`. One problem per class, run in parallel (in
//!   `super::dcd`).
//! * `Solver::Sgd` — mini-batch AdaGrad (see [`super::sgd`]), for
//!   `partial_fit` and data that does not fit at once.
//!
//! Weights are stored feature-major (`coef[j * n_outputs + k]`) so a
//! document's scores are one short axpy per non-zero, and rounded to `f32`
//! at the end of training, so a model predicts the same before and after a
//! save/load round trip. Results never depend on the number of threads:
//! rows and columns are processed in fixed chunks reduced in order.
//!
//! [`LinearModel::fit_observed`] reports solver passes to a progress
//! observer (see [`super::progress`]); the model does not depend on it.
//!
//! This module holds the model, its fit dispatch and parameter averaging.
//! The options and their validation are in `linear_config` (re-exported
//! here, so [`LinearConfig`] and [`Solver`] keep their paths), and
//! prediction and probabilities in `linear_predict`; the tests are in
//! `linear_tests.rs`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::dcd::dcd_groups;
pub(crate) use super::dcd::{fit_dcd, Duals};
pub use super::linear_config::{LinearConfig, Solver};
use super::loss::Loss;
use super::progress::{self, Observer, Tracker};
use super::sgd::SgdState;
use super::smooth::fit_lbfgs;
use super::sparse::{CsrView, Real};
use super::targets::Targets;
use crate::error::{Error, Result};
use crate::parallel;

/// Rows (and columns) per parallel chunk: fixed, so sums are reduced in the
/// same order whatever the thread count.
pub(crate) const CHUNK: usize = 1024;

/// How decision values become probabilities.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ProbaKind {
    Softmax,
    Sigmoid,
    ModifiedHuber,
    /// Platt's sigmoid `1 / (1 + exp(a z + b))` per output, fitted on
    /// cross-validated decision values.
    Platt(Vec<(f64, f64)>),
    Unavailable,
}

/// A fitted linear model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearModel {
    pub n_features: usize,
    /// 1 for binary problems, else one per class or label.
    pub n_outputs: usize,
    pub multilabel: bool,
    pub loss: Loss,
    pub multinomial: bool,
    /// Feature-major weights: `coef[j * n_outputs + k]`.
    pub coef: Vec<f32>,
    pub intercept: Vec<f64>,
    pub proba: ProbaKind,
    pub n_iter: usize,
    pub converged: bool,
    /// Solver state kept for `partial_fit` (SGD only).
    pub sgd: Option<SgdState>,
}

/// Per-class feature scales (`n_features * n_outputs`, feature-major), such
/// as NB-SVM log-count ratios: the model is trained on `x_j * r_jk` and the
/// stored weights are multiplied back, so prediction needs no scaling.
pub type Scale<'a> = Option<&'a [f64]>;

pub(crate) fn pmap<R: Send>(par: bool, n: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    if par {
        (0..n).into_par_iter().map(f).collect()
    } else {
        (0..n).map(f).collect()
    }
}

/// Row scores `z = b + Σ x_j (w_j ∘ r_j)` for one row, into `z`.
#[inline]
pub(crate) fn scores_row<T: Real>(
    cols: &[i32],
    vals: &[T],
    w: &[f64],
    b: &[f64],
    scale: Scale<'_>,
    z: &mut [f64],
) {
    let k = z.len();
    z.copy_from_slice(b);
    for (&c, &v) in cols.iter().zip(vals) {
        let base = c as usize * k;
        let v = v.f64();
        let wj = &w[base..base + k];
        match scale {
            None => z.iter_mut().zip(wj).for_each(|(zi, wi)| *zi += v * wi),
            Some(r) => {
                let rj = &r[base..base + k];
                for ((zi, wi), ri) in z.iter_mut().zip(wj).zip(rj) {
                    *zi += v * wi * ri;
                }
            }
        }
    }
}

/// Parameter averaging of models trained on disjoint parts of one dataset
/// (the distributed fit of `khabar.dask`): the weighted mean of weights,
/// intercepts and Platt parameters. All models must share features,
/// outputs and loss. The average of convex-loss solutions is not the
/// solution on the union, but close to it when parts are large and
/// similarly distributed.
pub fn average(models: &[&LinearModel], weights: &[f64]) -> Result<LinearModel> {
    let first = *models
        .first()
        .ok_or_else(|| Error::InvalidInput("no models to average".into()))?;
    if weights.len() != models.len() {
        return Err(Error::InvalidInput(format!(
            "{} models but {} weights",
            models.len(),
            weights.len()
        )));
    }
    let total: f64 = weights.iter().sum();
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || total <= 0.0 {
        return Err(Error::param(
            "weights",
            "must be non-negative with a positive sum",
        ));
    }
    for m in models {
        if m.n_features != first.n_features
            || m.n_outputs != first.n_outputs
            || m.loss != first.loss
            || m.multinomial != first.multinomial
            || m.multilabel != first.multilabel
        {
            return Err(Error::InvalidInput(
                "models to average differ in features, outputs or loss".into(),
            ));
        }
    }
    let mut coef = vec![0f64; first.coef.len()];
    let mut intercept = vec![0f64; first.intercept.len()];
    let mut platt = vec![(0f64, 0f64); first.n_outputs];
    let mut all_platt = true;
    for (m, &w) in models.iter().zip(weights) {
        let w = w / total;
        coef.iter_mut()
            .zip(&m.coef)
            .for_each(|(a, &c)| *a += w * f64::from(c));
        intercept
            .iter_mut()
            .zip(&m.intercept)
            .for_each(|(a, &b)| *a += w * b);
        match &m.proba {
            ProbaKind::Platt(p) if p.len() == platt.len() => {
                platt
                    .iter_mut()
                    .zip(p)
                    .for_each(|(acc, &(a, b))| *acc = (acc.0 + w * a, acc.1 + w * b));
            }
            _ => all_platt = false,
        }
    }
    let proba = if all_platt {
        ProbaKind::Platt(platt)
    } else if models
        .iter()
        .all(|m| std::mem::discriminant(&m.proba) == std::mem::discriminant(&first.proba))
    {
        first.proba.clone()
    } else {
        ProbaKind::Unavailable
    };
    Ok(LinearModel {
        n_features: first.n_features,
        n_outputs: first.n_outputs,
        multilabel: first.multilabel,
        loss: first.loss,
        multinomial: first.multinomial,
        coef: coef.into_iter().map(|c| c as f32).collect(),
        intercept,
        proba,
        n_iter: models.iter().map(|m| m.n_iter).max().unwrap_or(0),
        converged: models.iter().all(|m| m.converged),
        sgd: None,
    })
}

impl LinearModel {
    /// Fit on `x` with `targets`, per-row weights `sw` (class and sample
    /// weights already multiplied), optional per-class feature `scale`.
    pub fn fit<T: Real>(
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        threads: usize,
    ) -> Result<Self> {
        Self::fit_tracked(cfg, x, targets, sw, scale, threads, &Tracker::silent())
    }

    /// [`LinearModel::fit`], calling `on_step` (if any) on this thread as
    /// solver passes complete (a progress bar's hook). `Break` stops
    /// training and the fit returns [`Error::Interrupted`]; otherwise the
    /// model is the same as `fit`'s.
    pub fn fit_observed<T: Real>(
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        threads: usize,
        on_step: Option<Observer<'_>>,
    ) -> Result<Self> {
        let budget = fit_budget(cfg, targets.n_outputs());
        progress::observe(budget, on_step, |tracker| {
            Self::fit_tracked(cfg, x, targets, sw, scale, threads, tracker)
        })
    }

    /// [`LinearModel::fit`] as one part of a tracked fit, budgeted
    /// [`fit_budget`] passes.
    pub(crate) fn fit_tracked<T: Real>(
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        threads: usize,
        tracker: &Tracker,
    ) -> Result<Self> {
        tracker.part(fit_budget(cfg, targets.n_outputs()), || {
            Self::fit_inner(cfg, x, targets, sw, scale, threads, tracker)
        })
    }

    /// The body of [`LinearModel::fit_tracked`]: validate, then solve.
    fn fit_inner<T: Real>(
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        threads: usize,
        tracker: &Tracker,
    ) -> Result<Self> {
        cfg.validate()?;
        check_fit_inputs(x, targets, sw)?;
        let k = targets.n_outputs();
        if let Some(s) = scale {
            if s.len() != x.n_cols * k || s.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidInput(
                    "feature scale must be finite with n_features * n_outputs values".into(),
                ));
            }
        }
        let multinomial = cfg.multinomial && k > 1 && !targets.is_multilabel();
        let mut model = match cfg.solver {
            Solver::Lbfgs => parallel::install(threads, || {
                fit_lbfgs(
                    cfg,
                    x,
                    targets,
                    sw,
                    scale,
                    multinomial,
                    threads > 1,
                    tracker,
                )
            })?,
            Solver::Dcd => parallel::install(threads, || {
                fit_dcd(cfg, x, targets, sw, scale, threads > 1, None, tracker).0
            })?,
            Solver::Sgd => {
                let mut state = SgdState::new(cfg, x.n_cols, k, multinomial);
                let (n_iter, converged) = state.fit_tracked(cfg, x, targets, sw, scale, tracker)?;
                let mut m = state.to_model(cfg.loss, targets.is_multilabel(), scale);
                m.n_iter = n_iter;
                m.converged = converged;
                // NB-scaled weights cannot continue under partial_fit,
                // which sees unscaled rows
                m.sgd = scale.is_none().then_some(state);
                m
            }
        };
        model.proba = default_proba(cfg.loss, model.multinomial);
        Ok(model)
    }

    /// A model with zero weights and SGD state, for a first `partial_fit`.
    pub fn start_sgd(cfg: &LinearConfig, n_features: usize, targets: &Targets<'_>) -> Result<Self> {
        cfg.validate()?;
        targets.check()?;
        let k = targets.n_outputs();
        let multinomial = cfg.multinomial && k > 1 && !targets.is_multilabel();
        let state = SgdState::new(cfg, n_features, k, multinomial);
        let mut m = state.to_model(cfg.loss, targets.is_multilabel(), None);
        m.proba = default_proba(cfg.loss, multinomial);
        m.sgd = Some(state);
        Ok(m)
    }

    /// One more SGD pass over `x` (the model must come from the SGD solver),
    /// with `l1_ratio` the L1 share of the penalty (see
    /// [`LinearConfig::l1_ratio`]). It is given each call rather than saved
    /// in the SGD state, which keeps the model format unchanged; the Python
    /// estimator passes its own parameter, which model files do keep.
    pub fn partial_fit<T: Real>(
        &mut self,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        l1_ratio: f64,
    ) -> Result<()> {
        if !(0.0..=1.0).contains(&l1_ratio) {
            return Err(Error::param(
                "l1_ratio",
                format!("{l1_ratio} must be in [0, 1]"),
            ));
        }
        if targets.is_multilabel() != self.multilabel {
            return Err(Error::InvalidInput(
                "partial_fit: y switches between single-label and multi-label".into(),
            ));
        }
        let Some(state) = self.sgd.as_mut() else {
            return Err(Error::InvalidInput(
                "partial_fit needs a model trained with solver=\"sgd\" and no NB scaling".into(),
            ));
        };
        state.l1_ratio = l1_ratio;
        state.partial_fit(x, targets, sw)?;
        // In place: a fresh copy per call (tens of MB for 2**20 features x
        // 9 classes) cost a page fault per 4 kB and a tenth of a stream's
        // partial_fit time.
        finish_weights_into(&state.w, None, &mut self.coef);
        self.intercept.clone_from(&state.b);
        self.n_iter += 1;
        Ok(())
    }
}

/// The most solver passes one fit can take, the unit of progress:
/// `max_iter` L-BFGS iterations (one problem, all classes) or SGD epochs,
/// or `max_iter` DCD passes for each group of classes.
pub(crate) fn fit_budget(cfg: &LinearConfig, n_outputs: usize) -> usize {
    match cfg.solver {
        Solver::Dcd => dcd_groups(n_outputs).len().saturating_mul(cfg.max_iter),
        Solver::Lbfgs | Solver::Sgd => cfg.max_iter,
    }
}

fn default_proba(loss: Loss, multinomial: bool) -> ProbaKind {
    match loss {
        Loss::Log if multinomial => ProbaKind::Softmax,
        Loss::Log => ProbaKind::Sigmoid,
        Loss::ModifiedHuber => ProbaKind::ModifiedHuber,
        Loss::Hinge | Loss::SquaredHinge => ProbaKind::Unavailable,
    }
}

pub(crate) fn check_fit_inputs<T: Real>(
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
) -> Result<()> {
    if x.n_rows == 0 {
        return Err(Error::InvalidInput(
            "cannot fit on 0 samples; X is empty".into(),
        ));
    }
    targets.check()?;
    if targets.n_rows() != x.n_rows || sw.len() != x.n_rows {
        return Err(Error::InvalidInput(format!(
            "X has {} rows but y has {} and sample_weight {}",
            x.n_rows,
            targets.n_rows(),
            sw.len()
        )));
    }
    if x.n_cols == 0 {
        return Err(Error::InvalidInput("X has 0 features".into()));
    }
    if let Some(i) = sw.iter().position(|w| !w.is_finite() || *w < 0.0) {
        return Err(Error::InvalidInput(format!(
            "sample_weight[{i}] = {} is not a finite non-negative number",
            sw[i]
        )));
    }
    if sw.iter().sum::<f64>() <= 0.0 {
        return Err(Error::InvalidInput(
            "sample weights sum to zero; nothing to learn from".into(),
        ));
    }
    Ok(())
}

/// Round to the stored precision and multiply back any feature scale.
pub(crate) fn finish_weights(w: &[f64], scale: Scale<'_>) -> Vec<f32> {
    let mut out = Vec::with_capacity(w.len());
    finish_weights_into(w, scale, &mut out);
    out
}

/// [`finish_weights`] into `out`, reusing its allocation.
pub(crate) fn finish_weights_into(w: &[f64], scale: Scale<'_>, out: &mut Vec<f32>) {
    out.clear();
    match scale {
        None => out.extend(w.iter().map(|&v| v as f32)),
        Some(r) => out.extend(w.iter().zip(r).map(|(&v, &s)| (v * s) as f32)),
    }
}

#[cfg(test)]
#[path = "linear_tests.rs"]
pub(crate) mod tests;
