//! Linear classifiers trained on CSR matrices.
//!
//! * `Solver::Lbfgs` — deterministic L-BFGS on the regularised objective
//!   `½‖W‖² + C Σᵢ sᵢ L(zᵢ)` (scikit-learn's `LogisticRegression` objective;
//!   the intercept is not penalised). Multinomial (softmax) for log loss, or
//!   one-vs-rest for any smooth loss, optimised jointly since the objective
//!   separates by class.
//! * `Solver::Dcd` — dual coordinate descent for hinge and squared hinge, as
//!   in liblinear (and so scikit-learn's `LinearSVC`), with shrinking; the
//!   intercept is a regularised constant feature of value
//!   `intercept_scaling`. One problem per class, run in parallel.
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

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::lbfgs::{self, Stop};
use super::loss::{normalize_sum, sigmoid, softmax, softmax_loss, Loss};
use super::progress::{self, Observer, Tracker};
use super::sgd::SgdState;
use super::sparse::{Col, Csc, CsrView, Real, Rng};
use super::targets::Targets;
use crate::error::{Error, Result};
use crate::parallel;

/// Rows (and columns) per parallel chunk: fixed, so sums are reduced in the
/// same order whatever the thread count.
const CHUNK: usize = 1024;

/// The training algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Solver {
    Lbfgs,
    Dcd,
    Sgd,
}

impl Solver {
    /// `"auto"` picks L-BFGS for log and modified Huber, dual coordinate
    /// descent for the hinge losses.
    pub fn parse(s: &str, loss: Loss) -> Result<Self> {
        Ok(match s {
            "auto" => match loss {
                Loss::Hinge | Loss::SquaredHinge => Solver::Dcd,
                _ => Solver::Lbfgs,
            },
            "lbfgs" => {
                if !loss.smooth() {
                    return Err(Error::param(
                        "solver",
                        "\"lbfgs\" needs a smooth loss; hinge loss uses \"dcd\" or \"sgd\"",
                    ));
                }
                Solver::Lbfgs
            }
            "dcd" => {
                if !matches!(loss, Loss::Hinge | Loss::SquaredHinge) {
                    return Err(Error::param(
                        "solver",
                        "\"dcd\" solves the hinge and squared_hinge losses only",
                    ));
                }
                Solver::Dcd
            }
            "sgd" => Solver::Sgd,
            other => {
                return Err(Error::param(
                    "solver",
                    format!("{other:?} is not one of \"auto\", \"lbfgs\", \"dcd\", \"sgd\""),
                ))
            }
        })
    }
}

/// Options for [`LinearModel::fit`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearConfig {
    pub loss: Loss,
    /// Softmax over classes (log loss, 3+ classes) instead of one-vs-rest.
    pub multinomial: bool,
    pub solver: Solver,
    pub c: f64,
    pub fit_intercept: bool,
    pub intercept_scaling: f64,
    pub max_iter: usize,
    pub tol: f64,
    pub random_state: u64,
    /// SGD only: L2 strength per sample (`alpha`), base learning rate,
    /// mini-batch size, early stopping on a held-out fraction.
    pub alpha: f64,
    pub eta0: f64,
    pub batch_size: usize,
    pub early_stopping: bool,
    pub validation_fraction: f64,
    pub n_iter_no_change: usize,
}

impl Default for LinearConfig {
    fn default() -> Self {
        Self {
            loss: Loss::Log,
            multinomial: true,
            solver: Solver::Lbfgs,
            c: 1.0,
            fit_intercept: true,
            intercept_scaling: 1.0,
            max_iter: 100,
            tol: 1e-4,
            random_state: 0,
            alpha: 1e-5,
            eta0: 0.1,
            batch_size: 32,
            early_stopping: false,
            validation_fraction: 0.1,
            n_iter_no_change: 5,
        }
    }
}

impl LinearConfig {
    pub fn validate(&self) -> Result<()> {
        let pos = |name: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::param(
                    name,
                    format!("{v} must be a positive finite number"),
                ))
            }
        };
        pos("C", self.c)?;
        pos("tol", self.tol)?;
        pos("intercept_scaling", self.intercept_scaling)?;
        pos("eta0", self.eta0)?;
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::param(
                "alpha",
                format!("{} must be >= 0", self.alpha),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::param("max_iter", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::param("batch_size", "must be at least 1"));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(Error::param(
                "validation_fraction",
                format!("{} must be in (0, 1)", self.validation_fraction),
            ));
        }
        if self.n_iter_no_change == 0 {
            return Err(Error::param("n_iter_no_change", "must be at least 1"));
        }
        if self.multinomial && self.loss != Loss::Log {
            return Err(Error::param(
                "multi_class",
                format!("multinomial needs loss=\"log\", not {:?}", self.loss.name()),
            ));
        }
        Ok(())
    }
}

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

fn pmap<R: Send>(par: bool, n: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
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

/// The smooth objective for L-BFGS, scaled by `1 / (C Σ s)` so that `tol`
/// means the same thing for any data size.
struct Objective<'a, T> {
    x: CsrView<'a, T>,
    csc: Csc,
    targets: &'a Targets<'a>,
    sw: &'a [f64],
    sw_sum: f64,
    c: f64,
    loss: Loss,
    multinomial: bool,
    k: usize,
    fit_intercept: bool,
    scale: Scale<'a>,
    par: bool,
}

impl<T: Real> Objective<'_, T> {
    fn eval(&self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let (k, d, n) = (self.k, self.x.n_cols, self.x.n_rows);
        let (w, b) = theta.split_at(d * k);
        let zero = vec![0.0; k];
        let b = if self.fit_intercept { b } else { &zero[..] };
        let n_chunks = n.div_ceil(CHUNK);
        // per row: dL/dz * s_i / S, and the weighted loss
        let parts = pmap(self.par, n_chunks, |ci| {
            let rows = ci * CHUNK..((ci + 1) * CHUNK).min(n);
            let mut g = vec![0.0; rows.len() * k];
            let mut z = vec![0.0; k];
            let mut loss = 0.0;
            for (r, i) in rows.enumerate() {
                let (cols, vals) = self.x.row(i);
                scores_row(cols, vals, w, b, self.scale, &mut z);
                let s = self.sw[i] / self.sw_sum;
                let gi = &mut g[r * k..(r + 1) * k];
                if self.multinomial {
                    loss += s * softmax_loss(&z, self.targets.class(i), gi);
                    gi.iter_mut().for_each(|v| *v *= s);
                } else {
                    for (o, gv) in gi.iter_mut().enumerate() {
                        let y = if self.targets.is_pos(i, o) { 1.0 } else { -1.0 };
                        let (l, dl) = self.loss.binary(z[o], y);
                        loss += s * l;
                        *gv = s * dl;
                    }
                }
            }
            (loss, g)
        });
        let mut loss = 0.0;
        let mut g = Vec::with_capacity(n * k);
        for (l, part) in parts {
            loss += l;
            g.extend_from_slice(&part);
        }
        // gradient of the weights: column sums in row order, per chunk
        let lam = 1.0 / (self.c * self.sw_sum);
        let (gw, gb) = grad.split_at_mut(d * k);
        let col_chunks = d.div_ceil(CHUNK);
        let gparts = pmap(self.par, col_chunks, |ci| {
            let cols = ci * CHUNK..((ci + 1) * CHUNK).min(d);
            let mut out = vec![0.0; cols.len() * k];
            let mut reg = 0.0;
            for (r, j) in cols.enumerate() {
                let o = &mut out[r * k..(r + 1) * k];
                let (rows, vals) = self.csc.col(j);
                for (&i, &v) in rows.iter().zip(vals) {
                    let gi = &g[i as usize * k..(i as usize + 1) * k];
                    o.iter_mut().zip(gi).for_each(|(a, b)| *a += v * b);
                }
                if let Some(sc) = self.scale {
                    o.iter_mut()
                        .zip(&sc[j * k..(j + 1) * k])
                        .for_each(|(a, r)| *a *= r);
                }
                for (a, wv) in o.iter_mut().zip(&w[j * k..(j + 1) * k]) {
                    *a += lam * wv;
                    reg += wv * wv;
                }
            }
            (reg, out)
        });
        let mut reg = 0.0;
        let mut at = 0;
        for (r, part) in gparts {
            reg += r;
            gw[at..at + part.len()].copy_from_slice(&part);
            at += part.len();
        }
        gb.iter_mut().for_each(|v| *v = 0.0);
        if self.fit_intercept {
            for row in g.chunks_exact(k) {
                gb.iter_mut().zip(row).for_each(|(a, b)| *a += b);
            }
        }
        loss + 0.5 * lam * reg
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

    /// [`LinearModel::fit`], calling `on_step` on this thread as solver
    /// passes complete (a progress bar's hook). `Break` stops training and
    /// the fit returns [`Error::Interrupted`]; otherwise the model is the
    /// same as `fit`'s.
    pub fn fit_observed<T: Real>(
        cfg: &LinearConfig,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
        scale: Scale<'_>,
        threads: usize,
        on_step: Observer<'_>,
    ) -> Result<Self> {
        let budget = fit_budget(cfg, targets.n_outputs());
        progress::observe(budget, Some(on_step), |tracker| {
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

    /// One more SGD pass over `x` (the model must come from the SGD solver).
    pub fn partial_fit<T: Real>(
        &mut self,
        x: &CsrView<'_, T>,
        targets: &Targets<'_>,
        sw: &[f64],
    ) -> Result<()> {
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
        state.partial_fit(x, targets, sw)?;
        let m = state.to_model(self.loss, self.multilabel, None);
        self.coef = m.coef;
        self.intercept = m.intercept;
        self.n_iter += 1;
        Ok(())
    }

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
    match scale {
        None => w.iter().map(|&v| v as f32).collect(),
        Some(r) => w.iter().zip(r).map(|(&v, &s)| (v * s) as f32).collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_lbfgs<T: Real>(
    cfg: &LinearConfig,
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
    scale: Scale<'_>,
    multinomial: bool,
    par: bool,
    tracker: &Tracker,
) -> LinearModel {
    let k = targets.n_outputs();
    let d = x.n_cols;
    let obj = Objective {
        x: *x,
        csc: Csc::from_csr(x),
        targets,
        sw,
        sw_sum: sw.iter().sum(),
        c: cfg.c,
        loss: cfg.loss,
        multinomial,
        k,
        fit_intercept: cfg.fit_intercept,
        scale,
        par,
    };
    let out = lbfgs::minimize_observed(
        |t, g| obj.eval(t, g),
        vec![0.0; d * k + k],
        10,
        cfg.max_iter,
        cfg.tol,
        || tracker.tick(),
    );
    let (w, b) = out.x.split_at(d * k);
    LinearModel {
        n_features: d,
        n_outputs: k,
        multilabel: targets.is_multilabel(),
        loss: cfg.loss,
        multinomial,
        coef: finish_weights(w, scale),
        intercept: if cfg.fit_intercept {
            b.to_vec()
        } else {
            vec![0.0; k]
        },
        proba: ProbaKind::Unavailable,
        n_iter: out.n_iter,
        converged: out.stop != Stop::MaxIter,
        sgd: None,
    }
}

/// A group of one-vs-rest problems solved together by dual coordinate
/// descent (liblinear's algorithm, with shrinking). The problems are
/// independent, but sharing each pass over a row means one read of the row
/// and one cache line of weights per feature for the whole group (weights
/// are feature-major), instead of one random access per class; training is
/// memory-bound, so that is most of the cost. Each class keeps its own
/// shrinking state and stopping test.
struct DcdGroup<'a, T> {
    x: &'a CsrView<'a, T>,
    /// The outputs in this group.
    outputs: Vec<usize>,
    /// Targets in {-1, +1}, `n_rows * g`.
    y: Vec<f64>,
    /// Per-row `C * weight`.
    cw: Vec<f64>,
    squared: bool,
    bias: f64,
    /// Feature scales for the group, `n_features * g`, if any.
    scale: Option<Vec<f64>>,
}

/// Output of one group: weights `(n_features + 1) * g` (bias row last),
/// duals `n_rows * g`, iterations, and per-class convergence.
type GroupFit = (Vec<f64>, Vec<f64>, usize, Vec<bool>);

impl<T: Real> DcdGroup<'_, T> {
    fn solve(
        &self,
        init: Option<&Duals>,
        max_iter: usize,
        eps: f64,
        rng: &mut Rng,
        tracker: &Tracker,
    ) -> GroupFit {
        let n = self.x.n_rows;
        let d = self.x.n_cols;
        let g = self.outputs.len();
        let diag: Vec<f64> = self
            .cw
            .iter()
            .map(|&c| if self.squared { 0.5 / c } else { 0.0 })
            .collect();
        let upper: Vec<f64> = self
            .cw
            .iter()
            .map(|&c| if self.squared { f64::INFINITY } else { c })
            .collect();
        let mut w = vec![0.0; (d + 1) * g];
        let mut alpha = vec![0.0; n * g];
        let mut delta = vec![0.0; g];
        if let Some(a0) = init {
            for i in 0..n {
                if self.cw[i] <= 0.0 {
                    continue;
                }
                let mut any = false;
                for (q, &o) in self.outputs.iter().enumerate() {
                    let a = a0[o][i].min(upper[i]).max(0.0);
                    alpha[i * g + q] = a;
                    delta[q] = a * self.y[i * g + q];
                    any |= a > 0.0;
                }
                if any {
                    self.axpy(i, &delta, &mut w);
                }
            }
        }
        // ‖x_i‖² (per class when scaled) + bias²
        let qd: Vec<f64> = (0..n)
            .flat_map(|i| {
                let (cols, vals) = self.x.row(i);
                (0..g).map(move |q| {
                    let sq: f64 = match &self.scale {
                        None => vals.iter().map(|v| v.f64() * v.f64()).sum(),
                        Some(r) => cols
                            .iter()
                            .zip(vals)
                            .map(|(&c, &v)| {
                                let t = v.f64() * r[c as usize * g + q];
                                t * t
                            })
                            .sum(),
                    };
                    sq + self.bias * self.bias
                })
            })
            .collect();
        // rows with zero weight never move; leave them out
        let mut order: Vec<usize> = (0..n).filter(|&i| self.cw[i] > 0.0).collect();
        let mut shrunk = vec![false; n * g];
        let mut n_shrunk = vec![0usize; g];
        let mut live = vec![g; n]; // unshrunk classes per row
        let mut done = vec![false; g];
        let mut pg_max_old = vec![f64::INFINITY; g];
        let mut pg_min_old = vec![f64::NEG_INFINITY; g];
        let mut pg_max_new = vec![0.0; g];
        let mut pg_min_new = vec![0.0; g];
        let mut z = vec![0.0; g];
        let mut iter = 0;
        while iter < max_iter && done.iter().any(|d| !d) {
            pg_max_new.iter_mut().for_each(|v| *v = f64::NEG_INFINITY);
            pg_min_new.iter_mut().for_each(|v| *v = f64::INFINITY);
            rng.shuffle(&mut order);
            for &i in &order {
                if live[i] == 0 {
                    continue;
                }
                self.dots(i, &w, &mut z);
                let mut any = false;
                for q in 0..g {
                    delta[q] = 0.0;
                    let p = i * g + q;
                    if done[q] || shrunk[p] {
                        continue;
                    }
                    let yi = self.y[p];
                    let grad = yi * z[q] - 1.0 + alpha[p] * diag[i];
                    let mut pg = 0.0;
                    if alpha[p] == 0.0 {
                        if grad > pg_max_old[q] {
                            shrunk[p] = true;
                            n_shrunk[q] += 1;
                            live[i] -= 1;
                            continue;
                        } else if grad < 0.0 {
                            pg = grad;
                        }
                    } else if alpha[p] == upper[i] {
                        if grad < pg_min_old[q] {
                            shrunk[p] = true;
                            n_shrunk[q] += 1;
                            live[i] -= 1;
                            continue;
                        } else if grad > 0.0 {
                            pg = grad;
                        }
                    } else {
                        pg = grad;
                    }
                    pg_max_new[q] = f64::max(pg_max_new[q], pg);
                    pg_min_new[q] = f64::min(pg_min_new[q], pg);
                    let qdp = qd[p] + diag[i];
                    if pg.abs() > 1e-12 && qdp > 0.0 {
                        let old = alpha[p];
                        alpha[p] = (old - grad / qdp).clamp(0.0, upper[i]);
                        delta[q] = (alpha[p] - old) * yi;
                        any |= delta[q] != 0.0;
                    }
                }
                if any {
                    self.axpy(i, &delta, &mut w);
                }
            }
            iter += 1;
            for q in 0..g {
                if done[q] {
                    continue;
                }
                if pg_max_new[q] - pg_min_new[q] <= eps {
                    if n_shrunk[q] == 0 {
                        done[q] = true;
                        continue;
                    }
                    // converged on the active set: check every row again
                    for (i, row_live) in live.iter_mut().enumerate() {
                        let p = i * g + q;
                        if shrunk[p] {
                            shrunk[p] = false;
                            *row_live += 1;
                        }
                    }
                    n_shrunk[q] = 0;
                    pg_max_old[q] = f64::INFINITY;
                    pg_min_old[q] = f64::NEG_INFINITY;
                    continue;
                }
                pg_max_old[q] = if pg_max_new[q] <= 0.0 {
                    f64::INFINITY
                } else {
                    pg_max_new[q]
                };
                pg_min_old[q] = if pg_min_new[q] >= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    pg_min_new[q]
                };
            }
            if tracker.tick().is_break() {
                break; // the caller discards the result
            }
        }
        (w, alpha, iter, done)
    }

    /// Decision values of row `i` for the whole group.
    #[inline]
    fn dots(&self, i: usize, w: &[f64], z: &mut [f64]) {
        let g = z.len();
        let (cols, vals) = self.x.row(i);
        let d = self.x.n_cols;
        for (zq, wq) in z.iter_mut().zip(&w[d * g..]) {
            *zq = wq * self.bias;
        }
        match &self.scale {
            None => {
                for (&c, &v) in cols.iter().zip(vals) {
                    let base = c as usize * g;
                    let v = v.f64();
                    for (zq, wq) in z.iter_mut().zip(&w[base..base + g]) {
                        *zq += wq * v;
                    }
                }
            }
            Some(r) => {
                for (&c, &v) in cols.iter().zip(vals) {
                    let base = c as usize * g;
                    let v = v.f64();
                    let ws = &w[base..base + g];
                    for ((zq, wq), rq) in z.iter_mut().zip(ws).zip(&r[base..base + g]) {
                        *zq += wq * v * rq;
                    }
                }
            }
        }
    }

    /// `w += delta ⊗ x_i`, and the bias row.
    #[inline]
    fn axpy(&self, i: usize, delta: &[f64], w: &mut [f64]) {
        let g = delta.len();
        let (cols, vals) = self.x.row(i);
        let d = self.x.n_cols;
        match &self.scale {
            None => {
                for (&c, &v) in cols.iter().zip(vals) {
                    let base = c as usize * g;
                    let v = v.f64();
                    for (wq, dq) in w[base..base + g].iter_mut().zip(delta) {
                        *wq += dq * v;
                    }
                }
            }
            Some(r) => {
                for (&c, &v) in cols.iter().zip(vals) {
                    let base = c as usize * g;
                    let v = v.f64();
                    let rs = &r[base..base + g];
                    for ((wq, dq), rq) in w[base..base + g].iter_mut().zip(delta).zip(rs) {
                        *wq += dq * v * rq;
                    }
                }
            }
        }
        for (wq, dq) in w[d * g..].iter_mut().zip(delta) {
            *wq += dq * self.bias;
        }
    }
}

/// Dual values per output, for warm starts.
pub type Duals = Vec<Vec<f64>>;

/// How the outputs are grouped for DCD: at most 8 per group (8 doubles fill
/// a cache line) and at least two groups when there are two outputs or
/// more, so two threads have work. It depends only on the number of
/// outputs, never on `n_jobs`, so the model does not either.
fn dcd_groups(k: usize) -> Vec<Vec<usize>> {
    let n_groups = k.div_ceil(8).max(k.min(2)).max(1);
    crate::parallel::ranges(k, n_groups)
        .into_iter()
        .map(|r| r.collect())
        .collect()
}

/// Fit the hinge losses by DCD, groups of outputs in parallel; `init`
/// warm-starts each output's dual values (calibration folds start from the
/// full fit). Each group ticks `tracker` once per pass, from its own
/// thread.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_dcd<T: Real>(
    cfg: &LinearConfig,
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
    scale: Scale<'_>,
    par: bool,
    init: Option<&Duals>,
    tracker: &Tracker,
) -> (LinearModel, Duals) {
    let k = targets.n_outputs();
    let d = x.n_cols;
    let n = x.n_rows;
    let bias = if cfg.fit_intercept {
        cfg.intercept_scaling
    } else {
        0.0
    };
    let groups = dcd_groups(k);
    let results = pmap(par, groups.len(), |gi| {
        let outputs = groups[gi].clone();
        let g = outputs.len();
        let mut y = Vec::with_capacity(n * g);
        for i in 0..n {
            for &o in &outputs {
                y.push(if targets.is_pos(i, o) { 1.0 } else { -1.0 });
            }
        }
        let group = DcdGroup {
            x,
            y,
            cw: sw.iter().map(|s| s * cfg.c).collect(),
            squared: cfg.loss == Loss::SquaredHinge,
            bias,
            scale: scale.map(|r| {
                let mut out = Vec::with_capacity(d * g);
                for j in 0..d {
                    for &o in &outputs {
                        out.push(r[j * k + o]);
                    }
                }
                out
            }),
            outputs,
        };
        let mut rng = Rng::new(cfg.random_state.wrapping_add(gi as u64));
        let fit = group.solve(init, cfg.max_iter, cfg.tol, &mut rng, tracker);
        (group.outputs, fit)
    });
    let mut w = vec![0.0; d * k];
    let mut intercept = vec![0.0; k];
    let mut n_iter = 0;
    let mut converged = true;
    let mut duals = vec![Vec::new(); k];
    for (outputs, (wg, alpha, it, done)) in results {
        let g = outputs.len();
        for (q, &o) in outputs.iter().enumerate() {
            for j in 0..d {
                w[j * k + o] = wg[j * g + q];
            }
            intercept[o] = wg[d * g + q] * bias;
            duals[o] = (0..n).map(|i| alpha[i * g + q]).collect();
        }
        n_iter = n_iter.max(it);
        converged &= done.iter().all(|&v| v);
    }
    let model = LinearModel {
        n_features: d,
        n_outputs: k,
        multilabel: targets.is_multilabel(),
        loss: cfg.loss,
        multinomial: false,
        coef: finish_weights(&w, scale),
        intercept,
        proba: ProbaKind::Unavailable,
        n_iter,
        converged,
        sgd: None,
    };
    (model, duals)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::sparse::OwnedCsr;

    fn tiny(coef: Vec<f32>, intercept: Vec<f64>, proba: ProbaKind) -> LinearModel {
        LinearModel {
            n_features: 2,
            n_outputs: intercept.len(),
            multilabel: false,
            loss: Loss::SquaredHinge,
            multinomial: false,
            coef,
            intercept,
            proba,
            n_iter: 3,
            converged: true,
            sgd: None,
        }
    }

    #[test]
    fn average_is_the_weighted_mean_and_checks_shapes() {
        let a = tiny(
            vec![1.0, 0.0],
            vec![0.0],
            ProbaKind::Platt(vec![(-1.0, 0.0)]),
        );
        let b = tiny(
            vec![3.0, 4.0],
            vec![2.0],
            ProbaKind::Platt(vec![(-3.0, 1.0)]),
        );
        let m = average(&[&a, &b], &[1.0, 3.0]).unwrap();
        assert_eq!(m.coef, vec![2.5, 3.0]);
        assert_eq!(m.intercept, vec![1.5]);
        assert!(matches!(m.proba, ProbaKind::Platt(ref p) if p == &vec![(-2.5, 0.75)]));
        let c = tiny(vec![0.0; 4], vec![0.0, 0.0], ProbaKind::Unavailable);
        assert!(average(&[&a, &c], &[1.0, 1.0]).is_err());
        assert!(average(&[&a, &b], &[0.0, 0.0]).is_err());
        assert!(average(&[], &[]).is_err());
        let d = tiny(vec![1.0, 0.0], vec![0.0], ProbaKind::Unavailable);
        assert!(matches!(
            average(&[&a, &d], &[1.0, 1.0]).unwrap().proba,
            ProbaKind::Unavailable
        ));
    }

    /// A separable-ish 3-class problem: class c has features 3c..3c+3 plus
    /// shared noise features.
    fn toy(n: usize, seed: u64) -> (OwnedCsr<f64>, Vec<u32>) {
        let mut rng = Rng::new(seed);
        let (mut indptr, mut indices, mut data, mut y) = (vec![0i64], vec![], vec![], vec![]);
        for i in 0..n {
            let c = (i % 3) as u32;
            let mut row: Vec<(i32, f64)> = Vec::new();
            for f in 0..3 {
                if rng.below(3) > 0 {
                    row.push((3 * c as i32 + f, 1.0 + rng.below(3) as f64));
                }
            }
            for _ in 0..3 {
                row.push((9 + rng.below(6) as i32, 1.0));
            }
            if rng.below(5) == 0 {
                // label noise through a misleading feature
                row.push((3 * ((c as i32 + 1) % 3), 2.0));
            }
            row.sort_by_key(|p| p.0);
            row.dedup_by_key(|p| p.0);
            for (j, v) in row {
                indices.push(j);
                data.push(v);
            }
            indptr.push(indices.len() as i64);
            y.push(c);
        }
        (
            OwnedCsr {
                indptr,
                indices,
                data,
                n_cols: 15,
            },
            y,
        )
    }

    fn accuracy(m: &LinearModel, x: &CsrView<'_, f64>, y: &[u32]) -> f64 {
        let z = m.decision(x, 1).unwrap();
        let k = m.n_outputs;
        let right = (0..x.n_rows)
            .filter(|&i| crate::model::sgd::argmax(&z[i * k..(i + 1) * k]) == y[i] as usize)
            .count();
        right as f64 / x.n_rows as f64
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (x, y) = toy(60, 1);
        let x = x.view();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let sw: Vec<f64> = (0..60).map(|i| 1.0 + (i % 4) as f64).collect();
        let scale: Vec<f64> = (0..45).map(|i| 0.5 + (i % 5) as f64 * 0.3).collect();
        for (loss, multinomial, sc) in [
            (Loss::Log, true, None),
            (Loss::Log, false, Some(&scale[..])),
            (Loss::SquaredHinge, false, None),
            (Loss::ModifiedHuber, false, Some(&scale[..])),
        ] {
            let obj = Objective {
                x,
                csc: Csc::from_csr(&x),
                targets: &t,
                sw: &sw,
                sw_sum: sw.iter().sum(),
                c: 0.7,
                loss,
                multinomial,
                k: 3,
                fit_intercept: true,
                scale: sc,
                par: false,
            };
            let mut rng = Rng::new(5);
            let theta: Vec<f64> = (0..48)
                .map(|_| rng.below(1000) as f64 / 500.0 - 1.0)
                .collect();
            let mut g = vec![0.0; 48];
            obj.eval(&theta, &mut g);
            for p in [0, 7, 20, 44, 45, 47] {
                let h = 1e-6;
                let mut tp = theta.clone();
                tp[p] += h;
                let mut tm = theta.clone();
                tm[p] -= h;
                let mut scratch = vec![0.0; 48];
                let num = (obj.eval(&tp, &mut scratch) - obj.eval(&tm, &mut scratch)) / (2.0 * h);
                assert!(
                    (num - g[p]).abs() < 1e-6,
                    "{loss:?} param {p}: {num} vs {}",
                    g[p]
                );
            }
        }
    }

    #[test]
    fn every_solver_learns_and_ignores_thread_count() {
        let (x, y) = toy(300, 2);
        let x = x.view();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let sw = vec![1.0; 300];
        for (loss, solver, multinomial) in [
            (Loss::Log, Solver::Lbfgs, true),
            (Loss::Log, Solver::Lbfgs, false),
            (Loss::ModifiedHuber, Solver::Lbfgs, false),
            (Loss::Hinge, Solver::Dcd, false),
            (Loss::SquaredHinge, Solver::Dcd, false),
            (Loss::Log, Solver::Sgd, true),
            (Loss::Hinge, Solver::Sgd, false),
        ] {
            let cfg = LinearConfig {
                loss,
                solver,
                multinomial,
                max_iter: 200,
                ..LinearConfig::default()
            };
            let one = LinearModel::fit(&cfg, &x, &t, &sw, None, 1).unwrap();
            let two = LinearModel::fit(&cfg, &x, &t, &sw, None, 2).unwrap();
            assert_eq!(one.coef, two.coef, "{loss:?} {solver:?}");
            assert_eq!(one.intercept, two.intercept);
            let acc = accuracy(&one, &x, &y);
            assert!(acc > 0.8, "{loss:?} {solver:?}: accuracy {acc}");
        }
    }

    /// Every step a fit reports, and the model.
    fn observed_fit(
        cfg: &LinearConfig,
        x: &CsrView<'_, f64>,
        t: &Targets<'_>,
        sw: &[f64],
        threads: usize,
    ) -> (LinearModel, Vec<progress::Step>) {
        let mut steps = Vec::new();
        let mut hook = |s: progress::Step| {
            steps.push(s);
            std::ops::ControlFlow::Continue(())
        };
        let m = LinearModel::fit_observed(cfg, x, t, sw, None, threads, &mut hook).unwrap();
        (m, steps)
    }

    /// Counts start at 0 of the full budget, never go back, never pass the
    /// total, and end full.
    pub(crate) fn check_steps(steps: &[progress::Step], budget: usize) {
        assert_eq!(steps.first().map(|s| (s.done, s.total)), Some((0, budget)));
        assert!(steps
            .windows(2)
            .all(|w| w[0].done <= w[1].done && w[0].total >= w[1].total));
        assert!(steps.iter().all(|s| s.done <= s.total));
        let last = steps.last().unwrap();
        assert_eq!(last.done, last.total, "{steps:?}");
    }

    #[test]
    fn observed_fits_count_passes_and_change_nothing() {
        let (x, y) = toy(300, 2);
        let x = x.view();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let sw = vec![1.0; 300];
        for (loss, solver, multinomial, max_iter) in [
            (Loss::Log, Solver::Lbfgs, true, 200),
            (Loss::Log, Solver::Lbfgs, true, 3), // stops at max_iter
            (Loss::ModifiedHuber, Solver::Lbfgs, false, 200),
            (Loss::SquaredHinge, Solver::Dcd, false, 1000),
            (Loss::Hinge, Solver::Dcd, false, 4),
            (Loss::Hinge, Solver::Sgd, false, 50),
        ] {
            let cfg = LinearConfig {
                loss,
                solver,
                multinomial,
                max_iter,
                ..LinearConfig::default()
            };
            let plain = LinearModel::fit(&cfg, &x, &t, &sw, None, 1).unwrap();
            for threads in [1, 2] {
                let (m, steps) = observed_fit(&cfg, &x, &t, &sw, threads);
                assert_eq!(m.coef, plain.coef, "{loss:?} {solver:?} {threads}");
                assert_eq!(m.intercept, plain.intercept);
                assert_eq!(m.n_iter, plain.n_iter);
                check_steps(&steps, fit_budget(&cfg, 3));
                let done = steps.last().unwrap().done;
                // L-BFGS and SGD count their iterations; DCD its passes
                // summed over the class groups
                match solver {
                    Solver::Dcd => assert!(done >= m.n_iter && done <= 2 * m.n_iter),
                    _ => assert_eq!(done, m.n_iter, "{loss:?} {solver:?}"),
                }
            }
        }
    }

    #[test]
    fn an_observer_can_stop_a_fit() {
        let (x, y) = toy(300, 6);
        let x = x.view();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let sw = vec![1.0; 300];
        for solver in [Solver::Lbfgs, Solver::Dcd, Solver::Sgd] {
            let cfg = LinearConfig {
                loss: Loss::SquaredHinge,
                multinomial: false,
                solver,
                tol: 1e-12,
                max_iter: 100_000,
                ..LinearConfig::default()
            };
            let mut calls = 0;
            let mut hook = |s: progress::Step| {
                calls += 1;
                if s.done >= 2 {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            };
            let e = LinearModel::fit_observed(&cfg, &x, &t, &sw, None, 2, &mut hook).unwrap_err();
            assert!(matches!(e, Error::Interrupted), "{solver:?}: {e}");
            assert!(calls >= 2);
        }
    }

    #[test]
    fn squared_hinge_solvers_agree() {
        // DCD regularises the bias, L-BFGS does not; without an intercept
        // both solve the same problem.
        let (x, y) = toy(200, 3);
        let x = x.view();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let sw = vec![1.0; 200];
        let base = LinearConfig {
            loss: Loss::SquaredHinge,
            multinomial: false,
            fit_intercept: false,
            tol: 1e-8,
            max_iter: 2000,
            ..LinearConfig::default()
        };
        let a = LinearModel::fit(
            &LinearConfig {
                solver: Solver::Dcd,
                ..base.clone()
            },
            &x,
            &t,
            &sw,
            None,
            1,
        )
        .unwrap();
        let b = LinearModel::fit(
            &LinearConfig {
                solver: Solver::Lbfgs,
                ..base
            },
            &x,
            &t,
            &sw,
            None,
            1,
        )
        .unwrap();
        let diff = a
            .coef
            .iter()
            .zip(&b.coef)
            .fold(0f32, |m, (p, q)| m.max((p - q).abs()));
        assert!(diff < 1e-3, "max weight difference {diff}");
    }

    #[test]
    fn zero_weight_rows_are_ignored() {
        let (x, mut y) = toy(90, 4);
        let xv = x.view();
        let sw: Vec<f64> = (0..90).map(|i| if i < 60 { 1.0 } else { 0.0 }).collect();
        let cfg = LinearConfig::default();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let a = LinearModel::fit(&cfg, &xv, &t, &sw, None, 1).unwrap();
        // relabel the zero-weight rows: nothing changes
        for v in y.iter_mut().skip(60) {
            *v = (*v + 1) % 3;
        }
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let b = LinearModel::fit(&cfg, &xv, &t, &sw, None, 1).unwrap();
        assert_eq!(a.coef, b.coef);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, y) = toy(30, 5);
        let xv = x.view();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let cfg = LinearConfig::default();
        assert!(LinearModel::fit(&cfg, &xv, &t, &[1.0; 29], None, 1).is_err());
        let mut sw = vec![1.0; 30];
        sw[4] = f64::NAN;
        let e = LinearModel::fit(&cfg, &xv, &t, &sw, None, 1).unwrap_err();
        assert!(e.to_string().contains("sample_weight[4]"));
        let one = Targets::Classes {
            y: &y,
            n_classes: 1,
        };
        assert!(LinearModel::fit(&cfg, &xv, &one, &[1.0; 30], None, 1).is_err());
        let bad_c = LinearConfig {
            c: -1.0,
            ..LinearConfig::default()
        };
        assert!(LinearModel::fit(&bad_c, &xv, &t, &[1.0; 30], None, 1).is_err());
    }
}
