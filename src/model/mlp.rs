//! A one-hidden-layer perceptron for sparse input: softmax output, ReLU
//! hidden units with dropout, weighted cross-entropy, L2, Adam, mini-batches
//! and early stopping on a held-out fraction.
//!
//! The input layer is stored feature-major (`n_features × hidden`), so a
//! sparse row costs `nnz × hidden` multiply-adds forward and backward, and
//! only the rows of features present in a mini-batch are updated ("lazy"
//! Adam and L2: a feature's moments and decay advance only when it occurs —
//! the standard trade-off for sparse text input). Training is single-
//! threaded and deterministic for a given `seed`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::sparse::{CsrView, Real, Rng};

/// Training settings.
#[derive(Debug, Clone)]
pub struct MlpConfig {
    pub hidden: usize,
    pub alpha: f64,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub max_iter: usize,
    pub dropout: f64,
    /// Fraction of rows held out for early stopping (0 = none).
    pub validation_fraction: f64,
    pub n_iter_no_change: usize,
    pub tol: f64,
    pub seed: u64,
}

impl Default for MlpConfig {
    fn default() -> Self {
        Self {
            hidden: 100,
            alpha: 1e-4,
            learning_rate: 1e-3,
            batch_size: 64,
            max_iter: 50,
            dropout: 0.2,
            validation_fraction: 0.1,
            n_iter_no_change: 5,
            tol: 1e-4,
            seed: 0,
        }
    }
}

/// A trained network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mlp {
    pub n_features: usize,
    pub hidden: usize,
    pub n_classes: usize,
    /// `n_features × hidden`.
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    /// `hidden × n_classes`.
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
    /// Training loss per epoch, and held-out weighted accuracy per epoch
    /// (the early-stopping score) when rows are held out.
    pub loss_curve: Vec<f64>,
    pub validation_curve: Vec<f64>,
    pub n_iter: usize,
}

struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    fn new(n: usize) -> Self {
        Self {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    /// One Adam step on `w[range]` with gradient `g` (same length).
    #[inline]
    fn step(&mut self, w: &mut [f32], start: usize, g: &[f32], lr_t: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        for (k, &gk) in g.iter().enumerate() {
            let i = start + k;
            self.m[i] = B1 * self.m[i] + (1.0 - B1) * gk;
            self.v[i] = B2 * self.v[i] + (1.0 - B2) * gk * gk;
            w[i] -= lr_t * self.m[i] / (self.v[i].sqrt() + 1e-8);
        }
    }
}

impl Mlp {
    /// Train on `x` with class codes `y` in `0..n_classes` and per-row
    /// weights `sw` (class weights already folded in).
    pub fn fit<T: Real>(
        x: &CsrView<'_, T>,
        y: &[usize],
        sw: &[f64],
        n_classes: usize,
        cfg: &MlpConfig,
    ) -> Result<Self> {
        let n = x.n_rows;
        if y.len() != n || sw.len() != n {
            return Err(Error::InvalidInput(format!(
                "X has {n} rows but y has {} and sample_weight {}",
                y.len(),
                sw.len()
            )));
        }
        if n_classes < 2 {
            return Err(Error::InvalidInput(
                "an MLP needs at least 2 classes".into(),
            ));
        }
        if cfg.hidden == 0 || cfg.batch_size == 0 || cfg.max_iter == 0 {
            return Err(Error::param(
                "hidden_layer_size",
                "hidden size, batch size and max_iter must be positive",
            ));
        }
        if !(0.0..1.0).contains(&cfg.dropout) || !(0.0..1.0).contains(&cfg.validation_fraction) {
            return Err(Error::param(
                "dropout",
                "dropout and validation_fraction must be in [0, 1)",
            ));
        }
        let (d, h, k) = (x.n_cols, cfg.hidden, n_classes);
        let mut rng = Rng::new(cfg.seed);
        // Glorot-uniform initialisation
        let mut uniform = |scale: f32| {
            let u = (rng.next_u64() >> 11) as f32 / (1u64 << 53) as f32;
            (2.0 * u - 1.0) * scale
        };
        let s1 = (6.0 / (d.min(1000) + h) as f32).sqrt();
        let s2 = (6.0 / (h + k) as f32).sqrt();
        let mut net = Mlp {
            n_features: d,
            hidden: h,
            n_classes: k,
            w1: (0..d * h).map(|_| uniform(s1)).collect(),
            b1: vec![0.0; h],
            w2: (0..h * k).map(|_| uniform(s2)).collect(),
            b2: vec![0.0; k],
            loss_curve: Vec::new(),
            validation_curve: Vec::new(),
            n_iter: 0,
        };
        // held-out rows for early stopping
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let n_val = if cfg.validation_fraction > 0.0 {
            ((n as f64 * cfg.validation_fraction).round() as usize).clamp(1, n.saturating_sub(1))
        } else {
            0
        };
        let (val, train) = order.split_at(n_val);
        let mut train = train.to_vec();
        if train.is_empty() {
            return Err(Error::InvalidInput(
                "no training rows left after the validation split".into(),
            ));
        }
        let mut opt = [
            Adam::new(d * h),
            Adam::new(h),
            Adam::new(h * k),
            Adam::new(k),
        ];
        let mut best: Option<(f64, Mlp)> = None;
        let mut stale = 0usize;
        let mut t = 0i32;
        let keep = 1.0 - cfg.dropout as f32;
        let alpha = cfg.alpha as f32;
        let mut hid = vec![0f32; h];
        let mut mask = vec![1f32; h];
        let mut out = vec![0f32; k];
        // gradient accumulators
        let mut g1: Vec<f32> = vec![0.0; d * h];
        let mut touched: Vec<usize> = Vec::new();
        let mut is_touched = vec![false; d];
        let mut gb1 = vec![0f32; h];
        let mut gw2 = vec![0f32; h * k];
        let mut gb2 = vec![0f32; k];
        let mut dh = vec![0f32; h];
        for _epoch in 0..cfg.max_iter {
            rng.shuffle(&mut train);
            let mut total = 0f64;
            let mut wsum = 0f64;
            for batch in train.chunks(cfg.batch_size) {
                t += 1;
                gb1.iter_mut().for_each(|v| *v = 0.0);
                gw2.iter_mut().for_each(|v| *v = 0.0);
                gb2.iter_mut().for_each(|v| *v = 0.0);
                let bw: f64 = batch.iter().map(|&i| sw[i]).sum::<f64>().max(1e-12);
                for &i in batch {
                    let (cols, vals) = x.row(i);
                    net.hidden_into(cols, vals, &mut hid);
                    for (m, hv) in mask.iter_mut().zip(hid.iter_mut()) {
                        let u = (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
                        *m = if cfg.dropout > 0.0 && u >= keep {
                            0.0
                        } else {
                            1.0 / keep
                        };
                        *hv *= *m;
                    }
                    net.output_into(&hid, &mut out);
                    let c = y[i];
                    let w = (sw[i] / bw) as f32;
                    total += sw[i] * -(f64::from(out[c]).max(1e-12)).ln();
                    wsum += sw[i];
                    // d loss / d logits = p - onehot
                    out[c] -= 1.0;
                    out.iter_mut().for_each(|v| *v *= w);
                    for (j, &hj) in hid.iter().enumerate() {
                        let row = &net.w2[j * k..(j + 1) * k];
                        let mut s = 0f32;
                        for (o, (&wo, &go)) in row.iter().zip(out.iter()).enumerate() {
                            gw2[j * k + o] += hj * go;
                            s += wo * go;
                        }
                        // ReLU (hid is post-activation) and dropout mask
                        dh[j] = if hj > 0.0 { s * mask[j] } else { 0.0 };
                    }
                    for (g, &o) in gb2.iter_mut().zip(out.iter()) {
                        *g += o;
                    }
                    for (g, &v) in gb1.iter_mut().zip(dh.iter()) {
                        *g += v;
                    }
                    for (&cj, &v) in cols.iter().zip(vals) {
                        let cj = cj as usize;
                        if !is_touched[cj] {
                            is_touched[cj] = true;
                            touched.push(cj);
                        }
                        let v = v.f64() as f32;
                        let g = &mut g1[cj * h..(cj + 1) * h];
                        for (gv, &dv) in g.iter_mut().zip(dh.iter()) {
                            *gv += v * dv;
                        }
                    }
                }
                let lr_t = (cfg.learning_rate * (1.0 - 0.999f64.powi(t)).sqrt()
                    / (1.0 - 0.9f64.powi(t))) as f32;
                touched.sort_unstable();
                for &cj in &touched {
                    let r = cj * h..(cj + 1) * h;
                    for (g, &w) in g1[r.clone()].iter_mut().zip(&net.w1[r.clone()]) {
                        *g += alpha * w;
                    }
                    opt[0].step(&mut net.w1, cj * h, &g1[r.clone()], lr_t);
                    g1[r].iter_mut().for_each(|v| *v = 0.0);
                    is_touched[cj] = false;
                }
                touched.clear();
                for (g, &w) in gw2.iter_mut().zip(&net.w2) {
                    *g += alpha * w;
                }
                opt[1].step(&mut net.b1, 0, &gb1, lr_t);
                opt[2].step(&mut net.w2, 0, &gw2, lr_t);
                opt[3].step(&mut net.b2, 0, &gb2, lr_t);
            }
            net.n_iter += 1;
            net.loss_curve.push(total / wsum.max(1e-12));
            // stop on held-out weighted accuracy (balanced accuracy under
            // balanced class weights): on small stance sets the loss starts
            // rising from overconfidence well before the decisions stop
            // improving
            let score = if val.is_empty() {
                total / wsum.max(1e-12)
            } else {
                let acc = net.accuracy_on(x, y, sw, val);
                net.validation_curve.push(acc);
                -acc
            };
            let improved = best.as_ref().is_none_or(|b| score < b.0 - cfg.tol);
            if improved {
                let mut snapshot = net.clone();
                snapshot.loss_curve.clear();
                snapshot.validation_curve.clear();
                best = Some((score, snapshot));
                stale = 0;
            } else {
                stale += 1;
                if stale >= cfg.n_iter_no_change {
                    break;
                }
            }
        }
        // keep the best epoch's weights, with the full curves
        let (_, mut kept) = best.expect("at least one epoch ran");
        kept.loss_curve = std::mem::take(&mut net.loss_curve);
        kept.validation_curve = std::mem::take(&mut net.validation_curve);
        kept.n_iter = net.n_iter;
        Ok(kept)
    }

    fn hidden_into<T: Real>(&self, cols: &[i32], vals: &[T], hid: &mut [f32]) {
        let h = self.hidden;
        hid.copy_from_slice(&self.b1);
        for (&c, &v) in cols.iter().zip(vals) {
            let v = v.f64() as f32;
            let w = &self.w1[c as usize * h..(c as usize + 1) * h];
            for (a, &b) in hid.iter_mut().zip(w) {
                *a += v * b;
            }
        }
        hid.iter_mut().for_each(|a| *a = a.max(0.0));
    }

    /// Softmax probabilities from hidden activations.
    fn output_into(&self, hid: &[f32], out: &mut [f32]) {
        let k = self.n_classes;
        out.copy_from_slice(&self.b2);
        for (j, &hj) in hid.iter().enumerate() {
            if hj == 0.0 {
                continue;
            }
            for (o, &w) in out.iter_mut().zip(&self.w2[j * k..(j + 1) * k]) {
                *o += hj * w;
            }
        }
        let m = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut s = 0f32;
        for o in out.iter_mut() {
            *o = (*o - m).exp();
            s += *o;
        }
        out.iter_mut().for_each(|o| *o /= s);
    }

    /// Weighted accuracy on `rows`.
    fn accuracy_on<T: Real>(
        &self,
        x: &CsrView<'_, T>,
        y: &[usize],
        sw: &[f64],
        rows: &[usize],
    ) -> f64 {
        let mut hid = vec![0f32; self.hidden];
        let mut out = vec![0f32; self.n_classes];
        let (mut right, mut w) = (0f64, 0f64);
        for &i in rows {
            let (c, v) = x.row(i);
            self.hidden_into(c, v, &mut hid);
            self.output_into(&hid, &mut out);
            let best = (0..self.n_classes)
                .max_by(|&a, &b| out[a].total_cmp(&out[b]).then(b.cmp(&a)))
                .expect("at least 2 classes");
            if best == y[i] {
                right += sw[i];
            }
            w += sw[i];
        }
        right / w.max(1e-12)
    }

    /// Class probabilities, row-major `n_rows × n_classes`.
    pub fn predict_proba<T: Real>(&self, x: &CsrView<'_, T>) -> Result<Vec<f32>> {
        if x.n_cols != self.n_features {
            return Err(Error::InvalidInput(format!(
                "X has {} features, but the model was fitted with {}",
                x.n_cols, self.n_features
            )));
        }
        let mut hid = vec![0f32; self.hidden];
        let mut out = vec![0f32; self.n_classes];
        let mut all = Vec::with_capacity(x.n_rows * self.n_classes);
        for i in 0..x.n_rows {
            let (c, v) = x.row(i);
            self.hidden_into(c, v, &mut hid);
            self.output_into(&hid, &mut out);
            all.extend_from_slice(&out);
        }
        Ok(all)
    }

    /// Check shapes after loading.
    pub fn validate(&self) -> Result<()> {
        let (d, h, k) = (self.n_features, self.hidden, self.n_classes);
        if self.w1.len() != d * h
            || self.b1.len() != h
            || self.w2.len() != h * k
            || self.b2.len() != k
        {
            return Err(Error::ModelFormat("MLP weight shapes do not match".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_xor_like_interactions_deterministically() {
        // class = a XOR b on two binary features (+ a bias column)
        let mut indptr = vec![0i64];
        let mut indices = Vec::new();
        let mut data = Vec::new();
        let mut y = Vec::new();
        for r in 0..400 {
            let (a, b) = (r % 2, (r / 2) % 2);
            indices.push(0);
            data.push(1.0f32);
            if a == 1 {
                indices.push(1);
                data.push(1.0);
            }
            if b == 1 {
                indices.push(2);
                data.push(1.0);
            }
            indptr.push(indices.len() as i64);
            y.push(a ^ b);
        }
        let x = CsrView::new(&indptr, &indices, &data, 3).unwrap();
        let sw = vec![1.0; 400];
        let cfg = MlpConfig {
            hidden: 16,
            learning_rate: 0.01,
            max_iter: 200,
            dropout: 0.0,
            validation_fraction: 0.0,
            n_iter_no_change: 20,
            ..MlpConfig::default()
        };
        let m = Mlp::fit(&x, &y, &sw, 2, &cfg).unwrap();
        let p = m.predict_proba(&x).unwrap();
        let acc = (0..400)
            .filter(|&i| (p[2 * i + 1] > 0.5) == (y[i] == 1))
            .count();
        assert_eq!(acc, 400, "a linear model cannot do this; the MLP must");
        let again = Mlp::fit(&x, &y, &sw, 2, &cfg).unwrap();
        assert_eq!(again.w1, m.w1);
        assert!(m.loss_curve.first() > m.loss_curve.last());
    }
}
