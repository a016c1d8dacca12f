//! Decoding one code point at a known character boundary.
//!
//! The hot loops of the normaliser and the tokenizer look at every
//! character. `text[i..].chars().next()` re-checks the boundary and builds an
//! iterator for each one; on Arabic text (two bytes per letter) that was a
//! large share of their time. Here the caller guarantees `i` is a boundary of
//! valid UTF-8 (it comes from a `&str`), so the lead byte alone says how many
//! continuation bytes follow.

/// The code point of the two-byte character (U+0080..U+07FF, all of Arabic)
/// starting at byte `i` of `b`, if the character there is one. For the
/// normaliser's and tokenizer's fast loops over Arabic letters; `b` must be
/// valid UTF-8 and `i` a character boundary.
#[inline(always)]
pub fn two_byte_at(b: &[u8], i: usize) -> Option<usize> {
    let b0 = *b.get(i)?;
    if !(0xC2..0xE0).contains(&b0) {
        return None;
    }
    Some((usize::from(b0 & 0x1F) << 6) | usize::from(*b.get(i + 1)? & 0x3F))
}

/// The code point starting at byte `i` of `s` and its length in bytes.
///
/// `i` must be a character boundary of `s` (checked in debug builds); the
/// indexing below is still bounds-checked, so a wrong `i` panics instead of
/// reading out of bounds.
#[inline(always)]
pub fn decode_at(s: &str, i: usize) -> (u32, usize) {
    debug_assert!(s.is_char_boundary(i));
    let b = s.as_bytes();
    let b0 = u32::from(b[i]);
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (u32::from(b[i + 1]) & 0x3F), 2)
    } else if b0 < 0xF0 {
        (
            ((b0 & 0x0F) << 12)
                | ((u32::from(b[i + 1]) & 0x3F) << 6)
                | (u32::from(b[i + 2]) & 0x3F),
            3,
        )
    } else {
        (
            ((b0 & 0x07) << 18)
                | ((u32::from(b[i + 1]) & 0x3F) << 12)
                | ((u32::from(b[i + 2]) & 0x3F) << 6)
                | (u32::from(b[i + 3]) & 0x3F),
            4,
        )
    }
}

/// [`decode_at`] as a `char`.
#[inline(always)]
pub fn char_at(s: &str, i: usize) -> (char, usize) {
    let (u, len) = decode_at(s, i);
    // Valid UTF-8 never decodes to a surrogate or past U+10FFFF.
    (
        char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER),
        len,
    )
}

/// Whether byte `b` can start a whitespace character: ASCII whitespace
/// (all of it at or below the space) or the lead byte of a non-ASCII one
/// (U+0085 and U+00A0 after 0xC2, U+1680 after 0xE1, U+2000..U+205F after
/// 0xE2, U+3000 after 0xE3; 0xE0 is let in too, as the test is cheaper
/// for the range 0xE0..=0xE3). A candidate still needs decoding and
/// checking; every other byte is certainly not the start of a space.
#[inline(always)]
pub fn may_start_space(b: u8) -> bool {
    b <= b' ' || b == 0xC2 || b & 0xFC == 0xE0
}

/// The first position at or after `from` whose byte [`may_start_space`],
/// or `b.len()`.
/// Sixteen bytes at a time: splitting text into words byte by byte was a
/// fifth of a cached word-hashing pass.
#[inline]
pub fn next_space_candidate(b: &[u8], from: usize) -> usize {
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        while i + 16 <= b.len() {
            // SAFETY: bytes i..i + 16 are in bounds and the load is
            // unaligned; SSE2 is part of the x86-64 baseline.
            let m = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(i).cast());
                let low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x20)), v);
                let c2 = _mm_cmpeq_epi8(v, _mm_set1_epi8(0xC2u8 as i8));
                let e0_e3 = _mm_cmpeq_epi8(
                    _mm_and_si128(v, _mm_set1_epi8(0xFCu8 as i8)),
                    _mm_set1_epi8(0xE0u8 as i8),
                );
                _mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(c2, e0_e3))) as u32
            };
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    b[i..]
        .iter()
        .position(|&x| may_start_space(x))
        .map_or(b.len(), |p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn space_candidates_are_found_like_a_byte_loop(
            s in "([ab\t\n\u{1c}\u{1f} ]|\u{a0}|\u{85}|\u{e0}|\u{800}|\u{1680}|\u{2000}|\u{3000}|\u{fb50}|بغداد|\u{10000}){0,40}",
            from in 0usize..60,
        ) {
            let b = s.as_bytes();
            let from = from.min(b.len());
            let want = (from..b.len()).find(|&i| may_start_space(b[i])).unwrap_or(b.len());
            prop_assert_eq!(next_space_candidate(b, from), want);
        }
    }

    proptest! {
        #[test]
        fn agrees_with_std(s in "\\PC{0,40}") {
            let mut i = 0;
            for c in s.chars() {
                prop_assert_eq!(char_at(&s, i), (c, c.len_utf8()));
                i += c.len_utf8();
            }
        }
    }

    #[test]
    fn every_length() {
        for s in ["a", "ب", "€", "😀"] {
            assert_eq!(char_at(s, 0), (s.chars().next().unwrap(), s.len()));
        }
    }
}
