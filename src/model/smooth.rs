//! Fitting the smooth losses (log, modified Huber; multinomial or
//! one-vs-rest) with L-BFGS: the objective and its gradient, and the fit
//! that turns the optimum into a [`LinearModel`]. See [`super::linear`] for
//! the objective's definition and the determinism rules it follows.

use super::lbfgs::{self, Stop};
use super::linear::{
    finish_weights, pmap, scores_row, LinearConfig, LinearModel, ProbaKind, Scale, CHUNK,
};
use super::loss::{softmax_loss, Loss};
use super::progress::Tracker;
use super::sparse::{Csc, CsrView, Real};
use super::targets::Targets;

/// The smooth objective for L-BFGS, scaled by `1 / (C Σ s)` so that `tol`
/// means the same thing for any data size.
pub(crate) struct Objective<'a, T> {
    pub(crate) x: CsrView<'a, T>,
    pub(crate) csc: Csc,
    pub(crate) targets: &'a Targets<'a>,
    pub(crate) sw: &'a [f64],
    pub(crate) sw_sum: f64,
    pub(crate) c: f64,
    pub(crate) loss: Loss,
    pub(crate) multinomial: bool,
    pub(crate) k: usize,
    pub(crate) fit_intercept: bool,
    pub(crate) scale: Scale<'a>,
    pub(crate) par: bool,
}

impl<T: Real> Objective<'_, T> {
    pub(crate) fn eval(&self, theta: &[f64], grad: &mut [f64]) -> f64 {
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

#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_lbfgs<T: Real>(
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
