//! Classifiers trained on CSR feature matrices.
//!
//! * [`linear`] — logistic regression (multinomial or one-vs-rest), linear
//!   SVMs (hinge, squared hinge) and modified Huber, with L-BFGS, dual
//!   coordinate descent and mini-batch AdaGrad solvers;
//! * [`naive_bayes`] — multinomial and complement Naive Bayes, and NB-SVM
//!   log-count ratios for scaling features before a linear model;
//! * [`calibration`] — Platt scaling for hinge-loss probabilities;
//! * [`progress`] — pass counts for progress bars, and stopping a fit.

pub mod calibration;
mod dcd;
pub mod lbfgs;
pub mod linear;
mod linear_config;
mod linear_predict;
pub mod loss;
pub mod mlp;
pub mod naive_bayes;
pub mod progress;
pub mod sgd;
mod smooth;
pub mod sparse;
pub mod tagger;
mod tagger_fit;
mod tagger_store;
pub mod targets;

pub use linear::{LinearConfig, LinearModel, Solver};
pub use loss::Loss;
pub use naive_bayes::{NaiveBayes, NbKind};
pub use sparse::{CsrView, Real};
pub use tagger::{EntityTagger, TaggerConfig};
pub use targets::Targets;
