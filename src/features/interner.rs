//! A string interner: every term's bytes in one arena, a hash table of ids.
//!
//! Vocabularies hold millions of short n-grams. One heap allocation per term
//! (`HashMap<Box<str>, u32>`) costs ~50 bytes of overhead each and makes
//! building and freeing the map the bottleneck of fitting; here a term costs
//! its bytes plus ~20 bytes, lookups compare against the arena, and the
//! stored hash makes growing the table and sharding a merge free of
//! re-hashing.

use std::hash::BuildHasher;

use hashbrown::HashTable;

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

    /// Make room for `terms` more terms holding `bytes` bytes in all, so that
    /// adding them moves and rehashes nothing.
    pub fn reserve(&mut self, terms: usize, bytes: usize) {
        self.bytes.reserve(bytes);
        self.ends.reserve(terms);
        self.hashes.reserve(terms);
        let hashes = &self.hashes;
        self.table.reserve(terms, |&i| hashes[i as usize]);
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

    /// Terms in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32).map(move |i| self.get(i))
    }

    /// Total bytes of all terms.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
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
    fn reserved_room_keeps_terms_findable() {
        let mut it = Interner::default();
        it.intern("a");
        it.reserve(1000, 4000);
        for i in 0..1000 {
            let t = format!("t{i}");
            assert_eq!(it.push_new(&t, hash_str(&t)), i + 1);
        }
        assert_eq!(it.find("a"), Some(0));
        assert_eq!(it.find("t999"), Some(1000));
        assert_eq!(
            it.byte_len(),
            1 + (0..1000).map(|i| format!("t{i}").len()).sum::<usize>()
        );
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
