//! Large buffers written once: the held output and a whole input file, in their own anonymous mapping with
//! their pages mapped ahead of the writes, in batches.
//!
//! A page touched for the first time costs a page fault, and a few megabytes of output are hundreds of them.
//! `MADV_POPULATE_WRITE` maps a whole range in one call, and past [`HUGE_FROM`] the mapping asks for transparent
//! huge pages (one fault and one zeroing per 2 MiB); docs/benchmarks.md ("Page faults") has the figures.
//! Both are advice: a kernel without them (before Linux 5.14, or huge pages off) handles faults as before, and
//! other systems get a plain mapping.

use memmap2::MmapMut;
use std::io::Read;

/// Offset from which a region asks for huge pages: below it, a small output would pay to zero 2 MiB.
#[cfg(target_os = "linux")]
const HUGE_FROM: usize = 2 << 20;

/// The first batch of pages mapped ahead; each later batch doubles what is mapped.
const FIRST_BATCH: usize = 16 << 10;

const PAGE: usize = 4096;

/// Files smaller than this are read onto the heap: a mapping of their own would cost more system calls than
/// the few page faults it saves.
const MAP_FILES_FROM: u64 = 64 << 10;

/// A byte buffer of fixed capacity whose pages are mapped ahead of the writes that need them.
pub(crate) struct Region {
    memory: Memory,
    len: usize,
    /// Bytes from the start whose pages have been populated.
    ready: usize,
}

enum Memory {
    Mapped(MmapMut),
    /// A small file's bytes, or, when the system refuses the mapping, zeroed heap memory whose pages the
    /// allocator maps on first touch.
    Heap(Vec<u8>),
}

impl Region {
    /// A region of `capacity` bytes: address space reserved, nothing mapped yet.
    pub(crate) fn new(capacity: usize) -> Region {
        let memory = match MmapMut::map_anon(capacity.max(1)) {
            Ok(map) => {
                #[cfg(target_os = "linux")]
                if capacity > HUGE_FROM {
                    let _ = map.advise_range(memmap2::Advice::HugePage, HUGE_FROM, capacity - HUGE_FROM);
                }
                Memory::Mapped(map)
            }
            Err(_) => Memory::Heap(vec![0; capacity]),
        };
        Region { memory, len: 0, ready: 0 }
    }

    /// A region that is all of `bytes`, already written.
    fn full(bytes: Vec<u8>) -> Region {
        let len = bytes.len();
        Region { memory: Memory::Heap(bytes), len, ready: len }
    }

    fn bytes(&self) -> &[u8] {
        match &self.memory {
            Memory::Mapped(map) => &map[..],
            Memory::Heap(vec) => vec,
        }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        match &mut self.memory {
            Memory::Mapped(map) => &mut map[..],
            Memory::Heap(vec) => vec,
        }
    }

    /// The bytes written so far.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes()[..self.len]
    }

    /// Room left.
    pub(crate) fn spare(&self) -> usize {
        self.bytes().len() - self.len
    }

    /// Maps the pages up to `end` (at least), in batches that double what is mapped.
    fn prepare(&mut self, end: usize) {
        // A first page is left to its fault: one fault costs less than the system call, for the many outputs
        // that fit in it.
        if end <= self.ready || end <= PAGE {
            return;
        }
        let capacity = self.bytes().len();
        let want = end.max(2 * self.ready).max(FIRST_BATCH).next_multiple_of(PAGE).min(capacity);
        #[cfg(target_os = "linux")]
        if let Memory::Mapped(map) = &self.memory {
            let _ = map.advise_range(memmap2::Advice::PopulateWrite, self.ready, want - self.ready);
        }
        self.ready = want;
    }

    /// Appends `bytes`, which must fit in [`Region::spare`].
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        self.prepare(end);
        let at = self.len;
        self.bytes_mut()[at..end].copy_from_slice(bytes);
        self.len = end;
    }

    /// Appends what one `read` call gives, into all the room left; returns how many bytes it gave.
    fn read_from(&mut self, reader: &mut impl Read) -> std::io::Result<usize> {
        let (at, end) = (self.len, self.bytes().len());
        self.prepare(end);
        let n = reader.read(&mut self.bytes_mut()[at..end])?;
        self.len += n;
        Ok(n)
    }
}

/// Reads a whole file: into a mapped [`Region`] of its size when it is large, onto the heap otherwise (and if it
/// grows while being read).
pub(crate) fn read_file(path: &std::path::Path) -> std::io::Result<Region> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    read_sized(file, size)
}

/// Reads `reader` to its end, expecting `size` bytes.
fn read_sized(mut reader: impl Read, size: u64) -> std::io::Result<Region> {
    let capacity = match usize::try_from(size) {
        Ok(capacity) if size >= MAP_FILES_FROM => capacity,
        _ => return read_rest(Vec::with_capacity(size.min(MAP_FILES_FROM) as usize), reader),
    };
    // One byte more than the size, so that a file that grew is noticed.
    let mut region = Region::new(capacity + 1);
    loop {
        if region.spare() == 0 {
            return read_rest(region.as_slice().to_vec(), reader);
        }
        match region.read_from(&mut reader) {
            Ok(0) => return Ok(region),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn read_rest(mut bytes: Vec<u8>, mut reader: impl Read) -> std::io::Result<Region> {
    reader.read_to_end(&mut bytes)?;
    Ok(Region::full(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(region: &Region) -> bool {
        matches!(region.memory, Memory::Mapped(_))
    }

    /// Bytes that differ at every offset, so that a misplaced copy shows.
    fn pattern(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i.wrapping_mul(31) as u8) ^ seed).collect()
    }

    #[test]
    fn appends_across_batches_and_past_the_huge_page_offset() {
        let capacity = HUGE_FROM + 3 * PAGE + 5;
        let mut region = Region::new(capacity);
        let mut expected = Vec::new();
        // Pieces of odd sizes: every batch boundary falls inside one.
        for (i, size) in [1, 4095, 4097, 65_541, 1 << 20, 999_999, 70_000].into_iter().enumerate() {
            let piece = pattern(size, i as u8);
            let piece = &piece[..size.min(region.spare())];
            region.extend(piece);
            expected.extend_from_slice(piece);
        }
        assert_eq!(region.spare(), capacity - expected.len());
        region.extend(&pattern(region.spare(), 99));
        expected.extend_from_slice(&pattern(capacity - expected.len(), 99));
        assert_eq!(region.as_slice(), &expected[..]);
        assert_eq!(region.spare(), 0);
        assert_eq!(region.ready, capacity);
    }

    #[test]
    fn reads_small_and_large_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, MAP_FILES_FROM as usize - 1, MAP_FILES_FROM as usize, 300_001] {
            let path = dir.path().join(format!("f{size}"));
            let bytes = pattern(size, 7);
            std::fs::write(&path, &bytes).unwrap();
            let text = read_file(&path).unwrap();
            assert_eq!(mapped(&text), size as u64 >= MAP_FILES_FROM, "size {size}");
            assert_eq!(text.as_slice(), &bytes[..], "size {size}");
        }
    }

    #[test]
    fn reads_a_file_that_grew_since_its_size_was_taken() {
        let bytes = pattern(200_000, 3);
        let text = read_sized(&bytes[..], 100_000).unwrap();
        assert!(!mapped(&text));
        assert_eq!(text.as_slice(), &bytes[..]);
        // And one that shrank.
        let text = read_sized(&bytes[..], 300_000).unwrap();
        assert!(mapped(&text));
        assert_eq!(text.as_slice(), &bytes[..]);
    }
}
