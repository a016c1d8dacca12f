//! `n_jobs` -> a scoped rayon pool.
//!
//! scikit-learn spelling: `None` means "the default" (`KHABAR_NUM_THREADS`,
//! else every core), positive numbers are thread counts, `-1` is every core,
//! `-2` every core but one, and so on; `0` is an error. One thread runs on the
//! calling thread with no pool at all.
//!
//! A fresh pool is built for each call and dropped at its end. That costs
//! microseconds next to the work it runs, and it means no thread of ours is
//! alive between calls: a process that forks (multiprocessing, joblib) never
//! inherits a pool whose threads are gone. We never touch rayon's global pool.
//! Work is split into contiguous chunks and collected in order, so results
//! never depend on the number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Environment variable that sets the default thread count.
pub const THREADS_ENV: &str = "KHABAR_NUM_THREADS";

/// Usable cores. `available_parallelism` reads cgroup quota files on Linux
/// (tens of microseconds, more than a whole single-document prediction), so
/// ask once per process.
fn available() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Resolve an `n_jobs` value to a thread count >= 1.
pub fn resolve_n_jobs(n_jobs: Option<i64>) -> Result<usize> {
    let n = match n_jobs {
        None => match std::env::var(THREADS_ENV) {
            Ok(v) if !v.trim().is_empty() => v.trim().parse::<i64>().map_err(|_| {
                Error::param("n_jobs", format!("{THREADS_ENV}={v:?} is not an integer"))
            })?,
            _ => -1,
        },
        Some(n) => n,
    };
    match n {
        0 => Err(Error::param(
            "n_jobs",
            "0 is not a valid number of jobs; use a positive count, -1 for all cores, or None",
        )),
        n if n > 0 => Ok(n.min(1024) as usize),
        n => Ok((available() as i64 + 1 + n).max(1) as usize),
    }
}

/// Split `0..len` into at most `parts` contiguous ranges of similar size.
pub fn ranges(len: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.clamp(1, len.max(1));
    let base = len / parts;
    let extra = len % parts;
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 0..parts {
        let size = base + usize::from(p < extra);
        out.push(start..start + size);
        start += size;
    }
    out
}

/// Split `0..weights.len()` into at most `parts` contiguous ranges of
/// similar total weight (e.g. document bytes), so one worker does not get
/// all the long documents of a corpus that happens to be sorted by source.
pub fn ranges_by_weight(weights: &[usize], parts: usize) -> Vec<std::ops::Range<usize>> {
    let len = weights.len();
    let parts = parts.clamp(1, len.max(1));
    let total: usize = weights.iter().sum();
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut acc) = (0usize, 0usize);
    for (i, &w) in weights.iter().enumerate() {
        acc += w;
        let filled = out.len() + 1;
        // close the current range once it holds its share of the weight,
        // leaving at least one item for each remaining range
        if filled < parts && acc * parts >= total * filled && len - (i + 1) >= parts - filled {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out.push(start..len);
    out
}

/// Split `docs` into at most `parts` contiguous ranges of similar bytes
/// (each document also counts 16 bytes, for its fixed cost).
pub fn doc_ranges<S: AsRef<str>>(docs: &[S], parts: usize) -> Vec<std::ops::Range<usize>> {
    if parts <= 1 {
        return ranges(docs.len(), 1);
    }
    let weights: Vec<usize> = docs.iter().map(|d| d.as_ref().len() + 16).collect();
    ranges_by_weight(&weights, parts)
}

/// Run `f` on each range of `0..len` (split into `parts` ranges) using
/// `threads` threads, returning results in range order.
pub fn map_ranges<R, F>(threads: usize, len: usize, parts: usize, f: F) -> Result<Vec<R>>
where
    R: Send,
    F: Fn(std::ops::Range<usize>) -> R + Sync + Send,
{
    let rs = ranges(len, parts);
    if threads <= 1 || rs.len() <= 1 {
        return Ok(rs.into_iter().map(f).collect());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.min(rs.len()))
        .thread_name(|i| format!("khabar-{i}"))
        .build()
        .map_err(|e| Error::ThreadPool(e.to_string()))?;
    Ok(pool.install(|| rs.into_par_iter().map(f).collect()))
}

/// Run `f` inside a scoped pool of `threads` threads (inline for one), for
/// rayon primitives such as parallel sorts.
pub fn install<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> Result<R> {
    if threads <= 1 {
        return Ok(f());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("khabar-{i}"))
        .build()
        .map_err(|e| Error::ThreadPool(e.to_string()))?;
    Ok(pool.install(f))
}

/// [`map_ranges`] over documents: the parts ([`transform_parts`] of them)
/// hold similar numbers of bytes, not of documents. A corpus is often
/// ordered by source (long articles, then short posts), and a part of long
/// documents finishing last left the other thread idle: hashing with two
/// threads took 0.85x the time with byte-balanced parts (paired runs).
pub fn map_doc_parts<S, R, F>(threads: usize, docs: &[S], f: F) -> Result<Vec<R>>
where
    S: AsRef<str> + Sync,
    R: Send,
    F: Fn(std::ops::Range<usize>) -> R + Sync + Send,
{
    map_doc_parts_with(threads, docs, || (), |_, r| f(r))
}

/// [`map_doc_parts`] with a state per worker thread (a cache that warms up
/// as the worker goes, say) made by `init`: one state per thread, not per
/// part (see [`claim_parts`]).
pub fn map_doc_parts_with<S, St, R, I, F>(
    threads: usize,
    docs: &[S],
    init: I,
    f: F,
) -> Result<Vec<R>>
where
    S: AsRef<str> + Sync,
    St: Send,
    R: Send,
    I: Fn() -> St + Sync,
    F: Fn(&mut St, std::ops::Range<usize>) -> R + Sync + Send,
{
    let rs = doc_ranges(docs, transform_parts(threads, docs.len()));
    let claimed = claim_parts(threads, &rs, init, f, |_| {})?;
    Ok(claimed.made.into_iter().map(|(_, r)| r).collect())
}

/// Run `f` on each of `parts` with at most `threads` workers, each with a
/// state of its own from `init`: a worker claims the next unclaimed part
/// whenever it finishes one (parts cost what they cost, not what their
/// size says), and calls `done` on its state after its last.
pub fn claim_parts<St, R, I, F, D>(
    threads: usize,
    parts: &[std::ops::Range<usize>],
    init: I,
    f: F,
    done: D,
) -> Result<Claimed<St, R>>
where
    St: Send,
    R: Send,
    I: Fn() -> St + Sync,
    F: Fn(&mut St, std::ops::Range<usize>) -> R + Sync + Send,
    D: Fn(&mut St) + Sync,
{
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = threads.clamp(1, parts.len().max(1));
    let per_worker = map_ranges(threads, workers, workers, |_| {
        let mut state = init();
        let mut made = Vec::new();
        loop {
            let p = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(r) = parts.get(p) else { break };
            made.push((p, f(&mut state, r.clone())));
        }
        done(&mut state);
        (state, made)
    })?;
    let mut states = Vec::with_capacity(workers);
    let mut all = Vec::with_capacity(parts.len());
    for (w, (state, made)) in per_worker.into_iter().enumerate() {
        states.push(state);
        all.extend(made.into_iter().map(|(p, r)| (p, w, r)));
    }
    all.sort_unstable_by_key(|&(p, _, _)| p);
    Ok(Claimed {
        states,
        made: all.into_iter().map(|(_, w, r)| (w, r)).collect(),
    })
}

/// What [`claim_parts`] returns.
pub struct Claimed<St, R> {
    /// Each worker's final state.
    pub states: Vec<St>,
    /// In part order: the worker that took the part, and what it made of it.
    pub made: Vec<(usize, R)>,
}

/// Number of chunks for embarrassingly parallel per-document work: several
/// per thread for load balance, but not so small that overhead dominates.
pub fn transform_parts(threads: usize, len: usize) -> usize {
    if threads <= 1 {
        1
    } else {
        (threads * 8).min(len.div_ceil(64)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_sklearn() {
        assert!(resolve_n_jobs(Some(0)).is_err());
        assert_eq!(resolve_n_jobs(Some(3)).unwrap(), 3);
        assert_eq!(resolve_n_jobs(Some(-1)).unwrap(), available());
        assert!(resolve_n_jobs(Some(-1000)).unwrap() >= 1);
    }

    #[test]
    fn ranges_cover_in_order() {
        for len in 0..50 {
            for parts in 1..9 {
                let rs = ranges(len, parts);
                let flat: Vec<usize> = rs.iter().flat_map(|r| r.clone()).collect();
                assert_eq!(flat, (0..len).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn weighted_ranges_cover_in_order_and_balance() {
        for parts in 1..5 {
            for w in [
                vec![],
                vec![5],
                vec![1, 1, 1, 100, 100, 100],
                vec![0, 0, 0, 0],
            ] {
                let rs = ranges_by_weight(&w, parts);
                let flat: Vec<usize> = rs.iter().flat_map(|r| r.clone()).collect();
                assert_eq!(flat, (0..w.len()).collect::<Vec<_>>());
                assert!(rs.len() <= parts.max(1));
            }
        }
        let rs = ranges_by_weight(&[1, 1, 1, 1, 1, 1, 10, 10], 2);
        assert_eq!(rs, vec![0..7, 7..8]);
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let one = map_ranges(1, 1000, 7, |r| r.map(|i| i * i).sum::<usize>()).unwrap();
        let four = map_ranges(4, 1000, 7, |r| r.map(|i| i * i).sum::<usize>()).unwrap();
        assert_eq!(one, four);
    }

    #[test]
    fn doc_parts_cover_in_order_and_balance_bytes() {
        // 200 long documents, then 2,000 short ones (a corpus ordered by
        // source): equal-count parts would put all the long ones in the
        // first parts; equal-byte parts spread them.
        let docs: Vec<String> = (0..2200)
            .map(|i| "x".repeat(if i < 200 { 2000 } else { 20 }))
            .collect();
        for threads in [1, 2, 3] {
            let parts = map_doc_parts(threads, &docs, |r| {
                (
                    r.clone(),
                    docs[r].iter().map(|d| d.len() + 16).sum::<usize>(),
                )
            })
            .unwrap();
            let flat: Vec<usize> = parts.iter().flat_map(|(r, _)| r.clone()).collect();
            assert_eq!(flat, (0..docs.len()).collect::<Vec<_>>());
            assert_eq!(parts.len(), transform_parts(threads, docs.len()));
            let total: usize = parts.iter().map(|p| p.1).sum();
            let fair = total / parts.len();
            for (r, bytes) in &parts {
                // no part holds more than its share plus one long document
                assert!(
                    *bytes <= fair + 2016,
                    "{threads} threads: {r:?} has {bytes} bytes"
                );
            }
        }
        let none: Vec<&str> = Vec::new();
        assert_eq!(map_doc_parts(2, &none, |r| r.len()).unwrap(), vec![0]);
    }
}
