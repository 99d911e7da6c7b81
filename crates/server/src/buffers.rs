//! Large buffers kept between conversions on the blocking pool: the joined request body and the output.
//!
//! A 50 MB conversion needs a ~55 MB input buffer and an output buffer that grows past ~70 MB. Freshly
//! allocated, every page of them is faulted in again on each request: the allocator returns freed blocks of that
//! size to the kernel quickly, and tens of thousands of page faults per conversion are a large part of its time
//! (docs/benchmarks.md, "Global allocator"). Kept here, the pages stay mapped and written from one conversion to the
//! next. Small bodies never come here: their buffers are small, and the allocator's own free lists serve them.
//!
//! At most [`KEEP`] buffers are kept, each of [`MIN_KEPT`] to [`MAX_KEPT`] bytes of capacity, and a buffer
//! unused for [`IDLE`] is freed ([`Pool::trim`], called by the service every few seconds): a burst of large
//! conversions does not leave its memory in use for the life of the server.

use axum::body::Bytes;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Buffers kept at most: an input and an output for each of two conversions at once.
pub(crate) const KEEP: usize = 4;

/// Smaller buffers are not worth keeping.
pub(crate) const MIN_KEPT: usize = 1 << 20;

/// Larger buffers are freed: they serve rare requests, and would hold their memory for all the others.
pub(crate) const MAX_KEPT: usize = 256 << 20;

/// A kept buffer unused this long is freed.
pub(crate) const IDLE: Duration = Duration::from_secs(30);

/// The kept buffers, empty, each with its capacity and when it was given back.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    free: Mutex<Vec<(Vec<u8>, Instant)>>,
}

impl Pool {
    /// An empty buffer with room for at least `n` bytes: the smallest kept one that has it, else a new one.
    pub(crate) fn take(&self, n: usize) -> Vec<u8> {
        let mut free = self.free.lock();
        let fits = free.iter().enumerate().filter(|(_, (b, _))| b.capacity() >= n);
        let best = fits.min_by_key(|(_, (b, _))| b.capacity());
        match best.map(|(i, _)| i) {
            Some(i) => free.swap_remove(i).0,
            None => {
                drop(free);
                Vec::with_capacity(n)
            }
        }
    }

    /// Keeps `buffer` (emptied) if it is large enough, dropping the smallest kept one when there are more than
    /// [`KEEP`].
    pub(crate) fn give(&self, mut buffer: Vec<u8>) {
        if !(MIN_KEPT..=MAX_KEPT).contains(&buffer.capacity()) {
            return;
        }
        buffer.clear();
        let dropped = {
            let mut free = self.free.lock();
            free.push((buffer, Instant::now()));
            if free.len() > KEEP {
                let smallest = free.iter().enumerate().min_by_key(|(_, (b, _))| b.capacity()).map(|(i, _)| i);
                smallest.map(|i| free.swap_remove(i))
            } else {
                None
            }
        };
        // Freed outside the lock.
        drop(dropped);
    }

    /// Frees the buffers given back longer than `idle` before `now`.
    pub(crate) fn trim(&self, now: Instant, idle: Duration) {
        let stale: Vec<(Vec<u8>, Instant)> = {
            let mut free = self.free.lock();
            let (stale, fresh) = std::mem::take(&mut *free).into_iter().partition(|(_, at)| now - *at >= idle);
            *free = fresh;
            stale
        };
        drop(stale);
    }

    /// The capacities of the kept buffers, for tests and logs.
    #[cfg(test)]
    pub(crate) fn capacities(&self) -> Vec<usize> {
        let mut capacities: Vec<usize> = self.free.lock().iter().map(|(b, _)| b.capacity()).collect();
        capacities.sort_unstable();
        capacities
    }
}

/// An output buffer on its way to the client as a response body; it goes back to the pool when hyper is done
/// with it.
struct Lent {
    bytes: Vec<u8>,
    pool: Arc<Pool>,
    /// The answer's share of the budget of bodies in flight, given back with the buffer.
    _reserved: Option<crate::api::Reservation>,
}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.bytes));
    }
}

/// `bytes` as a response body that returns its buffer to `pool`, and its `reserved` bytes to the budget, once
/// sent (or dropped).
pub(crate) fn lend(bytes: Vec<u8>, pool: Arc<Pool>, reserved: impl Into<Option<crate::api::Reservation>>) -> Bytes {
    Bytes::from_owner(Lent { bytes, pool, _reserved: reserved.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_smallest_buffer_that_fits_and_keeps_the_largest_few() {
        let pool = Pool::default();
        for mb in [3, 1, 5, 2] {
            pool.give(Vec::with_capacity(mb << 20));
        }
        pool.give(vec![7; 1000]); // too small to keep
        assert_eq!(pool.capacities(), [1 << 20, 2 << 20, 3 << 20, 5 << 20]);
        let taken = pool.take(2 << 20);
        assert_eq!((taken.capacity(), taken.len()), (2 << 20, 0));
        assert_eq!(pool.capacities(), [1 << 20, 3 << 20, 5 << 20]);
        // Nothing large enough: a new buffer, and the kept ones stay.
        assert!(pool.take(6 << 20).capacity() >= 6 << 20);
        assert_eq!(pool.capacities().len(), 3);
        // Full: a larger buffer pushes out the smallest; a kept one comes back empty.
        let mut used = taken;
        used.extend_from_slice(b"data");
        pool.give(used);
        pool.give(Vec::with_capacity(8 << 20));
        assert_eq!(pool.capacities(), [2 << 20, 3 << 20, 5 << 20, 8 << 20]);
        assert!(pool.take(1).is_empty());
        // Too large to keep.
        pool.give(Vec::with_capacity(MAX_KEPT + 1));
        assert_eq!(pool.capacities().len(), 3);
    }

    #[test]
    fn buffers_unused_for_a_while_are_freed() {
        let pool = Pool::default();
        pool.give(Vec::with_capacity(MIN_KEPT));
        let later = Instant::now() + IDLE;
        pool.give(Vec::with_capacity(2 * MIN_KEPT));
        pool.trim(Instant::now(), IDLE);
        assert_eq!(pool.capacities().len(), 2, "nothing is idle yet");
        pool.trim(later, IDLE);
        assert!(pool.capacities().len() <= 1, "{:?}", pool.capacities());
        pool.trim(later + IDLE, IDLE);
        assert!(pool.capacities().is_empty());
    }

    #[test]
    fn a_lent_body_returns_its_buffer_when_dropped() {
        let pool = Arc::new(Pool::default());
        let mut buffer = pool.take(MIN_KEPT);
        buffer.extend_from_slice(b"{}\n");
        let at = buffer.as_ptr();
        let body = lend(buffer, pool.clone(), None);
        assert_eq!(&body[..], b"{}\n");
        let slice = body.slice(1..);
        drop(body);
        assert!(pool.capacities().is_empty(), "still in use by a slice");
        drop(slice);
        assert_eq!(pool.capacities(), [MIN_KEPT]);
        let again = pool.take(1);
        assert_eq!(again.as_ptr(), at, "the same buffer");
    }
}
