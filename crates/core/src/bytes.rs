//! Word-at-a-time byte kernels: eight bytes tested at once with plain integer arithmetic (SWAR), which needs no
//! `unsafe` and no CPU feature detection, and runs the same on every target and under miri. The primitives here
//! serve the JSON scanner (`json/scan.rs`); the counting kernels serve the streaming input, which counts the
//! lines and characters it drops so that positions stay exact.

pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Reads eight bytes at `i` as a little-endian word. The caller guarantees `i + 8 <= bytes.len()`.
#[inline(always)]
pub(crate) fn word(bytes: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[i..i + 8]);
    u64::from_le_bytes(w)
}

/// The bytes of `rest` (fewer than eight) as a little-endian word, zero-padded: the tail of a hashed key or of
/// a string tested word by word. Built in a register from at most two overlapping loads (where they overlap the
/// bytes are the same, so OR keeps them). A byte loop's trip count, different for every string, is a branch
/// mispredicted about once a string: the JSON writer's escape test (`json::write::tail_word`) had one, and
/// building its tail this way made YAML → JSON measurably faster (docs/benchmarks.md, "Branches per string").
#[inline(always)]
pub(crate) fn tail_word_zeroed(rest: &[u8]) -> u64 {
    let n = rest.len();
    debug_assert!(n < 8);
    let at = |k: usize, width: usize| {
        let mut b = [0u8; 8];
        b[..width].copy_from_slice(&rest[k..k + width]);
        u64::from_le_bytes(b) << (8 * k)
    };
    match n {
        0 => 0,
        1 => at(0, 1),
        2 | 3 => at(0, 2) | at(n - 2, 2),
        4..=7 => at(0, 4) | at(n - 4, 4),
        _ => word(rest, 0),
    }
}

/// High bit set in each byte of `x` that is not zero; exact for every byte (no carry crosses a byte).
#[inline(always)]
pub(crate) fn nonzero_bytes(x: u64) -> u64 {
    ((x & LOW7).wrapping_add(LOW7) | x) & HIGHS
}
/// Flags (high bit set) the bytes of `w` that equal `b`. Exact for the lowest flagged byte, which is all the
/// callers use: a borrow can only carry into bytes above a true match.
#[inline(always)]
pub(crate) fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * b as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Flags the bytes of `w` below `n` (for `n <= 0x80`), exact for the lowest flagged byte as above.
#[inline(always)]
pub(crate) fn lt_mask(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGHS
}

/// Index of the first (lowest) flagged byte of a non-zero mask.
#[inline(always)]
pub(crate) fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Copies `src` (at most 32 bytes) to the front of `dst` (at least 32 bytes) as two overlapping fixed-size
/// copies, which compile to a few register moves. A variable-length `copy_from_slice` is a call to `memcpy`,
/// which for a few bytes costs more than the bytes: little with glibc's, several times that with musl's
/// (`rep movsq` and a byte loop), where it was a quarter of YAML → JSON on deeply nested files.
#[inline(always)]
pub(crate) fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        dst[..16].copy_from_slice(&src[..16]);
        dst[n - 16..n].copy_from_slice(&src[n - 16..]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..]);
    } else if n > 0 {
        // One to three bytes: the first, middle and last (some the same byte), with no loop whose trip count
        // varies from string to string.
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

/// Appends `src` to `out`; up to 64 bytes through fixed-size copies ([`copy_short`], or two overlapping
/// 32-byte ones) and one fixed-size append (then cut to length) instead of a `memcpy` call.
#[inline(always)]
#[cfg_attr(not(any(feature = "yaml", feature = "toml")), allow(dead_code))]
pub(crate) fn extend_short(out: &mut alloc::vec::Vec<u8>, src: &[u8]) {
    let n = src.len();
    if n > 64 {
        out.extend_from_slice(src);
        return;
    }
    let mut block = [0u8; 64];
    copy_upto_64(&mut block, src);
    let len = out.len();
    out.extend_from_slice(&block);
    out.truncate(len + n);
}

/// Copies `src` (at most 64 bytes) to the front of `dst` (at least 64 bytes) with fixed-size copies.
#[inline(always)]
pub(crate) fn copy_upto_64(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n <= 32 {
        copy_short(dst, src);
    } else {
        dst[..32].copy_from_slice(&src[..32]);
        dst[n - 32..n].copy_from_slice(&src[n - 32..]);
    }
}

/// The index of the last line feed in `bytes`.
#[inline]
pub(crate) fn last_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memrchr(b'\n', bytes)
}

/// The index of the first `needle` in `bytes` at or after `from`.
#[inline]
pub(crate) fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    memchr::memchr(needle, bytes.get(from..)?).map(|i| from + i)
}

/// Counts the bytes equal to `needle`.
#[inline]
pub(crate) fn count_byte(bytes: &[u8], needle: u8) -> u64 {
    bytecount::count(bytes, needle) as u64
}

/// Counts the bytes that start a UTF-8 character: all but the continuation bytes 0x80..=0xBF.
#[inline]
pub(crate) fn count_char_starts(bytes: &[u8]) -> u64 {
    bytecount::num_chars(bytes) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_copies_and_appends() {
        let src: alloc::vec::Vec<u8> = (1..=70).collect();
        for n in 0..=70 {
            if n <= 32 {
                let mut dst = [0u8; 32];
                copy_short(&mut dst, &src[..n]);
                assert_eq!(&dst[..n], &src[..n], "copy of {n}");
                assert!(dst[n..].iter().all(|&b| b == 0), "copy of {n} wrote past its end");
            }
            if n <= 64 {
                let mut dst = [0u8; 64];
                copy_upto_64(&mut dst, &src[..n]);
                assert_eq!(&dst[..n], &src[..n], "copy of {n}");
                assert!(dst[n..].iter().all(|&b| b == 0), "copy of {n} wrote past its end");
            }
            if n < 8 {
                let mut padded = [0u8; 8];
                padded[..n].copy_from_slice(&src[..n]);
                assert_eq!(tail_word_zeroed(&src[..n]), u64::from_le_bytes(padded), "tail word of {n}");
            }
            let mut out = alloc::vec![0xff; 3];
            extend_short(&mut out, &src[..n]);
            assert_eq!(&out[..3], &[0xff; 3]);
            assert_eq!(&out[3..], &src[..n], "append of {n}");
        }
    }

    #[test]
    fn finding_bytes() {
        let text = b"abcdefghij<k<<l&";
        assert_eq!(find_byte(text, 0, b'<'), Some(10));
        assert_eq!(find_byte(text, 11, b'<'), Some(12));
        assert_eq!(find_byte(text, 0, b'&'), Some(15));
        assert_eq!(find_byte(text, 0, b'z'), None);
    }

    #[test]
    fn last_newline_agrees_with_rposition() {
        let text = b"ab\ncdefghijklmnop\nqrstuvwxyz0123456789\x8a\x0a\xffzz";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let part = &text[start..end];
                assert_eq!(last_newline(part), part.iter().rposition(|&b| b == b'\n'), "{part:?}");
            }
        }
    }

    #[test]
    fn kernels_agree_with_byte_by_byte_loops() {
        let text: alloc::vec::Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(7919) % 256) as u8).collect();
        let newlines = alloc::vec![b'\n'; 5000];
        for text in [&text[..], &newlines[..]] {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 2039, 2040, 2041, 4080, 4081, 5000] {
                for start in [0, 3] {
                    let part = &text[start.min(len)..len];
                    assert_eq!(count_byte(part, b'\n'), part.iter().filter(|&&b| b == b'\n').count() as u64);
                    assert_eq!(count_byte(part, 0xff), part.iter().filter(|&&b| b == 0xff).count() as u64);
                    let starts = part.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64;
                    assert_eq!(count_char_starts(part), starts, "len {len}");
                }
            }
        }
    }
}
