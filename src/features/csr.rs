//! Compressed sparse row matrices, built so the bindings can hand the three
//! arrays to scipy without copying them.
//!
//! scipy keeps `indices` and `indptr` in one shared integer type and picks
//! int32 whenever the values fit; handing it anything else makes it copy. So
//! we assemble directly in that type: int32 while `nnz` and the column count
//! fit, int64 beyond.

use crate::error::{Error, Result};

/// Index arrays in the narrowest type scipy would choose.
#[derive(Debug, Clone, PartialEq)]
pub enum CsrIndex {
    I32 { indptr: Vec<i32>, indices: Vec<i32> },
    I64 { indptr: Vec<i64>, indices: Vec<i64> },
}

/// Values in the requested dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum CsrData {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Output value type of a vectorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dtype {
    F32,
    F64,
}

/// A CSR matrix with sorted, unique column indices in each row.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix {
    pub n_rows: usize,
    pub n_cols: usize,
    pub index: CsrIndex,
    pub data: CsrData,
}

/// Rows built by one worker: row lengths, then concatenated columns/values.
/// Columns are stored as `i32` (every column count we accept fits) so that
/// a single block's arrays can become the matrix's without a copy.
#[derive(Debug, Default, Clone)]
pub struct RowBlock {
    pub row_nnz: Vec<usize>,
    pub cols: Vec<i32>,
    pub vals: Vec<f64>,
}

impl RowBlock {
    /// Append one row given as (col, value) pairs already sorted by column.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = (u32, f64)>) {
        let before = self.cols.len();
        for (c, v) in row {
            self.cols.push(c as i32);
            self.vals.push(v);
        }
        self.row_nnz.push(self.cols.len() - before);
    }
}

impl CsrMatrix {
    /// Concatenate worker blocks (in row order) into one matrix. The first
    /// block's column and (f64) value arrays are reused, not copied, which
    /// keeps peak memory near one copy of the matrix.
    pub fn from_blocks(blocks: Vec<RowBlock>, n_cols: usize, dtype: Dtype) -> Result<Self> {
        if n_cols > i32::MAX as usize {
            return Err(Error::InvalidInput(format!(
                "{n_cols} columns is more than khabar supports (2**31 - 1)"
            )));
        }
        let n_rows: usize = blocks.iter().map(|b| b.row_nnz.len()).sum();
        let nnz: usize = blocks.iter().map(|b| b.cols.len()).sum();
        let mut indptr64: Vec<i64> = Vec::with_capacity(n_rows + 1);
        let mut acc = 0i64;
        indptr64.push(0);
        for b in &blocks {
            for &k in &b.row_nnz {
                acc += k as i64;
                indptr64.push(acc);
            }
        }
        // Grow the first block's arrays in place (a large realloc is a cheap
        // remap) and free each further block as soon as it is appended.
        let mut rest = blocks.into_iter();
        let (mut cols, mut vals) = match rest.next() {
            Some(b) => (b.cols, b.vals),
            None => (Vec::new(), Vec::new()),
        };
        cols.reserve_exact(nnz - cols.len());
        vals.reserve_exact(nnz - vals.len());
        for b in rest {
            cols.extend_from_slice(&b.cols);
            vals.extend_from_slice(&b.vals);
        }
        let index = if nnz <= i32::MAX as usize {
            CsrIndex::I32 {
                indptr: indptr64.into_iter().map(|x| x as i32).collect(),
                indices: cols,
            }
        } else {
            CsrIndex::I64 {
                indptr: indptr64,
                indices: cols.into_iter().map(i64::from).collect(),
            }
        };
        let data = match dtype {
            Dtype::F64 => CsrData::F64(vals),
            Dtype::F32 => CsrData::F32(vals.into_iter().map(|x| x as f32).collect()),
        };
        Ok(Self {
            n_rows,
            n_cols,
            index,
            data,
        })
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        match &self.data {
            CsrData::F32(v) => v.len(),
            CsrData::F64(v) => v.len(),
        }
    }

    /// `(indptr, indices)` widened to i64, for checks and tests.
    pub fn index_i64(&self) -> (Vec<i64>, Vec<i64>) {
        match &self.index {
            CsrIndex::I32 { indptr, indices } => (
                indptr.iter().map(|&x| x as i64).collect(),
                indices.iter().map(|&x| x as i64).collect(),
            ),
            CsrIndex::I64 { indptr, indices } => (indptr.clone(), indices.clone()),
        }
    }

    /// Values widened to f64.
    pub fn data_f64(&self) -> Vec<f64> {
        match &self.data {
            CsrData::F32(v) => v.iter().map(|&x| x as f64).collect(),
            CsrData::F64(v) => v.clone(),
        }
    }

    /// Check the CSR invariants: monotone `indptr` from 0 to nnz, in-range,
    /// strictly increasing column indices in every row.
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        let (indptr, indices) = self.index_i64();
        if indptr.len() != self.n_rows + 1 || indptr[0] != 0 {
            return Err("bad indptr length or start".into());
        }
        if *indptr.last().unwrap() as usize != indices.len() || indices.len() != self.nnz() {
            return Err("indptr end != nnz".into());
        }
        for r in 0..self.n_rows {
            let (a, b) = (indptr[r] as usize, indptr[r + 1] as usize);
            if a > b {
                return Err(format!("row {r}: indptr decreases"));
            }
            let row = &indices[a..b];
            if row.iter().any(|&c| c < 0 || c as usize >= self.n_cols) {
                return Err(format!("row {r}: column out of range"));
            }
            if row.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("row {r}: columns not strictly increasing"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembles_blocks_in_order() {
        let mut a = RowBlock::default();
        a.push_row([(0, 1.0), (2, 2.0)]);
        a.push_row([]);
        let mut b = RowBlock::default();
        b.push_row([(1, 3.0)]);
        let m = CsrMatrix::from_blocks(vec![a, b], 3, Dtype::F64).unwrap();
        assert_eq!(m.n_rows, 3);
        assert_eq!(
            m.index,
            CsrIndex::I32 {
                indptr: vec![0, 2, 2, 3],
                indices: vec![0, 2, 1]
            }
        );
        assert_eq!(m.data, CsrData::F64(vec![1.0, 2.0, 3.0]));
        m.check_invariants().unwrap();
    }

    #[test]
    fn empty_matrix_is_valid() {
        let m = CsrMatrix::from_blocks(vec![], 5, Dtype::F32).unwrap();
        assert_eq!(m.n_rows, 0);
        m.check_invariants().unwrap();
    }
}
