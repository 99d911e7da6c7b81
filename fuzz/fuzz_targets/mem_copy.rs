//! dfmt-mem's copy (the musl build's `memcpy` and `memmove`) against `slice::copy_within`: a buffer of up to
//! 4 KiB, a length and two offsets taken from the input, the regions overlapping either way or apart.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, c, d, e, f, rest @ ..] = data else { return };
    let size = (usize::from(u16::from_le_bytes([*a, *b])) % 4096) + 1;
    let len = usize::from(u16::from_le_bytes([*c, *d])) % (size + 1);
    let room = size - len;
    let from = usize::from(u16::from_le_bytes([*e, *f])) % (room + 1);
    let to = usize::from(rest.first().copied().unwrap_or(0)) * 31 % (room + 1);
    let original: Vec<u8> =
        (0..size).map(|i| rest.get(i % rest.len().max(1)).copied().unwrap_or(0) ^ i as u8).collect();
    let (mut ours, mut theirs) = (original.clone(), original);
    dfmt_mem::copy_within(&mut ours, from, to, len);
    theirs.copy_within(from..from + len, to);
    assert_eq!(ours, theirs, "len {len} from {from} to {to} in {size}");
});
