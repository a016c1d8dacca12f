//! Loss functions on decision values, and how each turns into probabilities.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A classification loss. Binary losses are applied one-vs-rest; `Log` can
/// also be multinomial (softmax).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    Log,
    Hinge,
    SquaredHinge,
    ModifiedHuber,
}

impl Loss {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "log" | "log_loss" => Loss::Log,
            "hinge" => Loss::Hinge,
            "squared_hinge" => Loss::SquaredHinge,
            "modified_huber" => Loss::ModifiedHuber,
            other => {
                return Err(Error::param(
                    "loss",
                    format!(
                        "{other:?} is not supported; use \"log\", \"hinge\", \"squared_hinge\" \
                         or \"modified_huber\""
                    ),
                ))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Loss::Log => "log",
            Loss::Hinge => "hinge",
            Loss::SquaredHinge => "squared_hinge",
            Loss::ModifiedHuber => "modified_huber",
        }
    }

    /// Whether the loss is differentiable (so L-BFGS applies).
    pub fn smooth(self) -> bool {
        !matches!(self, Loss::Hinge)
    }

    /// Binary loss and its derivative with respect to the decision value
    /// `z`, for a target `y` in {-1, +1}.
    #[inline]
    pub fn binary(self, z: f64, y: f64) -> (f64, f64) {
        let m = y * z;
        match self {
            Loss::Log => {
                // log(1 + e^-m), computed without overflow
                let (l, s) = if m > 0.0 {
                    let e = (-m).exp();
                    (e.ln_1p(), e / (1.0 + e))
                } else {
                    let e = m.exp();
                    (-m + e.ln_1p(), 1.0 / (1.0 + e))
                };
                (l, -y * s)
            }
            Loss::Hinge => {
                if m < 1.0 {
                    (1.0 - m, -y)
                } else {
                    (0.0, 0.0)
                }
            }
            Loss::SquaredHinge => {
                if m < 1.0 {
                    ((1.0 - m) * (1.0 - m), -2.0 * y * (1.0 - m))
                } else {
                    (0.0, 0.0)
                }
            }
            Loss::ModifiedHuber => {
                if m >= 1.0 {
                    (0.0, 0.0)
                } else if m >= -1.0 {
                    ((1.0 - m) * (1.0 - m), -2.0 * y * (1.0 - m))
                } else {
                    (-4.0 * m, -4.0 * y)
                }
            }
        }
    }
}

/// Softmax cross-entropy for true class `y`: writes `p - onehot(y)` into
/// `grad` and returns the loss.
#[inline]
pub fn softmax_loss(z: &[f64], y: usize, grad: &mut [f64]) -> f64 {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for (g, &v) in grad.iter_mut().zip(z) {
        *g = (v - max).exp();
        sum += *g;
    }
    for g in grad.iter_mut() {
        *g /= sum;
    }
    grad[y] -= 1.0;
    sum.ln() + max - z[y]
}

#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Softmax in place.
pub fn softmax(z: &mut [f64]) {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// Scale non-negative scores to sum to one (uniform if they are all zero),
/// as scikit-learn does for one-vs-rest probabilities.
pub fn normalize_sum(p: &mut [f64]) {
    let sum: f64 = p.iter().sum();
    if sum > 0.0 {
        for v in p.iter_mut() {
            *v /= sum;
        }
    } else {
        let u = 1.0 / p.len() as f64;
        p.iter_mut().for_each(|v| *v = u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        for loss in [Loss::Log, Loss::SquaredHinge, Loss::ModifiedHuber] {
            for &z in &[-3.0, -1.5, -0.3, 0.2, 0.9, 2.5] {
                for &y in &[-1.0, 1.0] {
                    let h = 1e-6;
                    let num = (loss.binary(z + h, y).0 - loss.binary(z - h, y).0) / (2.0 * h);
                    let (_, d) = loss.binary(z, y);
                    assert!((num - d).abs() < 1e-5, "{loss:?} z={z} y={y}: {num} vs {d}");
                }
            }
        }
    }

    #[test]
    fn log_loss_is_stable_for_large_margins() {
        let (l, d) = Loss::Log.binary(800.0, -1.0);
        assert!((l - 800.0).abs() < 1e-9 && (d - 1.0).abs() < 1e-12);
        let (l, d) = Loss::Log.binary(800.0, 1.0);
        assert!((0.0..1e-300).contains(&l) && d.abs() < 1e-300);
    }

    #[test]
    fn softmax_gradient_sums_to_zero() {
        let z = [1.0, -2.0, 0.5, 1000.0];
        let mut g = [0.0; 4];
        let l = softmax_loss(&z, 1, &mut g);
        assert!(l.is_finite() && (g.iter().sum::<f64>()).abs() < 1e-12);
    }
}
