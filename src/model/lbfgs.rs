//! Limited-memory BFGS for the smooth objectives (log loss, squared hinge,
//! modified Huber). Deterministic: no randomness, and every objective
//! evaluation it calls is itself thread-count independent.

use std::ops::ControlFlow;

/// Why the solver stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The gradient's largest component fell below `tol`.
    Converged,
    /// The objective stopped decreasing (within float precision).
    Stalled,
    /// `max_iter` iterations ran.
    MaxIter,
    /// The observer asked to stop (the result is not a solution).
    Interrupted,
}

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub x: Vec<f64>,
    pub f: f64,
    pub n_iter: usize,
    pub stop: Stop,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn inf_norm(a: &[f64]) -> f64 {
    a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Minimise `f` from `x0`. `f(x, grad)` returns the objective and writes
/// the gradient. `m` is the history length.
pub fn minimize<F>(f: F, x0: Vec<f64>, m: usize, max_iter: usize, tol: f64) -> Outcome
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    minimize_observed(f, x0, m, max_iter, tol, || ControlFlow::Continue(()))
}

/// [`minimize`], calling `on_iter` after each completed iteration (a
/// progress count); `Break` stops with [`Stop::Interrupted`]. It cannot
/// change the iterates.
pub fn minimize_observed<F, O>(
    mut f: F,
    x0: Vec<f64>,
    m: usize,
    max_iter: usize,
    tol: f64,
    mut on_iter: O,
) -> Outcome
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
    O: FnMut() -> ControlFlow<()>,
{
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut rho: Vec<f64> = Vec::with_capacity(m);
    let mut d = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut alpha = vec![0.0; m];
    for it in 0..max_iter {
        if inf_norm(&g) <= tol {
            return Outcome {
                x,
                f: fx,
                n_iter: it,
                stop: Stop::Converged,
            };
        }
        // two-loop recursion: d = -H g
        d.copy_from_slice(&g);
        for k in (0..s_hist.len()).rev() {
            alpha[k] = rho[k] * dot(&s_hist[k], &d);
            for (di, yi) in d.iter_mut().zip(&y_hist[k]) {
                *di -= alpha[k] * yi;
            }
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / inf_norm(&g).max(1e-300).max(dot(&g, &g).sqrt()),
        };
        for di in d.iter_mut() {
            *di *= gamma;
        }
        for k in 0..s_hist.len() {
            let b = rho[k] * dot(&y_hist[k], &d);
            for (di, si) in d.iter_mut().zip(&s_hist[k]) {
                *di += si * (alpha[k] - b);
            }
        }
        for di in d.iter_mut() {
            *di = -*di;
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // not a descent direction (numerical trouble): restart from -g
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let scale = 1.0 / dot(&g, &g).sqrt().max(1e-300);
            for (di, gi) in d.iter_mut().zip(&g) {
                *di = -gi * scale;
            }
            slope = dot(&g, &d);
        }
        // backtracking line search on the Armijo condition
        let mut step = 1.0;
        let mut f_new;
        let mut tries = 0;
        loop {
            for ((xn, xi), di) in x_new.iter_mut().zip(&x).zip(&d) {
                *xn = xi + step * di;
            }
            f_new = f(&x_new, &mut g_new);
            if f_new <= fx + 1e-4 * step * slope || tries >= 40 {
                break;
            }
            step *= if tries == 0 { 0.1 } else { 0.5 };
            tries += 1;
        }
        // NaN or an increase: give up and keep the last good point
        if f_new.is_nan() || f_new > fx {
            return Outcome {
                x,
                f: fx,
                n_iter: it,
                stop: Stop::Stalled,
            };
        }
        let mut s: Vec<f64> = if s_hist.len() == m {
            s_hist.remove(0)
        } else {
            vec![0.0; n]
        };
        let mut y: Vec<f64> = if y_hist.len() == m {
            rho.remove(0);
            y_hist.remove(0)
        } else {
            vec![0.0; n]
        };
        for i in 0..n {
            s[i] = x_new[i] - x[i];
            y[i] = g_new[i] - g[i];
        }
        let sy = dot(&s, &y);
        // keep the pair only when it carries positive curvature
        if sy > 1e-12 * dot(&y, &y).max(1e-300).sqrt() * dot(&s, &s).sqrt() {
            rho.push(1.0 / sy);
            s_hist.push(s);
            y_hist.push(y);
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let decrease = fx - f_new;
        fx = f_new;
        if on_iter().is_break() {
            return Outcome {
                x,
                f: fx,
                n_iter: it + 1,
                stop: Stop::Interrupted,
            };
        }
        if decrease <= 1e-15 * fx.abs().max(1.0) {
            return Outcome {
                x,
                f: fx,
                n_iter: it + 1,
                stop: Stop::Stalled,
            };
        }
    }
    let stop = if inf_norm(&g) <= tol {
        Stop::Converged
    } else {
        Stop::MaxIter
    };
    Outcome {
        x,
        f: fx,
        n_iter: max_iter,
        stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_rosenbrock() {
        let out = minimize(
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            vec![-1.2, 1.0],
            10,
            500,
            1e-8,
        );
        assert_ne!(out.stop, Stop::MaxIter);
        assert!((out.x[0] - 1.0).abs() < 1e-5 && (out.x[1] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn minimises_a_quadratic_exactly() {
        let out = minimize(
            |x, g| {
                let mut f = 0.0;
                for i in 0..x.len() {
                    let w = (i + 1) as f64;
                    g[i] = w * (x[i] - 3.0);
                    f += 0.5 * w * (x[i] - 3.0).powi(2);
                }
                f
            },
            vec![0.0; 20],
            5,
            200,
            1e-10,
        );
        assert!(out.x.iter().all(|v| (v - 3.0).abs() < 1e-6), "{:?}", out);
    }
}
