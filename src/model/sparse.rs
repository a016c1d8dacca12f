//! Borrowed CSR input for the models, plus the column-major copy the batch
//! solvers use for gradients.
//!
//! Training reads scipy's arrays in place: `indptr` as `i64` (the bindings
//! widen int32 indptr, which costs one small copy), `indices` as `i32`, and
//! values as `f32` or `f64` through [`Real`]. Everything is validated once,
//! up front, so the solvers can index without checks failing later.

use crate::error::{Error, Result};

/// A value type a CSR matrix may hold.
pub trait Real: Copy + Send + Sync + 'static {
    fn f64(self) -> f64;
}

impl Real for f32 {
    #[inline]
    fn f64(self) -> f64 {
        f64::from(self)
    }
}

impl Real for f64 {
    #[inline]
    fn f64(self) -> f64 {
        self
    }
}

/// A column index type (scipy's int32, or a vectorizer's u32), already
/// known to be in range.
pub trait Col: Copy {
    fn idx(self) -> usize;
}

impl Col for i32 {
    #[inline]
    fn idx(self) -> usize {
        self as usize
    }
}

impl Col for u32 {
    #[inline]
    fn idx(self) -> usize {
        self as usize
    }
}

/// A validated, borrowed CSR matrix.
#[derive(Debug, Clone, Copy)]
pub struct CsrView<'a, T> {
    pub indptr: &'a [i64],
    pub indices: &'a [i32],
    pub data: &'a [T],
    pub n_rows: usize,
    pub n_cols: usize,
}

impl<'a, T: Real> CsrView<'a, T> {
    /// Check the arrays describe a CSR matrix of `n_cols` columns with finite
    /// values; errors name the offending row.
    pub fn new(
        indptr: &'a [i64],
        indices: &'a [i32],
        data: &'a [T],
        n_cols: usize,
    ) -> Result<Self> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        if indptr.is_empty() {
            return bad("X: indptr is empty (a CSR matrix needs n_rows + 1 offsets)".into());
        }
        if indices.len() != data.len() {
            return bad(format!(
                "X: {} column indices but {} values",
                indices.len(),
                data.len()
            ));
        }
        if indptr[0] != 0 || *indptr.last().expect("non-empty") as usize != indices.len() {
            return bad("X: indptr does not span the data arrays".into());
        }
        let n_rows = indptr.len() - 1;
        for r in 0..n_rows {
            let (a, b) = (indptr[r], indptr[r + 1]);
            if b < a || b as usize > indices.len() {
                return bad(format!("X: row {r} has invalid offsets {a}..{b}"));
            }
            for p in a as usize..b as usize {
                let c = indices[p];
                if c < 0 || c as usize >= n_cols {
                    return bad(format!(
                        "X: row {r} has column index {c}, outside 0..{n_cols}"
                    ));
                }
                if !data[p].f64().is_finite() {
                    return bad(format!(
                        "X: row {r} contains a non-finite value (NaN or infinity) in column {c}"
                    ));
                }
            }
        }
        Ok(Self {
            indptr,
            indices,
            data,
            n_rows,
            n_cols,
        })
    }

    /// Column indices and values of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> (&'a [i32], &'a [T]) {
        let (a, b) = (self.indptr[i] as usize, self.indptr[i + 1] as usize);
        (&self.indices[a..b], &self.data[a..b])
    }

    /// The rows `rows` as a new owned CSR (for cross-validation folds).
    pub fn select(&self, rows: &[usize]) -> OwnedCsr<T> {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        indptr.push(0i64);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        for &r in rows {
            let (c, v) = self.row(r);
            indices.extend_from_slice(c);
            data.extend_from_slice(v);
            indptr.push(indices.len() as i64);
        }
        OwnedCsr {
            indptr,
            indices,
            data,
            n_cols: self.n_cols,
        }
    }
}

/// An owned CSR matrix (row subsets built during training).
#[derive(Debug, Clone)]
pub struct OwnedCsr<T> {
    pub indptr: Vec<i64>,
    pub indices: Vec<i32>,
    pub data: Vec<T>,
    pub n_cols: usize,
}

impl<T: Real> OwnedCsr<T> {
    pub fn view(&self) -> CsrView<'_, T> {
        CsrView {
            indptr: &self.indptr,
            indices: &self.indices,
            data: &self.data,
            n_rows: self.indptr.len() - 1,
            n_cols: self.n_cols,
        }
    }
}

/// Column-major copy of a matrix: for each column, the rows it occurs in
/// and the values. Gradients are `Gᵀ X`; summing a column's rows in row
/// order on one thread keeps the result bit-identical for any thread count.
#[derive(Debug, Clone)]
pub struct Csc {
    pub colptr: Vec<usize>,
    pub rows: Vec<u32>,
    pub vals: Vec<f64>,
}

impl Csc {
    pub fn from_csr<T: Real>(x: &CsrView<'_, T>) -> Self {
        let mut colptr = vec![0usize; x.n_cols + 1];
        for &c in x.indices {
            colptr[c as usize + 1] += 1;
        }
        for j in 0..x.n_cols {
            colptr[j + 1] += colptr[j];
        }
        let nnz = x.indices.len();
        let mut next = colptr.clone();
        let mut rows = vec![0u32; nnz];
        let mut vals = vec![0f64; nnz];
        for i in 0..x.n_rows {
            let (cols, vs) = x.row(i);
            for (&c, &v) in cols.iter().zip(vs) {
                let p = &mut next[c as usize];
                rows[*p] = i as u32;
                vals[*p] = v.f64();
                *p += 1;
            }
        }
        Self { colptr, rows, vals }
    }

    #[inline]
    pub fn col(&self, j: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.colptr[j], self.colptr[j + 1]);
        (&self.rows[a..b], &self.vals[a..b])
    }

    pub fn n_cols(&self) -> usize {
        self.colptr.len() - 1
    }
}

/// A small deterministic generator (SplitMix64) for shuffles and splits;
/// the same `random_state` gives the same model on every platform.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_names_rows() {
        let indptr = [0i64, 1, 2];
        assert!(CsrView::new(&indptr, &[0, 5], &[1.0f64, 2.0], 3)
            .unwrap_err()
            .to_string()
            .contains("row 1"));
        assert!(CsrView::new(&indptr, &[0, 1], &[1.0f64, f64::NAN], 3)
            .unwrap_err()
            .to_string()
            .contains("non-finite"));
        assert!(CsrView::new(&[0i64, 2, 1], &[0, 1], &[1.0f64, 2.0], 3).is_err());
        let x = CsrView::new(&indptr, &[0, 2], &[1.0f32, 2.0], 3).unwrap();
        assert_eq!(x.n_rows, 2);
        let csc = Csc::from_csr(&x);
        assert_eq!(csc.col(2), (&[1u32][..], &[2.0f64][..]));
        assert_eq!(csc.col(1).0.len(), 0);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut r = Rng::new(7);
        let mut v: Vec<usize> = (0..100).collect();
        r.shuffle(&mut v);
        let mut s = v.clone();
        s.sort_unstable();
        assert_eq!(s, (0..100).collect::<Vec<_>>());
        assert_ne!(v, s);
    }
}
