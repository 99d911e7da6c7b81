//! Explicit limits, so that hostile input ends in an error with a position instead of exhausting the machine.

/// The limits every reader enforces. All are configurable; the defaults suit real-world files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences. The readers keep an explicit stack, so this bounds memory and
    /// can be raised far beyond what a recursive parser could survive.
    pub max_depth: u32,
    /// Longest single scalar (string or number) a streaming reader will hold in memory, in bytes.
    pub max_token_bytes: u64,
    /// Nodes that YAML alias expansion (`*name`, and `<<` merge keys) may produce in one input, at least.
    pub max_alias_nodes: u64,
    /// Nodes alias expansion may produce per byte of input, for inputs large enough that this exceeds
    /// `max_alias_nodes`: the bound grows with the input, so output stays proportional to it.
    pub alias_nodes_per_byte: u64,
    /// The seed of the hash that indexes mapping keys (YAML's duplicate check, TOML's tables). The core has no
    /// entropy of its own: a program that reads untrusted input passes a seed drawn once per process, so that a
    /// key set crafted to collide under one seed does not under another. (The indexes also bound the work of one
    /// lookup, whatever the seed.)
    pub hash_seed: u64,
}

impl Limits {
    /// The defaults: depth 1024, scalars up to 1 GiB, alias expansion up to 1,000,000 nodes or 10 per input byte.
    pub const DEFAULT: Limits = Limits {
        max_depth: 1024,
        max_token_bytes: 1 << 30,
        max_alias_nodes: 1_000_000,
        alias_nodes_per_byte: 10,
        hash_seed: 0x5851_f42d_4c95_7f2d,
    };

    /// The most nodes alias expansion may produce for an input of `input_len` bytes.
    pub fn alias_nodes_for(&self, input_len: u64) -> u64 {
        self.max_alias_nodes.max(self.alias_nodes_per_byte.saturating_mul(input_len))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
