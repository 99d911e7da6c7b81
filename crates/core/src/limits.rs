//! Explicit limits, so that hostile input ends in an error with a position instead of exhausting the machine.

/// The limits every reader enforces. All are configurable; the defaults suit real-world files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences. The readers keep an explicit stack, so this bounds memory and
    /// can be raised far beyond what a recursive parser could survive.
    pub max_depth: u32,
    /// Longest single scalar (string or number) a streaming reader will hold in memory, in bytes.
    pub max_token_bytes: u64,
}

impl Limits {
    /// The defaults: depth 1024, scalars up to 1 GiB.
    pub const DEFAULT: Limits = Limits { max_depth: 1024, max_token_bytes: 1 << 30 };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
