//! Counting kernels for the streaming input, which counts the lines and characters it drops so that positions
//! stay exact. They run over every byte of a streamed input, so they work eight bytes at a time (SWAR: plain
//! integer arithmetic, no `unsafe`, the same on every target and under miri).

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGHS: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(w)
}

/// 0x01 in each byte lane of `w` where `flag` has its high bit set.
#[inline(always)]
fn lanes(flag: u64) -> u64 {
    (flag & HIGHS) >> 7
}

/// High bit set in each byte of `x` that is zero (exact per byte: no carries cross lanes).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    !((x & LOW7).wrapping_add(LOW7) | x) & HIGHS
}

/// Sums per-byte-lane counters, each below 256 and all together below 2^16 per word of lanes.
#[inline(always)]
fn sum_lanes(acc: u64) -> u64 {
    // Widen to 16-bit lanes, then add the four with one multiply.
    let pairs = (acc & 0x00ff_00ff_00ff_00ff) + ((acc >> 8) & 0x00ff_00ff_00ff_00ff);
    pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48
}

#[inline(always)]
fn count_with(bytes: &[u8], flag: impl Fn(u64) -> u64, scalar: impl Fn(u8) -> bool) -> u64 {
    let mut total = 0u64;
    // 255 words at most per accumulator, so that no byte lane overflows.
    let mut chunks = bytes.chunks_exact(8 * 255);
    for chunk in &mut chunks {
        let (mut a, mut b) = (0u64, 0u64);
        for pair in chunk.chunks_exact(16) {
            a += lanes(flag(word(pair)));
            b += lanes(flag(word(&pair[8..])));
        }
        if chunk.len() % 16 == 8 {
            a += lanes(flag(word(&chunk[chunk.len() - 8..])));
        }
        total += sum_lanes(a) + sum_lanes(b);
    }
    let rest = chunks.remainder();
    let mut words = rest.chunks_exact(8);
    let mut acc = 0u64;
    for w in &mut words {
        acc += lanes(flag(word(w)));
    }
    total + sum_lanes(acc) + words.remainder().iter().filter(|&&b| scalar(b)).count() as u64
}

/// Counts the bytes equal to `needle`.
pub(crate) fn count_byte(bytes: &[u8], needle: u8) -> u64 {
    let pattern = ONES * u64::from(needle);
    count_with(bytes, |w| zero_bytes(w ^ pattern), |b| b == needle)
}

/// Counts the bytes that start a UTF-8 character: all but the continuation bytes 0x80..=0xBF.
pub(crate) fn count_char_starts(bytes: &[u8]) -> u64 {
    // A continuation byte has its top bits 10: high bit set and bit 6 clear.
    let continuations = count_with(bytes, |w| w & !(w << 1), |b| (b as i8) < -0x40);
    bytes.len() as u64 - continuations
}

#[cfg(test)]
mod tests {
    use super::*;

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
