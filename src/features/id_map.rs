//! A `u64 -> u32` hash map whose lookups can be announced ahead of time.
//!
//! The word n-gram trie ([`crate::features::vocab_counts`]) looks up one
//! integer key per n-gram occurrence in tables of millions of entries, so
//! nearly every lookup of a rare n-gram is a cache miss, taken one after
//! another. With open addressing a key's first slot follows from its hash
//! alone, so the caller can hash a document's keys first and
//! [`ProbeTable::prefetch`] each slot a few lookups before [`IdMap::get`] reads
//! it; the misses then overlap. hashbrown does not expose its slots, hence
//! this small table of our own.
//!
//! [`ProbeTable`] is the table, generic over its slots; [`IdMap`] its
//! `u64 -> u32` use, in 16-byte slots (four to a cache line). An empty
//! slot holds the key `u64::MAX`.

/// A slot of a [`ProbeTable`].
pub(crate) trait Slot: Copy {
    /// The value of an empty slot.
    const EMPTY: Self;
    fn is_empty(&self) -> bool;
    /// The hash the slot's key was placed by (for growing).
    fn rehash(&self) -> u64;
}

/// Open addressing with linear probing, at most three quarters full: the
/// first slot a key is looked for at follows from its hash alone, which is
/// what makes [`ProbeTable::prefetch`] possible.
pub(crate) struct ProbeTable<S: Slot> {
    slots: Vec<S>,
    len: usize,
}

impl<S: Slot> Default for ProbeTable<S> {
    fn default() -> Self {
        Self {
            slots: vec![S::EMPTY; 16],
            len: 0,
        }
    }
}

impl<S: Slot> ProbeTable<S> {
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Start loading the first slot of a key with hash `hash` into cache.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        prefetch(&self.slots[hash as usize & self.mask()]);
    }

    /// The slot of the key with hash `hash` that `is_key` recognises.
    #[inline]
    pub fn find(&self, hash: u64, is_key: impl Fn(&S) -> bool) -> Option<&S> {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let s = &self.slots[i];
            if s.is_empty() {
                return None;
            }
            if is_key(s) {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    /// Add `slot`, whose key has hash `hash`; the caller guarantees the key
    /// is absent.
    pub fn insert_new(&mut self, hash: u64, slot: S) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let bigger = crate::hugepages::filled(self.slots.len() * 2, S::EMPTY);
            let old = std::mem::replace(&mut self.slots, bigger);
            for s in old.into_iter().filter(|s| !s.is_empty()) {
                self.place(s.rehash(), s);
            }
        }
        self.place(hash, slot);
        self.len += 1;
    }

    fn place(&mut self, hash: u64, slot: S) {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        while !self.slots[i].is_empty() {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }
}

/// A key and its value, 16 bytes so that four share a cache line and a
/// slot never straddles two.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
pub(crate) struct KeySlot {
    key: u64,
    val: u32,
}

/// The key of an empty slot. Trie keys are `(node << 32) | token` of ids
/// below `u32::MAX`, so it never occurs as a key.
const EMPTY: u64 = u64::MAX;

impl Slot for KeySlot {
    const EMPTY: Self = KeySlot { key: EMPTY, val: 0 };
    fn is_empty(&self) -> bool {
        self.key == EMPTY
    }
    fn rehash(&self) -> u64 {
        IdMap::hash(self.key)
    }
}

/// Map from `u64` keys (never `u64::MAX`) to `u32` values; `len` and
/// `prefetch` are the table's.
#[derive(Default)]
pub(crate) struct IdMap(ProbeTable<KeySlot>);

impl std::ops::Deref for IdMap {
    type Target = ProbeTable<KeySlot>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl IdMap {
    /// The hash of `key` (a folded 128-bit multiply: both halves of the key
    /// reach the low bits the slot index is taken from).
    #[inline]
    pub fn hash(key: u64) -> u64 {
        let m = u128::from(key ^ 0x243f_6a88_85a3_08d3) * 0x9e37_79b9_7f4a_7c15u128;
        (m as u64) ^ ((m >> 64) as u64)
    }

    /// The value of `key` (whose hash is `hash`), if present.
    #[inline]
    pub fn get(&self, key: u64, hash: u64) -> Option<u32> {
        debug_assert_ne!(key, EMPTY);
        self.0.find(hash, |s| s.key == key).map(|s| s.val)
    }

    /// The value of `key` (whose hash is `hash`); when absent, the value
    /// `make` gives (called with the map's length, for maps that number
    /// their keys), stored first.
    #[inline]
    pub fn get_or_insert_with(
        &mut self,
        key: u64,
        hash: u64,
        make: impl FnOnce(usize) -> u32,
    ) -> u32 {
        if let Some(v) = self.get(key, hash) {
            return v;
        }
        let v = make(self.len());
        self.insert_new(key, hash, v);
        v
    }

    /// Add `key -> val`; the caller guarantees `key` is absent.
    pub fn insert_new(&mut self, key: u64, hash: u64, val: u32) {
        debug_assert_ne!(key, EMPTY);
        debug_assert!(self.get(key, hash).is_none());
        self.0.insert_new(hash, KeySlot { key, val });
    }
}

/// Hint the CPU to load the cache line holding `r` (a no-op where we have
/// no stable prefetch instruction).
#[inline(always)]
pub(crate) fn prefetch<T>(r: &T) {
    prefetch_at(std::ptr::from_ref(r).cast());
}

/// Hint the CPU to load the cache lines of the first and last bytes of
/// `s`, all of a span that fits two lines (nothing for an empty span).
#[inline(always)]
pub(crate) fn prefetch_span<T>(s: &[T]) {
    if let Some(first) = s.first() {
        prefetch(first);
        let end = std::ptr::from_ref(first).cast::<i8>();
        prefetch_at(end.wrapping_add(std::mem::size_of_val(s) - 1));
    }
}

/// Hint the CPU to load the cache line at `p`. Never faults, whatever the
/// address.
#[inline(always)]
fn prefetch_at(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint; it reads nothing and cannot
        // fault, whatever the address (SSE is part of the x86-64 baseline).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #[test]
        fn agrees_with_a_hash_map(keys in prop::collection::vec(0u64..5_000, 0..3_000)) {
            let mut ours = IdMap::default();
            let mut std_map = HashMap::new();
            for (i, &k) in keys.iter().enumerate() {
                // structured keys as the trie makes them: node << 32 | token
                let key = (k % 70) << 32 | (k / 70);
                let h = IdMap::hash(key);
                ours.prefetch(h);
                match std_map.get(&key) {
                    Some(&v) => prop_assert_eq!(ours.get(key, h), Some(v)),
                    None => {
                        prop_assert_eq!(ours.get(key, h), None);
                        ours.insert_new(key, h, i as u32);
                        std_map.insert(key, i as u32);
                    }
                }
            }
            prop_assert_eq!(ours.len(), std_map.len());
            for (&k, &v) in &std_map {
                prop_assert_eq!(ours.get(k, IdMap::hash(k)), Some(v));
            }
            prop_assert!(ours.len() * 4 <= ours.0.slots.len() * 3);
        }
    }

    #[test]
    fn extreme_keys_below_the_sentinel() {
        let mut m = IdMap::default();
        for (i, k) in [0, 1, u64::MAX - 1, (u64::from(u32::MAX - 1) << 32) | 7]
            .into_iter()
            .enumerate()
        {
            m.insert_new(k, IdMap::hash(k), i as u32);
        }
        assert_eq!(m.get(u64::MAX - 1, IdMap::hash(u64::MAX - 1)), Some(2));
        assert_eq!(m.get(0, IdMap::hash(0)), Some(0));
        assert_eq!(m.get(2, IdMap::hash(2)), None);
    }
}
