//! A string interner: every term's bytes in one arena, a hash table of ids.
//!
//! Vocabularies hold millions of short n-grams. One heap allocation per term
//! (`HashMap<Box<str>, u32>`) costs ~50 bytes of overhead each and makes
//! building and freeing the map the bottleneck of fitting; here a term costs
//! its bytes plus ~20 bytes, lookups compare against the arena, and the
//! stored hash makes growing the table and sharding a merge free of
//! re-hashing.

use std::hash::BuildHasher;
use std::mem::MaybeUninit;

use hashbrown::HashTable;
use rayon::prelude::*;

use crate::error::Result;
use crate::parallel::install;

/// The hash used for terms: foldhash with a fixed seed (well mixed in the
/// high bits, which hashbrown uses for its tag bytes).
#[inline]
pub fn hash_str(s: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6b68_6162_6172).hash_one(s)
}

/// Append-only map from strings to dense ids `0..len`.
#[derive(Default, Clone)]
pub struct Interner {
    bytes: String,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    table: HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish()
    }
}

impl Interner {
    pub fn with_capacity(terms: usize, bytes: usize) -> Self {
        Self {
            bytes: String::with_capacity(bytes),
            ends: Vec::with_capacity(terms),
            hashes: Vec::with_capacity(terms),
            table: HashTable::with_capacity(terms),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The term with id `id`.
    #[inline]
    pub fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// The stored hash of term `id`.
    #[inline]
    pub fn hash_of(&self, id: u32) -> u64 {
        self.hashes[id as usize]
    }

    /// Id of `s` given its hash, if present.
    #[inline]
    pub fn find_hashed(&self, s: &str, hash: u64) -> Option<u32> {
        debug_assert_eq!(self.table.len(), self.len(), "lookup with unindexed terms");
        self.table.find(hash, |&id| self.get(id) == s).copied()
    }

    /// Id of `s`, if present.
    #[inline]
    pub fn find(&self, s: &str) -> Option<u32> {
        self.find_hashed(s, hash_str(s))
    }

    /// Id of `s`, adding it if new. Returns `(id, was_new)`.
    #[inline]
    pub fn intern_hashed(&mut self, s: &str, hash: u64) -> (u32, bool) {
        if let Some(id) = self.find_hashed(s, hash) {
            return (id, false);
        }
        (self.push_new(s, hash), true)
    }

    /// Id of `s`, adding it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_hashed(s, hash_str(s)).0
    }

    /// Append `s` without checking for a duplicate (caller guarantees it).
    pub fn push_new(&mut self, s: &str, hash: u64) -> u32 {
        let id = self.ends.len() as u32;
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table.insert_unique(hash, id, |&i| hashes[i as usize]);
        id
    }

    /// Append `s` without adding it to the lookup table (caller guarantees
    /// it is new): [`Interner::find`] does not see it until
    /// [`Interner::index_pending`], nor a detached table until
    /// [`PendingIndex::run`]. Appending is cheap; the table inserts are
    /// cache misses, worth doing in one sweep, later, or never when no
    /// term is looked up by string.
    pub fn push_unindexed(&mut self, s: &str, hash: u64) -> u32 {
        let id = self.ends.len() as u32;
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        self.hashes.push(hash);
        id
    }

    /// Append, unindexed, the terms of `src` listed in `parts` (ids into
    /// `src`, each new to `self`), the parts' terms laid end to end in
    /// order: the same as [`Interner::push_unindexed`] for each in turn,
    /// but each part fills its own stretch of the arrays on one of up to
    /// `threads` threads (copying and first-touching megabytes of new
    /// memory, serial, was a third of a two-worker merge). Returns the id
    /// of each part's first term.
    pub fn append_parts_unindexed(
        &mut self,
        src: &Interner,
        parts: &[Vec<u32>],
        threads: usize,
    ) -> Result<Vec<u32>> {
        let n_new: usize = parts.iter().map(Vec::len).sum();
        let part_bytes: Vec<usize> = parts
            .iter()
            .map(|p| p.iter().map(|&id| src.get(id).len()).sum())
            .collect();
        let (len0, bytes0) = (self.len(), self.bytes.len());
        self.ends.reserve(n_new);
        self.hashes.reserve(n_new);
        // SAFETY: only whole `str`s are copied in below, and only the
        // bytes written are made part of the string, so it stays UTF-8.
        let bytes = unsafe { self.bytes.as_mut_vec() };
        bytes.reserve(part_bytes.iter().sum());
        let (mut b_rest, mut e_rest, mut h_rest) = (
            bytes.spare_capacity_mut(),
            self.ends.spare_capacity_mut(),
            self.hashes.spare_capacity_mut(),
        );
        let mut jobs = Vec::with_capacity(parts.len());
        let mut firsts = Vec::with_capacity(parts.len());
        let (mut at_byte, mut at_id) = (bytes0, len0);
        for (part, &nb) in parts.iter().zip(&part_bytes) {
            let (b, br) = std::mem::take(&mut b_rest).split_at_mut(nb);
            let (e, er) = std::mem::take(&mut e_rest).split_at_mut(part.len());
            let (h, hr) = std::mem::take(&mut h_rest).split_at_mut(part.len());
            (b_rest, e_rest, h_rest) = (br, er, hr);
            jobs.push((part, b, e, h, at_byte));
            firsts.push(at_id as u32);
            at_byte += nb;
            at_id += part.len();
        }
        let fill = |(part, b, e, h, base): FillJob<'_>| {
            let mut o = 0;
            for (k, &id) in part.iter().enumerate() {
                let t = src.get(id).as_bytes();
                for (d, &c) in b[o..o + t.len()].iter_mut().zip(t) {
                    d.write(c);
                }
                o += t.len();
                e[k].write(base + o);
                h[k].write(src.hash_of(id));
            }
        };
        if threads <= 1 || jobs.len() <= 1 {
            jobs.into_iter().for_each(fill);
        } else {
            install(threads, || jobs.into_par_iter().for_each(fill))?;
        }
        // SAFETY: every element up to these lengths was written above.
        unsafe {
            bytes.set_len(at_byte);
            self.ends.set_len(at_id);
            self.hashes.set_len(at_id);
        }
        Ok(firsts)
    }

    /// Add the terms appended by [`Interner::push_unindexed`] to the lookup
    /// table (nothing to do when there are none).
    #[inline]
    pub fn index_pending(&mut self) {
        // Checked inline: counting calls this once per n-gram, and there
        // is almost never anything to do.
        if self.table.len() < self.hashes.len() {
            let from = self.table.len();
            insert_ids(&mut self.table, &self.hashes, from);
        }
    }

    /// Take the lookup table out, to add the unindexed terms to it later
    /// ([`PendingIndex::run`]) and look terms up through it
    /// ([`PendingIndex::find`]). This interner's own `find` then finds
    /// nothing.
    pub fn detach_index(&mut self) -> PendingIndex {
        let table = std::mem::take(&mut self.table);
        PendingIndex {
            from: table.len(),
            table,
        }
    }

    /// Whether every term is in the lookup table ([`Interner::find`] sees
    /// them all).
    pub fn is_indexed(&self) -> bool {
        self.table.len() == self.len()
    }

    /// Terms in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32).map(move |i| self.get(i))
    }

    /// Total bytes of all terms.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }
}

/// One part of [`Interner::append_parts_unindexed`]: the source ids, the
/// stretches of bytes, ends and hashes they fill, and their first byte.
type FillJob<'a> = (
    &'a Vec<u32>,
    &'a mut [MaybeUninit<u8>],
    &'a mut [MaybeUninit<usize>],
    &'a mut [MaybeUninit<u64>],
    usize,
);

/// An [`Interner`]'s lookup table taken out by [`Interner::detach_index`]
/// and the first term id it does not hold yet.
#[derive(Default)]
pub struct PendingIndex {
    table: HashTable<u32>,
    from: usize,
}

impl PendingIndex {
    /// Add the terms of `terms` (the interner this table was taken from)
    /// that it does not hold yet.
    pub fn run(&mut self, terms: &Interner) {
        insert_ids(&mut self.table, &terms.hashes, self.from);
        self.from = self.from.max(terms.hashes.len());
    }

    /// Id of `s` among `terms` (the interner this table was taken from),
    /// if present. The table must hold all of them ([`PendingIndex::run`]).
    #[inline]
    pub fn find(&self, terms: &Interner, s: &str) -> Option<u32> {
        debug_assert_eq!(self.table.len(), terms.len(), "lookup with unindexed terms");
        self.table
            .find(hash_str(s), |&id| terms.get(id) == s)
            .copied()
    }
}

/// Add ids `from..hashes.len()` to `table`, which holds the ids below
/// `from`.
///
/// One by one, in id order, each insert is a cache miss (the ids' hashes
/// are random) and the table grows several times on the way. Here the
/// table is grown once, and many ids are inserted in the order of their
/// first bucket (the hash's low bits under hashbrown's power-of-two mask),
/// so the writes sweep the table: 1.9M terms took ~0.1 s one by one.
/// Any order gives a correct table; this one is only faster.
fn insert_ids(table: &mut HashTable<u32>, hashes: &[u64], from: usize) {
    let to = hashes.len();
    if to <= from {
        return;
    }
    let hasher = |&i: &u32| hashes[i as usize];
    table.reserve(to - from, hasher);
    if to - from < 1 << 14 {
        for (id, &h) in hashes.iter().enumerate().skip(from) {
            table.insert_unique(h, id as u32, hasher);
        }
        return;
    }
    // hashbrown keeps 7/8 of a power-of-two bucket count usable.
    let mask = ((table.capacity() / 7 * 8).next_power_of_two() - 1) as u64;
    let mut order: Vec<(u64, u32)> = (from..to).map(|id| (hashes[id], id as u32)).collect();
    radsort::sort_by_key(&mut order, |&(h, _)| h & mask);
    for (h, id) in order {
        table.insert_unique(h, id, hasher);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_finds() {
        let mut it = Interner::default();
        let a = it.intern("بغداد");
        let b = it.intern("a b");
        assert_eq!(it.intern("بغداد"), a);
        assert_eq!((a, b), (0, 1));
        assert_eq!(it.get(b), "a b");
        assert_eq!(it.find("nope"), None);
        assert_eq!(it.find(""), None);
        let e = it.intern("");
        assert_eq!(it.get(e), "");
        assert_eq!(it.iter().collect::<Vec<_>>(), vec!["بغداد", "a b", ""]);
    }

    #[test]
    fn unindexed_terms_are_found_once_indexed() {
        let mut it = Interner::default();
        it.intern("a");
        for i in 0..100 {
            let t = format!("t{i}");
            assert_eq!(it.push_unindexed(&t, hash_str(&t)), i + 1);
        }
        let mut pending = it.detach_index();
        // Indexed on another thread while the terms are read here.
        let terms = &it;
        let mut pending = std::thread::scope(|s| {
            let h = s.spawn(move || {
                pending.run(terms);
                pending
            });
            assert_eq!(terms.get(100), "t99");
            h.join().unwrap()
        });
        assert!(!it.is_indexed(), "the interner's own table is gone");
        assert_eq!(pending.find(&it, "a"), Some(0));
        assert_eq!(pending.find(&it, "t0"), Some(1));
        assert_eq!(pending.find(&it, "t99"), Some(100));
        assert_eq!(pending.find(&it, "t100"), None);
        // Run again after more terms, it adds only those.
        it.push_unindexed("late", hash_str("late"));
        pending.run(&it);
        assert_eq!(pending.find(&it, "late"), Some(101));
        assert_eq!(pending.find(&it, "t50"), Some(51));
        // An empty table (the detached one lost) rebuilds the whole index.
        let mut fresh = PendingIndex::default();
        fresh.run(&it);
        assert_eq!(fresh.find(&it, "a"), Some(0));
        assert_eq!(fresh.find(&it, "late"), Some(101));
        assert_eq!(fresh.find(&it, "new"), None);
    }

    #[test]
    fn appending_parts_equals_pushing_one_by_one() {
        let mut src = Interner::default();
        for t in ["a", "بغداد", "", "é b", "x", "long term here", "z"] {
            src.intern(t);
        }
        let parts: Vec<Vec<u32>> = vec![vec![1, 3], vec![], vec![0, 2, 6], vec![5]];
        for threads in [1, 2, 3] {
            let mut want = Interner::default();
            want.intern("kept");
            let mut got = want.clone();
            for &id in parts.iter().flatten() {
                want.push_unindexed(src.get(id), src.hash_of(id));
            }
            let firsts = got.append_parts_unindexed(&src, &parts, threads).unwrap();
            assert_eq!(firsts, vec![1, 3, 3, 6]);
            assert_eq!(
                got.iter().collect::<Vec<_>>(),
                want.iter().collect::<Vec<_>>()
            );
            assert_eq!(got.hashes, want.hashes);
            // Unindexed until the table is brought up to date.
            assert!(!got.is_indexed());
            got.index_pending();
            assert!(got.is_indexed());
            for id in 0..got.len() as u32 {
                assert_eq!(got.find(got.get(id)), Some(id));
            }
        }
    }

    #[test]
    fn many_unindexed_terms_are_indexed_in_one_sweep() {
        // Above the threshold where ids are inserted in bucket order.
        let mut it = Interner::default();
        it.intern("first");
        for i in 0..40_000u32 {
            let t = format!("w{i}");
            it.push_unindexed(&t, hash_str(&t));
        }
        it.index_pending();
        assert_eq!(it.find("first"), Some(0));
        for i in 0..40_000u32 {
            assert_eq!(it.find(&format!("w{i}")), Some(i + 1));
        }
        assert_eq!(it.find("w40000"), None);
        assert_eq!(it.intern("late"), 40_001);
        it.index_pending(); // nothing pending: a no-op
        assert_eq!(it.find("late"), Some(40_001));
    }

    #[test]
    fn survives_growth() {
        let mut it = Interner::default();
        for i in 0..10_000 {
            assert_eq!(it.intern(&i.to_string()), i);
        }
        for i in 0..10_000u32 {
            assert_eq!(it.find(&i.to_string()), Some(i));
        }
    }
}
