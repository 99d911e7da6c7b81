//! `memcpy` and `memmove` for the static musl build of `dfmt` (`scripts/release`), and the one place in the
//! workspace with `unsafe` code.
//!
//! Why: musl's x86-64 `memcpy` copies with `rep movsq` plus a loop of single-byte `movsb`, whose start-up costs
//! tens of cycles however few bytes move; the Rust code calls `memcpy` for every copy whose length is not a
//! compile-time constant, so short copies dominate (a profile of the musl build before this crate had `memcpy` at
//! several times glibc's share; docs/benchmarks.md, "Short copies"). Here copies of up to 256 bytes are
//! unaligned register loads and stores, and longer ones one `rep movsb` (fast on CPUs with ERMS/FSRM).
//!
//! The exported symbols exist only for `target_env = "musl"` on x86-64: there they replace musl's (the linker
//! takes an archive member only for a symbol nothing else defines, and `memmove` is defined here too because
//! musl's `memmove` object refers to its `memcpy` object). Elsewhere [`copy`] is an ordinary function, tested
//! natively and under miri (`scripts/test`), and fuzzed against `slice::copy_within` (`fuzz/`, `mem_copy`).
//!
//! No loop here may copy byte after byte: LLVM recognises such loops and replaces them with a call to
//! `memmove`, which would be this function calling itself.
#![no_std]

/// Copies `n` bytes from `src` to `dst`; the two regions may overlap (`memmove` semantics).
///
/// # Safety
/// `src` must be valid for reads of `n` bytes and `dst` valid for writes of `n` bytes (`n == 0`: no
/// requirement); no alignment is required.
#[allow(unsafe_code)]
#[inline(always)]
pub unsafe fn copy(dst: *mut u8, src: *const u8, n: usize) {
    // Up to 256 bytes: every load happens before any store, so overlapping regions copy correctly, and the
    // pairs of loads overlap each other instead of branching on every length.
    // SAFETY (every block below): the offsets read and written are all below `n` — `n - k` is taken only when
    // `n >= k` — so they stay inside the regions the caller vouches for; `read_unaligned`/`write_unaligned`
    // need no alignment.
    if n <= 16 {
        if n >= 8 {
            // SAFETY: see above (8 <= n <= 16).
            unsafe {
                let a = src.cast::<u64>().read_unaligned();
                let b = src.add(n - 8).cast::<u64>().read_unaligned();
                dst.cast::<u64>().write_unaligned(a);
                dst.add(n - 8).cast::<u64>().write_unaligned(b);
            }
        } else if n >= 4 {
            // SAFETY: see above (4 <= n < 8).
            unsafe {
                let a = src.cast::<u32>().read_unaligned();
                let b = src.add(n - 4).cast::<u32>().read_unaligned();
                dst.cast::<u32>().write_unaligned(a);
                dst.add(n - 4).cast::<u32>().write_unaligned(b);
            }
        } else if n > 0 {
            // SAFETY: see above (1 <= n < 4: bytes 0, n / 2 and n - 1, which cover every byte).
            unsafe {
                let (a, b, c) = (src.read(), src.add(n / 2).read(), src.add(n - 1).read());
                dst.write(a);
                dst.add(n / 2).write(b);
                dst.add(n - 1).write(c);
            }
        }
    } else if n <= 32 {
        // SAFETY: see above (16 < n <= 32).
        unsafe { copy_blocks::<1>(dst, src, n) }
    } else if n <= 64 {
        // SAFETY: see above (32 < n <= 64).
        unsafe { copy_blocks::<2>(dst, src, n) }
    } else if n <= 128 {
        // SAFETY: see above (64 < n <= 128).
        unsafe { copy_blocks::<4>(dst, src, n) }
    } else if n <= 256 {
        // SAFETY: see above (128 < n <= 256).
        unsafe { copy_blocks::<8>(dst, src, n) }
    } else {
        // SAFETY: the caller's guarantee, passed on.
        unsafe { copy_long(dst, src, n) }
    }
}

/// `16 * K < n <= 32 * K` bytes (`K` is 1, 2, 4 or 8) as `K` 16-byte blocks from the front and `K` from the back
/// (overlapping in the middle), all loaded before any is stored. `rep movsb` costs a few dozen cycles to start,
/// more than this for lengths up to 256 (glibc switches to it only from 2 KiB).
///
/// Written out block by block (`blocks!`), not as a loop over an array: LLVM may turn a loop that copies
/// between memory and a local array into a `memcpy` call, which here would be this code calling itself.
///
/// # Safety
/// As for [`copy`], and `16 * K <= n`.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn copy_blocks<const K: usize>(dst: *mut u8, src: *const u8, n: usize) {
    const { assert!(matches!(K, 1 | 2 | 4 | 8)) };
    let back = n - 16 * K;
    macro_rules! blocks {
        ($($i:literal)*) => {
            // SAFETY: front block `i` covers bytes `16 i .. 16 i + 16 <= 16 K <= n`; back block `i` covers
            // `back + 16 i ..`, which starts at or after 0 and ends at or before `n`. Unaligned accesses.
            unsafe {
                let front = [$(src.add(16 * $i).cast::<u128>().read_unaligned()),*];
                let tail = [$(src.add(back + 16 * $i).cast::<u128>().read_unaligned()),*];
                $(dst.add(16 * $i).cast::<u128>().write_unaligned(front[$i]);)*
                $(dst.add(back + 16 * $i).cast::<u128>().write_unaligned(tail[$i]);)*
            }
        };
    }
    match K {
        1 => blocks!(0),
        2 => blocks!(0 1),
        4 => blocks!(0 1 2 3),
        _ => blocks!(0 1 2 3 4 5 6 7),
    }
}

/// `n > 256` bytes, with `rep movsb`: front to back, or back to front when `dst` starts inside the source
/// (front to back would overwrite source bytes before reading them).
///
/// # Safety
/// As for [`copy`].
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn copy_long(dst: *mut u8, src: *const u8, n: usize) {
    if (dst as usize).wrapping_sub(src as usize) >= n {
        // SAFETY: `rep movsb` copies `rcx` bytes from `[rsi]` to `[rdi]` upwards (the direction flag is clear
        // at every function boundary by the ABI); the regions are the caller's, and when they overlap `dst`
        // is below `src`, where an upward copy reads each byte before writing over it.
        unsafe {
            core::arch::asm!(
                "rep movsb",
                inout("rcx") n => _,
                inout("rdi") dst => _,
                inout("rsi") src => _,
                options(nostack, preserves_flags)
            );
        }
    } else {
        // SAFETY: `dst` is inside `src..src + n`: the copy runs downwards from the last byte (`std` sets the
        // direction flag, `cld` restores it before anything else runs), so each byte is read before it is
        // overwritten; the addresses are the last bytes of the caller's regions. The flags are changed, so
        // `preserves_flags` is not claimed.
        unsafe {
            core::arch::asm!(
                "std",
                "rep movsb",
                "cld",
                inout("rcx") n => _,
                inout("rdi") dst.add(n - 1) => _,
                inout("rsi") src.add(n - 1) => _,
                options(nostack)
            );
        }
    }
}

/// Elsewhere (other architectures, and under miri, which runs no assembly): `core::ptr::copy`, which is
/// compiled to a call to the platform's `memmove` (never this crate's: it is exported only on x86-64 musl).
///
/// # Safety
/// As for [`copy`].
#[cfg(not(all(target_arch = "x86_64", not(miri))))]
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn copy_long(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's guarantee is `ptr::copy`'s.
    unsafe { core::ptr::copy(src, dst, n) }
}

/// C's `memcpy`, exported for the musl build.
///
/// # Safety
/// C's contract: `src` readable and `dst` writable for `n` bytes.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: C's contract for `memcpy` is [`copy`]'s (which also allows overlap).
    unsafe { copy(dst, src, n) };
    dst
}

/// C's `memmove`, exported for the musl build.
///
/// # Safety
/// C's contract: `src` readable and `dst` writable for `n` bytes; they may overlap.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: C's contract for `memmove` is [`copy`]'s.
    unsafe { copy(dst, src, n) };
    dst
}

/// Copies `len` bytes of `buf` from `from` to `to` with [`copy`], after checking both ranges; what the tests and
/// the fuzz target call.
///
/// # Panics
/// When either range is out of `buf`.
#[allow(unsafe_code)]
pub fn copy_within(buf: &mut [u8], from: usize, to: usize, len: usize) {
    assert!(from.checked_add(len).is_some_and(|end| end <= buf.len()), "source out of range");
    assert!(to.checked_add(len).is_some_and(|end| end <= buf.len()), "destination out of range");
    let base = buf.as_mut_ptr();
    // SAFETY: both ranges were checked to lie inside `buf`, which is borrowed mutably for the call.
    unsafe { copy(base.add(to), base.add(from), len) }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::copy_within;
    use std::vec::Vec;

    /// Every length up to 300 (under miri too: the `rep movsb` branch has a stand-in there), at
    /// several offsets, overlapping both ways and apart, against `slice::copy_within`.
    #[test]
    fn copies_as_copy_within_does() {
        let max = 300;
        let original: Vec<u8> = (0..2 * max + 64).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..=max {
            for (from, to) in [(0, 0), (0, max + 32), (max + 32, 0), (5, 9), (9, 5), (3, 3 + len / 2), (1, max + 33)] {
                if from + len > original.len() || to + len > original.len() {
                    continue;
                }
                let (mut ours, mut theirs) = (original.clone(), original.clone());
                copy_within(&mut ours, from, to, len);
                theirs.copy_within(from..from + len, to);
                assert_eq!(ours, theirs, "len {len} from {from} to {to}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "destination out of range")]
    fn refuses_ranges_out_of_the_buffer() {
        copy_within(&mut [0u8; 8], 0, 4, 5);
    }
}
