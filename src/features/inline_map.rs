//! A map from short strings (up to [`INLINE`] bytes) to small values, the
//! strings stored in the slots: the `char_wb` word cache's table.
//!
//! A `char_wb` fit looks a word up per occurrence (7M lookups among ~0.6M
//! words on the bench corpus). In an [`Interner`] a hit costs three
//! dependent cache misses (slot, end offset, bytes). Here the slot holds
//! the bytes and the value, so a lookup is one slot, which the caller
//! prefetches a few words ahead ([`ProbeTable::prefetch`]). (Interning the
//! words' n-grams through such a map as well gained nothing measurable.)
//!
//! [`Interner`]: crate::features::interner::Interner
//! [`ProbeTable::prefetch`]: crate::features::id_map::ProbeTable::prefetch

use crate::features::id_map::{ProbeTable, Slot};
use crate::features::interner::hash_str;

/// Longest string (in bytes) a slot holds: ten Arabic letters.
pub(crate) const INLINE: usize = 20;

/// One slot, 32 bytes (two to a cache line). `len == 0` marks it empty
/// (keys are never empty).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
pub(crate) struct WordSlot {
    /// The hash's high half (the low bits chose the slot).
    tag: u32,
    /// The value.
    a: u32,
    b: u16,
    len: u16,
    bytes: [u8; INLINE],
}

impl Slot for WordSlot {
    const EMPTY: Self = WordSlot {
        tag: 0,
        a: 0,
        b: 0,
        len: 0,
        bytes: [0; INLINE],
    };
    fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn rehash(&self) -> u64 {
        hash_str(std::str::from_utf8(self.key()).expect("a key is a whole str"))
    }
}

/// `a == b` for short slices, byte by byte: the slices' `==` calls
/// `memcmp`, whose call cost more than the comparison (5% of a cached
/// hashing pass).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

impl WordSlot {
    fn key(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Map from strings of 1..=[`INLINE`] bytes to `(u32, u16)` values; `len`
/// and `prefetch` are the table's.
#[derive(Default)]
pub(crate) struct InlineMap(ProbeTable<WordSlot>);

impl std::ops::Deref for InlineMap {
    type Target = ProbeTable<WordSlot>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl InlineMap {
    /// The value of `word` (hash `hash`, 1..=[`INLINE`] bytes), if present.
    #[inline]
    pub fn get(&self, word: &str, hash: u64) -> Option<(u32, u16)> {
        let w = word.as_bytes();
        debug_assert!(!w.is_empty() && w.len() <= INLINE);
        let tag = (hash >> 32) as u32;
        self.0
            .find(hash, |s| s.tag == tag && same_bytes(s.key(), w))
            .map(|s| (s.a, s.b))
    }

    /// Add `word` (absent, 1..=[`INLINE`] bytes, hash `hash`) with value
    /// `(a, b)`.
    pub fn insert_new(&mut self, word: &str, hash: u64, a: u32, b: u16) {
        debug_assert!(!word.is_empty() && self.get(word, hash).is_none());
        let mut bytes = [0u8; INLINE];
        bytes[..word.len()].copy_from_slice(word.as_bytes());
        let slot = WordSlot {
            tag: (hash >> 32) as u32,
            a,
            b,
            len: word.len() as u16,
            bytes,
        };
        self.0.insert_new(hash, slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #[test]
        fn agrees_with_a_hash_map(words in prop::collection::vec("[اب ت]{1,10}|[a-c]{1,21}", 0..400)) {
            let mut ours = InlineMap::default();
            let mut std_map: HashMap<String, (u32, u16)> = HashMap::new();
            for (i, w) in words.iter().filter(|w| !w.is_empty() && w.len() <= INLINE).enumerate() {
                let h = hash_str(w);
                ours.prefetch(h);
                match std_map.get(w.as_str()) {
                    Some(&v) => prop_assert_eq!(ours.get(w, h), Some(v)),
                    None => {
                        prop_assert_eq!(ours.get(w, h), None);
                        let v = (i as u32 * 7, (i % 90) as u16);
                        ours.insert_new(w, h, v.0, v.1);
                        std_map.insert(w.clone(), v);
                    }
                }
            }
            prop_assert_eq!(ours.len(), std_map.len());
            for (w, &v) in &std_map {
                prop_assert_eq!(ours.get(w, hash_str(w)), Some(v));
            }
        }
    }

    #[test]
    fn words_differing_only_in_length_or_last_byte_are_apart() {
        let mut c = InlineMap::default();
        let words = ["ابتثجحخدذر", "ابتثجحخدذ", "ابتثجحخدذز", "a", "aa"];
        for (i, w) in words.iter().enumerate() {
            c.insert_new(w, hash_str(w), i as u32, 1);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(c.get(w, hash_str(w)), Some((i as u32, 1)));
        }
        assert_eq!(c.get("b", hash_str("b")), None);
        // Same hash, other bytes: not a hit.
        assert_eq!(c.get("b", hash_str("a")), None);
        assert_eq!(c.get("ابتثجحخدذس", hash_str("ابتثجحخدذر")), None);
    }
}
