//! Word-at-a-time scanning for the JSON reader's inner loops, built on the SWAR primitives of `crate::bytes`.

use crate::bytes::{HIGHS, LOW7, ONES, eq_mask, lt_mask, nonzero_bytes};
pub(crate) use crate::bytes::{first, word};

/// Flags the bytes that end the fast path of a string: `"`, `\` and control characters.
#[inline(always)]
pub(crate) fn string_specials(w: u64) -> u64 {
    eq_mask(w, b'"') | eq_mask(w, b'\\') | lt_mask(w, 0x20)
}

/// Flags the bytes that are not a space, exactly for every byte.
#[inline(always)]
pub(crate) fn non_spaces(w: u64) -> u64 {
    nonzero_bytes(w ^ (ONES * u64::from(b' ')))
}

/// Flags the bytes of `w` that are not ASCII digits, exactly for every byte (no carry crosses a byte).
#[inline(always)]
pub(crate) fn non_digits(w: u64) -> u64 {
    // Digits become 0..=9; a byte is a non-digit when its low seven bits exceed 9 or its high bit is set.
    let x = w ^ (ONES * u64::from(b'0'));
    ((x & LOW7).wrapping_add(ONES * (0x7f - 9)) | x) & HIGHS
}

/// The index of the first byte at or after `i` that is not an ASCII digit (or `bytes.len()`).
#[inline(always)]
pub(crate) fn skip_digits(bytes: &[u8], mut i: usize) -> usize {
    while i + 8 <= bytes.len() {
        let mask = non_digits(word(bytes, i));
        if mask != 0 {
            return i + first(mask);
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// The high bits of `w`: non-zero when any byte is not ASCII.
#[inline(always)]
pub(crate) fn non_ascii(w: u64) -> u64 {
    w & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_digits_finds_the_first_non_digit() {
        let text = b"0123456789012345678x9";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let expected = (start..end).find(|&k| !text[k].is_ascii_digit()).unwrap_or(end);
                assert_eq!(skip_digits(&text[..end], start), expected);
            }
        }
    }

    fn reference_first(bytes: &[u8; 8], pred: impl Fn(u8) -> bool) -> Option<usize> {
        bytes.iter().position(|&b| pred(b))
    }

    #[test]
    fn masks_agree_with_byte_by_byte_tests_on_every_byte_value() {
        // Each byte value at each lane, over a background of every other byte value.
        for background in 0..=255u8 {
            for value in 0..=255u8 {
                for lane in 0..8 {
                    let mut bytes = [background; 8];
                    bytes[lane] = value;
                    let w = u64::from_le_bytes(bytes);
                    let special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
                    let got = (string_specials(w) != 0).then(|| first(string_specials(w)));
                    assert_eq!(got, reference_first(&bytes, special), "{bytes:?}");
                    let got = (non_spaces(w) != 0).then(|| first(non_spaces(w)));
                    assert_eq!(got, reference_first(&bytes, |b| b != b' '), "{bytes:?}");
                    let got = (non_digits(w) != 0).then(|| first(non_digits(w)));
                    assert_eq!(got, reference_first(&bytes, |b| !b.is_ascii_digit()), "{bytes:?}");
                }
            }
        }
    }
}
