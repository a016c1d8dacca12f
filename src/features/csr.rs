//! Compressed sparse row matrices, built so the bindings can hand the three
//! arrays to scipy without copying them.
//!
//! scipy keeps `indices` and `indptr` in one shared integer type and picks
//! int32 whenever the values fit; handing it anything else makes it copy. So
//! we assemble directly in that type: int32 while `nnz` and the column count
//! fit, int64 beyond.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::parallel::install;

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

    /// Once `done` of a worker's `total` input bytes are processed (at least
    /// a sixteenth), reserve room for the rest by extrapolation. Growing
    /// by doubling copies the arrays again and again (a block below the
    /// allocator's mmap threshold cannot be remapped); one reservation made
    /// from a fair sample avoids nearly all of it. `*armed` makes it once.
    pub fn presize(&mut self, done: usize, total: usize, armed: &mut bool) {
        if !*armed || done == 0 || done * 16 < total {
            return;
        }
        *armed = false;
        let est = (self.cols.len() as f64 * total as f64 / done as f64 * 1.1) as usize;
        let more = est.saturating_sub(self.cols.len());
        self.cols.reserve(more);
        self.vals.reserve(more);
    }
}

impl CsrMatrix {
    /// Concatenate worker blocks (in row order) into one matrix on
    /// `threads` threads.
    ///
    /// One block becomes the matrix without a copy. Several are copied into
    /// fresh arrays in parallel, each block freed as soon as it is copied:
    /// a serial copy of a large matrix (tens of MB) cost more than a tenth
    /// of a two-thread transform, and the final arrays' pages are touched
    /// for the first time here, so the page faults are spread over the
    /// threads too. Peak memory stays near one copy of the matrix plus the
    /// blocks in flight.
    pub fn from_blocks(
        mut blocks: Vec<RowBlock>,
        n_cols: usize,
        dtype: Dtype,
        threads: usize,
    ) -> Result<Self> {
        check_n_cols(n_cols)?;
        if blocks.len() == 1 {
            let b = blocks.pop().expect("one block");
            return Self::from_rows(&b.row_nnz, b.cols, b.vals, n_cols, dtype, threads);
        }
        let n_rows: usize = blocks.iter().map(|b| b.row_nnz.len()).sum();
        let nnz: usize = blocks.iter().map(|b| b.cols.len()).sum();
        let row_nnz = || blocks.iter().flat_map(|b| b.row_nnz.iter().copied());
        let (index, data) = if nnz > i32::MAX as usize {
            let indptr = indptr_from(n_rows, row_nnz(), |x| x as i64);
            let (indices, data) = scatter(blocks, nnz, dtype, threads, i64::from)?;
            (CsrIndex::I64 { indptr, indices }, data)
        } else {
            let indptr = indptr_from(n_rows, row_nnz(), |x| x as i32);
            let (indices, data) = scatter(blocks, nnz, dtype, threads, |c| c)?;
            (CsrIndex::I32 { indptr, indices }, data)
        };
        Ok(Self {
            n_rows,
            n_cols,
            index,
            data,
        })
    }

    /// A matrix from rows laid end to end (`row_nnz[i]` values each):
    /// `cols` and `vals` become its arrays without a copy when int32
    /// indices and `f64` values are what is wanted, and are converted (on
    /// `threads` threads) otherwise.
    pub fn from_rows(
        row_nnz: &[usize],
        cols: Vec<i32>,
        vals: Vec<f64>,
        n_cols: usize,
        dtype: Dtype,
        threads: usize,
    ) -> Result<Self> {
        check_n_cols(n_cols)?;
        let nnz = cols.len();
        debug_assert_eq!(vals.len(), nnz);
        debug_assert_eq!(row_nnz.iter().sum::<usize>(), nnz);
        let data = match dtype {
            Dtype::F64 => CsrData::F64(vals),
            Dtype::F32 => CsrData::F32(convert(vals, threads, |x| x as f32)?),
        };
        let index = if nnz > i32::MAX as usize {
            CsrIndex::I64 {
                indptr: indptr_from(row_nnz.len(), row_nnz.iter().copied(), |x| x as i64),
                indices: convert(cols, threads, i64::from)?,
            }
        } else {
            CsrIndex::I32 {
                indptr: indptr_from(row_nnz.len(), row_nnz.iter().copied(), |x| x as i32),
                indices: cols,
            }
        };
        Ok(Self {
            n_rows: row_nnz.len(),
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

/// Column indices are stored as `i32` while rows are built.
fn check_n_cols(n_cols: usize) -> Result<()> {
    if n_cols > i32::MAX as usize {
        return Err(Error::InvalidInput(format!(
            "{n_cols} columns is more than khabar supports (2**31 - 1)"
        )));
    }
    Ok(())
}

/// Running totals of the row lengths, from 0, in the index type.
fn indptr_from<I>(
    n_rows: usize,
    row_nnz: impl Iterator<Item = usize>,
    to: impl Fn(usize) -> I,
) -> Vec<I> {
    let mut out = Vec::with_capacity(n_rows + 1);
    let mut acc = 0usize;
    out.push(to(0));
    for k in row_nnz {
        acc += k;
        out.push(to(acc));
    }
    out
}

/// `v` mapped element-wise into a new vector, on `threads` threads.
fn convert<S: Copy + Send + Sync, T: Send>(
    v: Vec<S>,
    threads: usize,
    f: impl Fn(S) -> T + Send + Sync,
) -> Result<Vec<T>> {
    if threads <= 1 {
        return Ok(v.into_iter().map(f).collect());
    }
    install(threads, || v.par_iter().map(|&x| f(x)).collect())
}

/// Copy the blocks' columns (converted by `col`) and values (in `dtype`)
/// into one pair of arrays, blocks in parallel.
fn scatter<I: Copy + Default + Send>(
    blocks: Vec<RowBlock>,
    nnz: usize,
    dtype: Dtype,
    threads: usize,
    col: impl Fn(i32) -> I + Sync,
) -> Result<(Vec<I>, CsrData)> {
    // `vec![0; n]` is a zeroed allocation: large ones are fresh pages the
    // copying thread faults in, not a serial memset.
    let mut cols: Vec<I> = vec![I::default(); nnz];
    let data = match dtype {
        Dtype::F64 => {
            let mut vals = vec![0f64; nnz];
            scatter_into(blocks, &mut cols, &mut vals, threads, &col, |v| v)?;
            CsrData::F64(vals)
        }
        Dtype::F32 => {
            let mut vals = vec![0f32; nnz];
            scatter_into(blocks, &mut cols, &mut vals, threads, &col, |v| v as f32)?;
            CsrData::F32(vals)
        }
    };
    Ok((cols, data))
}

fn scatter_into<I: Send, T: Send>(
    blocks: Vec<RowBlock>,
    cols: &mut [I],
    vals: &mut [T],
    threads: usize,
    col: &(impl Fn(i32) -> I + Sync),
    val: impl Fn(f64) -> T + Sync,
) -> Result<()> {
    let mut jobs = Vec::with_capacity(blocks.len());
    let (mut cols, mut vals) = (cols, vals);
    for b in blocks {
        let n = b.cols.len();
        let (c, c_rest) = std::mem::take(&mut cols).split_at_mut(n);
        let (v, v_rest) = std::mem::take(&mut vals).split_at_mut(n);
        (cols, vals) = (c_rest, v_rest);
        jobs.push((b, c, v));
    }
    let copy = |(b, c, v): (RowBlock, &mut [I], &mut [T])| {
        c.iter_mut().zip(&b.cols).for_each(|(d, &s)| *d = col(s));
        v.iter_mut().zip(&b.vals).for_each(|(d, &s)| *d = val(s));
        // `b` is dropped here, so its memory goes back while others copy.
    };
    if threads <= 1 {
        jobs.into_iter().for_each(copy);
        return Ok(());
    }
    install(threads, || jobs.into_par_iter().for_each(copy))
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
        let m = CsrMatrix::from_blocks(vec![a, b], 3, Dtype::F64, 1).unwrap();
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
    fn parallel_assembly_equals_serial() {
        // Many blocks of varied sizes, some empty, in both dtypes.
        let blocks: Vec<RowBlock> = (0..23)
            .map(|b| {
                let mut rb = RowBlock::default();
                for r in 0..(b % 5) {
                    rb.push_row(
                        (0..(b + r) % 7).map(|c| (c as u32 * 3, (b * 10 + c) as f64 + 0.5)),
                    );
                }
                rb
            })
            .collect();
        for dtype in [Dtype::F64, Dtype::F32] {
            let serial = CsrMatrix::from_blocks(blocks.clone(), 21, dtype, 1).unwrap();
            let parallel = CsrMatrix::from_blocks(blocks.clone(), 21, dtype, 3).unwrap();
            assert_eq!(serial, parallel);
            parallel.check_invariants().unwrap();
            assert_eq!(
                parallel.nnz(),
                blocks.iter().map(|b| b.cols.len()).sum::<usize>()
            );
        }
        // the first row of block 1 is (0, 10.5): values land in row order
        let one = CsrMatrix::from_blocks(blocks[..2].to_vec(), 21, Dtype::F32, 2).unwrap();
        assert_eq!(one.data, CsrData::F32(vec![10.5]));
    }

    #[test]
    fn presize_reserves_once_from_a_fair_sample() {
        let mut rb = RowBlock::default();
        rb.push_row((0..100).map(|c| (c, 1.0)));
        let mut armed = true;
        // under a sixteenth of the bytes: too small a sample, nothing yet
        rb.presize(5, 100, &mut armed);
        assert!(armed);
        // 100 entries from 10 of 100 bytes: room for about 1,100
        rb.presize(10, 100, &mut armed);
        assert!(!armed);
        assert!(rb.cols.capacity() >= 1_100 && rb.vals.capacity() >= 1_100);
        let cap = rb.cols.capacity();
        rb.presize(20, 100, &mut armed); // disarmed: no second reservation
        assert_eq!(rb.cols.capacity(), cap);
        assert_eq!((rb.cols.len(), rb.row_nnz.clone()), (100, vec![100]));
    }

    #[test]
    fn empty_matrix_is_valid() {
        let m = CsrMatrix::from_blocks(vec![], 5, Dtype::F32, 1).unwrap();
        assert_eq!(m.n_rows, 0);
        m.check_invariants().unwrap();
    }
}
