//! Step 3 of a fit that also transforms (see [`TextVectorizer::fit`]): the
//! matrix of the fitted documents, built from the counting workers' local
//! ids and the merge's local id -> column maps, without counting again.
//! Kept apart from the fit itself, which is about vocabularies.

use rayon::prelude::*;

use crate::error::Result;
use crate::features::csr::CsrMatrix;
use crate::features::vectorizer::{Chunk, TextVectorizer};
use crate::features::vocabulary::LocalCounts;
use crate::parallel::install;

/// One analyzer block's merge result: for each worker, its local id ->
/// column map (`u32::MAX`: pruned), and the workers' counts.
pub(crate) type BlockMaps = (Vec<Vec<u32>>, Vec<LocalCounts>);

impl TextVectorizer {
    /// The weighted rows of the fitted documents, in document order.
    pub(crate) fn fitted_rows(
        &self,
        maps: &[BlockMaps],
        chunks: &[Chunk],
        threads: usize,
    ) -> Result<CsrMatrix> {
        let n_blocks = maps.len();
        let workers = maps[0].1.len();
        // Where each worker's row `r` of block `b` starts in its counts.
        let starts: Vec<Vec<Vec<usize>>> = (0..workers)
            .map(|w| {
                (0..n_blocks)
                    .map(|b| {
                        let mut acc = 0;
                        let mut at = Vec::with_capacity(maps[b].1[w].row_nnz.len() + 1);
                        at.push(0);
                        for &k in &maps[b].1[w].row_nnz {
                            acc += k as usize;
                            at.push(acc);
                        }
                        at
                    })
                    .collect()
            })
            .collect();
        // Each chunk of documents is written straight into its region of the
        // final arrays, sized by its pre-pruning non-zeros (an upper bound);
        // regions are then closed up, which moves nothing unless terms were
        // pruned. Per-worker row blocks copied together afterwards cost
        // 0.09 s of a 1.0 s two-thread char_wb fit; pages past a region's
        // rows are never touched, so the bound costs address space, not
        // memory. Chunks are small, so the threads share the work evenly
        // whoever counted them.
        let offsets = self.offsets();
        let bound = |ch: &Chunk| -> usize {
            let (w, r) = (ch.worker, ch.first_row);
            (0..n_blocks)
                .map(|b| starts[w][b][r + ch.docs.len()] - starts[w][b][r])
                .sum()
        };
        let bounds: Vec<usize> = chunks.iter().map(bound).collect();
        let total: usize = bounds.iter().sum();
        let mut cols = vec![0i32; total];
        let mut vals = vec![0f64; total];
        let mut regions = Vec::with_capacity(chunks.len());
        let (mut c_rest, mut v_rest) = (&mut cols[..], &mut vals[..]);
        for (ch, &n) in chunks.iter().zip(&bounds) {
            let (c, c_next) = std::mem::take(&mut c_rest).split_at_mut(n);
            let (v, v_next) = std::mem::take(&mut v_rest).split_at_mut(n);
            (c_rest, v_rest) = (c_next, v_next);
            regions.push((ch, c, v));
        }
        let write = |(ch, c, v): (&Chunk, &mut [i32], &mut [f64])| -> Vec<usize> {
            let w = ch.worker;
            let rows = ch.first_row..ch.first_row + ch.docs.len();
            let mut cursors: Vec<usize> = (0..n_blocks).map(|b| starts[w][b][rows.start]).collect();
            let mut row_nnz = Vec::with_capacity(rows.len());
            let mut end = 0;
            // (column << 32 | count): sorting plain u64s orders by column.
            let mut keys: Vec<u64> = Vec::new();
            for doc in rows {
                let row_start = end;
                for b in 0..n_blocks {
                    let (to_col, lcs) = (&maps[b].0[w], &maps[b].1[w]);
                    let k = lcs.row_nnz[doc] as usize;
                    let at = cursors[b];
                    cursors[b] += k;
                    keys.clear();
                    keys.extend((at..at + k).filter_map(|j| {
                        let c = to_col[lcs.ids[j] as usize];
                        (c != u32::MAX).then(|| (u64::from(c) << 32) | u64::from(lcs.counts[j]))
                    }));
                    // Columns are distinct within a row (one local id per term),
                    // so ordering by the column alone is the full order: a radix
                    // sort on the 32-bit column, 0.92x the char_wb fit's time
                    // against sorting the u64 keys (paired runs).
                    radsort::sort_by_key(&mut keys, |k| (k >> 32) as u32);
                    let s = end;
                    end += keys.len();
                    for ((dc, dv), &key) in c[s..end].iter_mut().zip(&mut v[s..end]).zip(&keys) {
                        *dc = ((key >> 32) as u32 + offsets[b]) as i32;
                        *dv = (key & 0xFFFF_FFFF) as f64;
                    }
                    self.config.weighting.weigh_row(
                        &c[s..end],
                        i64::from(offsets[b]),
                        &mut v[s..end],
                        self.blocks[b].idf.as_deref(),
                    );
                }
                row_nnz.push(end - row_start);
            }
            row_nnz
        };
        let per_chunk: Vec<Vec<usize>> = if threads <= 1 {
            regions.into_iter().map(write).collect()
        } else {
            install(threads, || regions.into_par_iter().map(write).collect())?
        };
        // Close the regions up, in chunk (= document) order.
        let (mut to, mut from) = (0, 0);
        for (rows, &bound) in per_chunk.iter().zip(&bounds) {
            let n: usize = rows.iter().sum();
            if from != to {
                cols.copy_within(from..from + n, to);
                vals.copy_within(from..from + n, to);
            }
            (to, from) = (to + n, from + bound);
        }
        if to < total {
            // (large arrays shrink by remapping, not copying)
            cols.truncate(to);
            vals.truncate(to);
            cols.shrink_to_fit();
            vals.shrink_to_fit();
        }
        let row_nnz: Vec<usize> = per_chunk.concat();
        CsrMatrix::from_rows(
            &row_nnz,
            cols,
            vals,
            self.n_features(),
            self.config.dtype,
            threads,
        )
    }
}
