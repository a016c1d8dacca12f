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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
