//! Hashing mapping keys for the indexes that find duplicate keys (YAML) and table entries (TOML).
//!
//! The hash is keyed by a seed the caller passes in [`crate::Limits::hash_seed`]: the core has no entropy of its
//! own (`no_std`), so the binaries draw a seed per process, and a key set crafted to collide under one seed does
//! not collide under another. The indexes also bound the work of one lookup ([`MAX_COMPARISONS`]) and move to
//! a tree past it, so that even a known seed cannot make a document quadratic.

use core::hash::BuildHasher;

/// The most key comparisons one lookup may make in a hash index before the index moves its keys to a tree,
/// whose cost no choice of keys can raise. Random keys need one or two.
pub(crate) const MAX_COMPARISONS: usize = 64;

/// With the `test-hooks` feature (and in the core's own tests), the seed under which every key hashes alike: the
/// worst a crafted key set can do, for tests and benchmarks of the bound on comparisons.
#[cfg(any(test, feature = "test-hooks"))]
#[allow(unreachable_pub)] // Exported only with the feature.
pub const DEGENERATE_SEED: u64 = u64::MAX;

/// The seeded hash of keys.
#[derive(Clone, Debug)]
pub(crate) struct KeyHasher {
    state: foldhash::fast::FixedState,
    /// Tests and benchmarks only: every key hashes alike, the worst a crafted key set can do.
    #[cfg(any(test, feature = "test-hooks"))]
    degenerate: bool,
}

impl KeyHasher {
    pub(crate) fn new(seed: u64) -> KeyHasher {
        KeyHasher {
            state: foldhash::fast::FixedState::with_seed(seed),
            #[cfg(any(test, feature = "test-hooks"))]
            degenerate: seed == DEGENERATE_SEED,
        }
    }

    /// The hash of `key` in the table `parent` (0 where there is one table per index).
    #[inline]
    pub(crate) fn hash(&self, parent: u32, key: &[u8]) -> u64 {
        #[cfg(any(test, feature = "test-hooks"))]
        if self.degenerate {
            return 0;
        }
        self.state.hash_one((parent, key))
    }
}
