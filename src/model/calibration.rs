//! Platt scaling: probabilities for the hinge losses from cross-validated
//! decision values (Platt 1999, with the numerically careful Newton method
//! of Lin, Lin & Weng 2007, as libsvm does).

use super::linear::{
    check_fit_inputs, fit_budget, fit_dcd, Duals, LinearConfig, LinearModel, ProbaKind, Scale,
    Solver,
};
use super::progress::{self, Observer, Tracker};
use super::sparse::{CsrView, Real, Rng};
use super::targets::Targets;
use crate::error::Result;
use crate::parallel;

/// Fit `P(y=1 | z) = 1 / (1 + exp(a z + b))` to decision values `z` with
/// targets `y`. Returns `(a, b)`.
pub fn platt(z: &[f64], y: &[bool]) -> (f64, f64) {
    let prior1 = y.iter().filter(|&&v| v).count() as f64;
    let prior0 = y.len() as f64 - prior1;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = y.iter().map(|&v| if v { hi } else { lo }).collect();
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let objective = |a: f64, b: f64| -> f64 {
        z.iter()
            .zip(&t)
            .map(|(&zi, &ti)| {
                let f = zi * a + b;
                if f >= 0.0 {
                    ti * f + (-f).exp().ln_1p()
                } else {
                    (ti - 1.0) * f + f.exp().ln_1p()
                }
            })
            .sum()
    };
    let mut fval = objective(a, b);
    let sigma = 1e-12;
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
        for (&zi, &ti) in z.iter().zip(&t) {
            let f = zi * a + b;
            let (p, q) = if f >= 0.0 {
                let e = (-f).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = f.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += zi * zi * d2;
            h22 += d2;
            h21 += zi * d2;
            let d1 = ti - p;
            g1 += zi * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        let mut moved = false;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = objective(na, nb);
            if nf < fval + 1e-4 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                moved = true;
                break;
            }
            step /= 2.0;
        }
        if !moved {
            break;
        }
    }
    (a, b)
}

/// Owned copy of a subset of targets.
enum OwnedTargets {
    Classes(Vec<u32>, usize),
    Multi(Vec<i64>, Vec<u32>, usize),
}

impl OwnedTargets {
    fn subset(t: &Targets<'_>, rows: &[usize]) -> Self {
        match t {
            Targets::Classes { y, n_classes } => {
                OwnedTargets::Classes(rows.iter().map(|&i| y[i]).collect(), *n_classes)
            }
            Targets::MultiLabel {
                indptr,
                labels,
                n_labels,
            } => {
                let mut ip = vec![0i64];
                let mut ls = Vec::new();
                for &i in rows {
                    ls.extend_from_slice(&labels[indptr[i] as usize..indptr[i + 1] as usize]);
                    ip.push(ls.len() as i64);
                }
                OwnedTargets::Multi(ip, ls, *n_labels)
            }
        }
    }

    fn view(&self) -> Targets<'_> {
        match self {
            OwnedTargets::Classes(y, n) => Targets::Classes { y, n_classes: *n },
            OwnedTargets::Multi(ip, ls, n) => Targets::MultiLabel {
                indptr: ip,
                labels: ls,
                n_labels: *n,
            },
        }
    }
}

/// Fit a model and calibrate its probabilities with Platt sigmoids on
/// `folds`-fold cross-validated decision values. With the DCD solver the
/// fold models start from the full model's dual values restricted to their
/// rows (a feasible point near their optimum) and stop at a looser
/// tolerance, so calibration costs about one more fit, not `folds`.
pub fn fit_calibrated<T: Real>(
    cfg: &LinearConfig,
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
    scale: Scale<'_>,
    folds: usize,
    threads: usize,
) -> Result<LinearModel> {
    let silent = Tracker::silent();
    fit_calibrated_tracked(cfg, x, targets, sw, scale, folds, threads, &silent)
}

/// [`fit_calibrated`], calling `on_step` (if any) on this thread as solver passes
/// complete; the budget is one fit plus one per fold (see
/// [`super::progress`]). `Break` stops training with
/// [`crate::Error::Interrupted`]; otherwise the model is the same.
#[allow(clippy::too_many_arguments)]
pub fn fit_calibrated_observed<T: Real>(
    cfg: &LinearConfig,
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
    scale: Scale<'_>,
    folds: usize,
    threads: usize,
    on_step: Option<Observer<'_>>,
) -> Result<LinearModel> {
    let per_fit = fit_budget(cfg, targets.n_outputs());
    let total = per_fit.saturating_mul(n_folds(folds, x.n_rows).saturating_add(1));
    progress::observe(total, on_step, |tracker| {
        fit_calibrated_tracked(cfg, x, targets, sw, scale, folds, threads, tracker)
    })
}

/// The folds actually used for `n` rows.
fn n_folds(folds: usize, n: usize) -> usize {
    folds.clamp(2, n.max(2))
}

#[allow(clippy::too_many_arguments)]
fn fit_calibrated_tracked<T: Real>(
    cfg: &LinearConfig,
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
    scale: Scale<'_>,
    folds: usize,
    threads: usize,
    tracker: &Tracker,
) -> Result<LinearModel> {
    let per_fit = fit_budget(cfg, targets.n_outputs());
    let folds_budget = per_fit.saturating_mul(n_folds(folds, x.n_rows));
    if cfg.solver != Solver::Dcd {
        let mut model = LinearModel::fit_tracked(cfg, x, targets, sw, scale, threads, tracker)?;
        // losses with their own probabilities give up the folds' budget
        tracker.part(folds_budget, || {
            if model.has_proba() {
                return Ok(());
            }
            calibrate(
                &mut model, cfg, x, targets, sw, scale, folds, threads, None, tracker,
            )
        })?;
        return Ok(model);
    }
    let (mut model, duals) = tracker.part(per_fit, || {
        cfg.validate()?;
        check_fit_inputs(x, targets, sw)?;
        parallel::install(threads, || {
            fit_dcd(cfg, x, targets, sw, scale, threads > 1, None, tracker)
        })
    })?;
    tracker.part(folds_budget, || {
        calibrate(
            &mut model,
            cfg,
            x,
            targets,
            sw,
            scale,
            folds,
            threads,
            Some(&duals),
            tracker,
        )
    })?;
    Ok(model)
}

/// Stopping tolerance of the warm-started fold models: the sigmoid fit
/// needs their decision values, not a tight optimum.
const FOLD_TOL: f64 = 0.1;

/// Fit Platt sigmoids on `folds`-fold cross-validated decision values and
/// attach them to `model` (trained on all the data beforehand).
#[allow(clippy::too_many_arguments)]
fn calibrate<T: Real>(
    model: &mut LinearModel,
    cfg: &LinearConfig,
    x: &CsrView<'_, T>,
    targets: &Targets<'_>,
    sw: &[f64],
    scale: Scale<'_>,
    folds: usize,
    threads: usize,
    duals: Option<&Duals>,
    tracker: &Tracker,
) -> Result<()> {
    let n = x.n_rows;
    let k = model.n_outputs;
    let mut order: Vec<usize> = (0..n).collect();
    Rng::new(cfg.random_state ^ 0xCA11_B8A7).shuffle(&mut order);
    let folds = n_folds(folds, n);
    let per_fit = fit_budget(cfg, targets.n_outputs());
    let mut z = vec![0.0; n * k];
    for f in 0..folds {
        if tracker.check().is_break() {
            return Ok(()); // the caller discards the model
        }
        // each fold is one fit's budget, given up if the fold is skipped
        tracker.part(per_fit, || -> Result<()> {
            let held: Vec<usize> = order.iter().copied().skip(f).step_by(folds).collect();
            let mut is_held = vec![false; n];
            held.iter().for_each(|&i| is_held[i] = true);
            let train: Vec<usize> = (0..n).filter(|&i| !is_held[i]).collect();
            if train.is_empty() || held.is_empty() {
                return Ok(());
            }
            let xt = x.select(&train);
            let tt = OwnedTargets::subset(targets, &train);
            let swt: Vec<f64> = train.iter().map(|&i| sw[i]).collect();
            let (xv, tv) = (xt.view(), tt.view());
            let m = if let Some(duals) = duals {
                let init: Duals = duals
                    .iter()
                    .map(|a| train.iter().map(|&i| a[i]).collect())
                    .collect();
                let loose = LinearConfig {
                    tol: cfg.tol.max(FOLD_TOL),
                    ..cfg.clone()
                };
                parallel::install(threads, || {
                    fit_dcd(
                        &loose,
                        &xv,
                        &tv,
                        &swt,
                        scale,
                        threads > 1,
                        Some(&init),
                        tracker,
                    )
                    .0
                })?
            } else {
                match LinearModel::fit_tracked(cfg, &xv, &tv, &swt, scale, threads, tracker) {
                    Ok(m) => m,
                    // a fold without some class cannot train; fall back to
                    // the full model's (optimistic) decision values for its
                    // rows
                    Err(_) => model.clone(),
                }
            };
            let xh = x.select(&held);
            let zh = m.decision(&xh.view(), threads)?;
            for (r, &i) in held.iter().enumerate() {
                z[i * k..(i + 1) * k].copy_from_slice(&zh[r * k..(r + 1) * k]);
            }
            Ok(())
        })?;
    }
    let params = (0..k)
        .map(|o| {
            let zo: Vec<f64> = (0..n).map(|i| z[i * k + o]).collect();
            let yo: Vec<bool> = (0..n).map(|i| targets.is_pos(i, o)).collect();
            platt(&zo, &yo)
        })
        .collect();
    model.proba = ProbaKind::Platt(params);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::linear::tests::check_steps;
    use crate::model::Loss;

    #[test]
    fn observed_calibrated_fits_count_every_fold_and_change_nothing() {
        // three classes, class c on features 3c..3c+3, with noise
        let mut rng = Rng::new(9);
        let (mut indptr, mut indices, mut data, mut y) = (vec![0i64], vec![], vec![], vec![]);
        for i in 0..240 {
            let c = (i % 3) as u32;
            let mut row: Vec<i32> = (0..3).map(|f| 3 * c as i32 + f).collect();
            row.push(9 + rng.below(6) as i32);
            if rng.below(4) == 0 {
                row.push(3 * ((c as i32 + 1) % 3));
            }
            row.sort_unstable();
            row.dedup();
            data.extend(row.iter().map(|_| 1.0f64));
            indices.extend(row);
            indptr.push(indices.len() as i64);
            y.push(c);
        }
        let x = CsrView::new(&indptr, &indices, &data, 15).unwrap();
        let t = Targets::Classes {
            y: &y,
            n_classes: 3,
        };
        let sw = vec![1.0; 240];
        for (loss, solver) in [
            (Loss::SquaredHinge, Solver::Dcd),
            (Loss::SquaredHinge, Solver::Lbfgs),
            (Loss::Hinge, Solver::Sgd),
            (Loss::Log, Solver::Lbfgs), // has probabilities: no folds run
        ] {
            let cfg = LinearConfig {
                loss,
                solver,
                multinomial: false,
                max_iter: 300,
                ..LinearConfig::default()
            };
            let plain = fit_calibrated(&cfg, &x, &t, &sw, None, 3, 1).unwrap();
            for threads in [1, 2] {
                let mut steps = Vec::new();
                let mut hook = |s| {
                    steps.push(s);
                    std::ops::ControlFlow::Continue(())
                };
                let m =
                    fit_calibrated_observed(&cfg, &x, &t, &sw, None, 3, threads, Some(&mut hook))
                        .unwrap();
                assert_eq!(m.coef, plain.coef, "{loss:?} {solver:?}");
                assert_eq!(format!("{:?}", m.proba), format!("{:?}", plain.proba));
                check_steps(&steps, 4 * fit_budget(&cfg, 3));
            }
        }
    }

    #[test]
    fn platt_recovers_a_logistic_relation() {
        // labels drawn from P(y=1|z) = sigmoid(2z - 1), deterministic grid
        let mut z = Vec::new();
        let mut y = Vec::new();
        let mut rng = Rng::new(3);
        for i in 0..4000 {
            let zi = (i as f64 / 4000.0) * 6.0 - 3.0;
            let p = 1.0 / (1.0 + (-(2.0 * zi - 1.0)).exp());
            let u = rng.next_u64() as f64 / u64::MAX as f64;
            z.push(zi);
            y.push(u < p);
        }
        let (a, b) = platt(&z, &y);
        assert!((a + 2.0).abs() < 0.25, "a = {a}");
        assert!((b - 1.0).abs() < 0.25, "b = {b}");
    }
}
