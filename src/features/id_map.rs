//! A `u64 -> u32` hash map whose lookups can be announced ahead of time.
//!
//! The word n-gram trie ([`crate::features::vocab_counts`]) looks up one
//! integer key per n-gram occurrence in tables of millions of entries, so
//! nearly every lookup of a rare n-gram is a cache miss, taken one after
//! another. With open addressing a key's first slot follows from its hash
//! alone, so the caller can hash a document's keys first and
//! [`IdMap::prefetch`] each slot a few lookups before [`IdMap::get`] reads
//! it; the misses then overlap. hashbrown does not expose its slots, hence
//! this small table of our own.
//!
//! Layout: linear probing over 16-byte slots (four to a cache line), at
//! most three quarters full; an empty slot holds the key `u64::MAX`.

/// One slot: a key and its value, 16 bytes so that four share a cache line
/// and a slot never straddles two.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    val: u32,
}

/// The key of an empty slot. Trie keys are `(node << 32) | token` of ids
/// below `u32::MAX`, so it never occurs as a key.
const EMPTY: u64 = u64::MAX;

const EMPTY_SLOT: Slot = Slot { key: EMPTY, val: 0 };

/// Map from `u64` keys (never `u64::MAX`) to `u32` values.
pub(crate) struct IdMap {
    slots: Vec<Slot>,
    len: usize,
}

impl Default for IdMap {
    fn default() -> Self {
        Self {
            slots: vec![EMPTY_SLOT; 16],
            len: 0,
        }
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
        let slot = &self.slots[hash as usize & self.mask()];
        prefetch(std::ptr::from_ref(slot).cast());
    }

    /// The value of `key` (whose hash is `hash`), if present.
    #[inline]
    pub fn get(&self, key: u64, hash: u64) -> Option<u32> {
        debug_assert_ne!(key, EMPTY);
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let s = self.slots[i];
            if s.key == key {
                return Some(s.val);
            }
            if s.key == EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Add `key -> val`; the caller guarantees `key` is absent.
    pub fn insert_new(&mut self, key: u64, hash: u64, val: u32) {
        debug_assert_ne!(key, EMPTY);
        debug_assert!(self.get(key, hash).is_none());
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        self.place(key, hash, val);
        self.len += 1;
    }

    fn place(&mut self, key: u64, hash: u64, val: u32) {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        while self.slots[i].key != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot { key, val };
    }

    fn grow(&mut self) {
        let bigger = vec![EMPTY_SLOT; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        for s in old.into_iter().filter(|s| s.key != EMPTY) {
            self.place(s.key, Self::hash(s.key), s.val);
        }
    }
}

/// Hint the CPU to load the cache line at `p` (a no-op where we have no
/// stable prefetch instruction). Never faults, whatever the address.
#[inline(always)]
pub(crate) fn prefetch(p: *const i8) {
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
            prop_assert!(ours.len() * 4 <= ours.slots.len() * 3);
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
