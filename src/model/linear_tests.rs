//! Tests of [`super`] (the linear models and their solvers), kept in their
//! own file so the module stays readable.

use super::*;
use crate::model::smooth::Objective;
use crate::model::sparse::OwnedCsr;
use crate::model::sparse::{Csc, Rng};

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
    let m = LinearModel::fit_observed(cfg, x, t, sw, None, threads, Some(&mut hook)).unwrap();
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
        let e = LinearModel::fit_observed(&cfg, &x, &t, &sw, None, 2, Some(&mut hook)).unwrap_err();
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

/// An L1 part (`l1_ratio`, SGD only) makes weights of the noise features
/// exactly zero while the model stays accurate; the batch solvers refuse
/// it, and `partial_fit` checks the ratio it is given.
#[test]
fn l1_penalty_makes_sgd_weights_sparse() {
    let (x, y) = toy(600, 3);
    let x = x.view();
    let t = Targets::Classes {
        y: &y,
        n_classes: 3,
    };
    let sw = vec![1.0; 600];
    let cfg = |l1_ratio| LinearConfig {
        loss: Loss::Hinge,
        solver: Solver::Sgd,
        multinomial: false,
        alpha: 0.1,
        max_iter: 30,
        l1_ratio,
        ..LinearConfig::default()
    };
    let fit = |l1_ratio| LinearModel::fit(&cfg(l1_ratio), &x, &t, &sw, None, 1).unwrap();
    // coef is feature-major: weight (feature j, class o) at j * 3 + o;
    // features 9..15 are noise (18 weights)
    let noise_zeros = |m: &LinearModel| m.coef[27..45].iter().filter(|&&w| w == 0.0).count();
    let (l2, en, l1) = (fit(0.0), fit(0.5), fit(1.0));
    assert_eq!(noise_zeros(&l2), 0);
    assert!(noise_zeros(&en) >= 5, "elastic net: {}", noise_zeros(&en));
    assert!(noise_zeros(&l1) >= 8, "L1: {}", noise_zeros(&l1));
    assert!(noise_zeros(&l1) >= noise_zeros(&en));
    for m in [&l2, &en, &l1] {
        assert!(accuracy(m, &x, &y) > 0.9);
    }
    let batch = LinearConfig {
        l1_ratio: 0.5,
        ..LinearConfig::default()
    };
    let e = LinearModel::fit(&batch, &x, &t, &sw, None, 1).unwrap_err();
    assert!(e.to_string().contains("solver"), "{e}");
    let mut m = LinearModel::start_sgd(&cfg(0.0), 15, &t).unwrap();
    assert!(m.partial_fit(&x, &t, &sw, 1.5).is_err());
    m.partial_fit(&x, &t, &sw, 1.0).unwrap();
    assert!(m.coef.iter().any(|&w| w != 0.0));
}
