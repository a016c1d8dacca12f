//! Huge pages for large arrays accessed at random.
//!
//! SGD reads and writes its weights (and AdaGrad accumulators) at the
//! columns of each row: for 9 classes × 2**20 hashed features that is two
//! 75 MB arrays hit at random, and with 4 kB pages nearly every access also
//! misses the TLB. Linux backs a region with 2 MB transparent huge pages
//! when asked (`madvise(MADV_HUGEPAGE)`; many systems, this one included,
//! enable them only on request). On ANT Corpus batches hashed as in
//! `scripts/bench_scale.py`, `partial_fit` then takes 0.625x the time.
//! The word trie's tables (tens of MB probed once per n-gram) ask too.
//! Elsewhere, or when the kernel declines, nothing changes but speed.

/// Arrays smaller than this gain nothing: their pages fit the TLB anyway.
const MIN_BYTES: usize = 8 << 20;
const HUGE_PAGE: usize = 2 << 20;

/// `n` zeros whose memory the kernel may back with huge pages. Called
/// before the pages are first touched, so they are huge from the start.
pub fn zeroed_f64(n: usize) -> Vec<f64> {
    // `vec![0.0; n]` is a zeroed allocation: large ones are fresh mappings
    // whose pages are only faulted in when first written.
    let v = vec![0.0f64; n];
    advise(&v);
    v
}

/// `n` copies of `value` in memory the kernel may back with huge pages
/// (advised before it is first written). For hash tables probed at random,
/// such as the word trie's levels: a word (1, 2) fit took 0.95x the time
/// with one thread and with two (8 paired runs).
pub fn filled<T: Copy>(n: usize, value: T) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    advise_bytes(v.as_ptr() as usize, v.capacity() * std::mem::size_of::<T>());
    v.resize(n, value);
    v
}

/// A copy of `v` in advised memory (for arrays that arrive already
/// touched, e.g. deserialised weights that training will continue on).
pub fn rehomed(v: &[f64]) -> Vec<f64> {
    let mut out = zeroed_f64(v.len());
    out.copy_from_slice(v);
    out
}

/// Ask for huge pages on the whole 2 MB-aligned part of `v`'s memory.
fn advise<T>(v: &[T]) {
    advise_bytes(v.as_ptr() as usize, std::mem::size_of_val(v));
}

/// Ask for huge pages on the whole 2 MB-aligned part of the `len` bytes at
/// `start` (memory the caller owns).
fn advise_bytes(start: usize, len: usize) {
    if len < MIN_BYTES {
        return;
    }
    let from = start.next_multiple_of(HUGE_PAGE);
    let to = (start + len) / HUGE_PAGE * HUGE_PAGE;
    if to > from {
        madvise_huge(from, to - from);
    }
}

#[cfg(target_os = "linux")]
fn madvise_huge(addr: usize, len: usize) {
    // SAFETY: `addr..addr + len` lies inside memory owned by a live slice
    // and is page-aligned; MADV_HUGEPAGE only changes how the kernel backs
    // it, never its contents or validity. A refusal (e.g. THP disabled) is
    // harmless, so the result is ignored.
    unsafe {
        libc::madvise(addr as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn madvise_huge(_addr: usize, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel records the advice as the `hg` flag of the mapping in
    /// /proc/self/smaps, whether or not it could find huge pages.
    #[cfg(target_os = "linux")]
    #[test]
    fn large_arrays_are_advised() {
        fn flags_at(addr: usize) -> Option<String> {
            let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
            let mut inside = false;
            for line in smaps.lines() {
                let range = line.split_whitespace().next().unwrap_or("");
                if let Some((a, b)) = range.split_once('-') {
                    if let (Ok(a), Ok(b)) =
                        (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
                    {
                        inside = a <= addr && addr < b;
                        continue;
                    }
                }
                if inside && line.starts_with("VmFlags:") {
                    return Some(line.to_string());
                }
            }
            None
        }
        let big = zeroed_f64(3 * MIN_BYTES / 8);
        let mid = big.as_ptr() as usize + std::mem::size_of_val(&big[..]) / 2;
        let Some(flags) = flags_at(mid) else {
            return; // no /proc here: nothing to check
        };
        assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
        let filled = filled(3 * MIN_BYTES / 16, (7u64, 1u32));
        assert!(filled.iter().all(|&x| x == (7, 1)));
        let mid = filled.as_ptr() as usize + std::mem::size_of_val(&filled[..]) / 2;
        let flags = flags_at(mid).unwrap_or_default();
        assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
        let moved = rehomed(&big);
        let mid = moved.as_ptr() as usize + std::mem::size_of_val(&moved[..]) / 2;
        let flags = flags_at(mid).unwrap_or_default();
        assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
    }

    #[test]
    fn zeroed_arrays_are_zero_and_usable() {
        for n in [0, 10, (MIN_BYTES / 8) * 3 + 7] {
            let mut v = zeroed_f64(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x == 0.0));
            if n > 0 {
                v[n - 1] = 1.5;
                assert_eq!(v.iter().sum::<f64>(), 1.5);
            }
        }
    }
}
