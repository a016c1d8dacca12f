//! The options of a linear fit: the loss, the [`Solver`] and its settings,
//! and their validation (run by every fit before any work).

use serde::{Deserialize, Serialize};

use super::loss::Loss;
use crate::error::{Error, Result};

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

/// Options for [`LinearModel::fit`](super::LinearModel::fit).
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
    /// SGD only: the L1 share of the penalty `alpha` (elastic net): L2
    /// strength `alpha * (1 - l1_ratio)`, L1 strength `alpha * l1_ratio`.
    pub l1_ratio: f64,
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
            l1_ratio: 0.0,
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
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err(Error::param(
                "l1_ratio",
                format!("{} must be in [0, 1]", self.l1_ratio),
            ));
        }
        if self.l1_ratio > 0.0 && self.solver != Solver::Sgd {
            return Err(Error::param(
                "penalty",
                "an L1 part (penalty=\"l1\" or \"elasticnet\") needs solver=\"sgd\": \
                 L-BFGS and dual coordinate descent solve the L2 problem only",
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
