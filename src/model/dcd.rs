//! Dual coordinate descent for the hinge and squared hinge losses, as in
//! liblinear (and so scikit-learn's `LinearSVC`), with shrinking: one
//! problem per class, solved in groups that share each pass over a row.

use super::linear::{finish_weights, pmap, LinearConfig, LinearModel, ProbaKind, Scale};
use super::loss::Loss;
use super::progress::Tracker;
use super::sparse::{CsrView, Real, Rng};
use super::targets::Targets;

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
pub(crate) fn dcd_groups(k: usize) -> Vec<Vec<usize>> {
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
