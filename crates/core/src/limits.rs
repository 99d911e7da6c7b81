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
    /// Bytes that YAML alias expansion may produce in one input (the text of every expanded scalar, and 16 bytes
    /// per expanded node for its structure), at least: a few aliases of a long string stay far below the node
    /// limit and could otherwise write gigabytes.
    pub max_alias_bytes: u64,
    /// Bytes alias expansion may produce per byte of input, for inputs large enough that this exceeds
    /// `max_alias_bytes`.
    pub alias_bytes_per_byte: u64,
    /// Longest output a job may write; past it the job stops with an error. The CLI streams (no limit by default);
    /// `dfmt serve` holds each answer in memory and sets a small multiple of its body limit.
    pub max_output_bytes: u64,
    /// Most bytes of a document a job may hold in memory at once where it must hold it: the tree of
    /// `--sort-keys`, YAML's anchored nodes and merged mappings, a TOML document (read, or written from data).
    pub max_held_bytes: u64,
    /// The seed of the hash that indexes mapping keys (YAML's duplicate check, TOML's tables). The core has no
    /// entropy of its own: a program that reads untrusted input passes a seed drawn once per process, so that a
    /// key set crafted to collide under one seed does not under another. (The indexes also bound the work of one
    /// lookup, whatever the seed.)
    pub hash_seed: u64,
}

impl Limits {
    /// The defaults: depth 1024, scalars up to 1 GiB, alias expansion up to 1,000,000 nodes or 10 per input byte
    /// and 64 MiB or 10 bytes per input byte, no bound on output, 4 GiB held in memory.
    pub const DEFAULT: Limits = Limits {
        max_depth: 1024,
        max_token_bytes: 1 << 30,
        max_alias_nodes: 1_000_000,
        alias_nodes_per_byte: 10,
        max_alias_bytes: 64 << 20,
        alias_bytes_per_byte: 10,
        max_output_bytes: u64::MAX,
        max_held_bytes: 4 << 30,
        hash_seed: 0x5851_f42d_4c95_7f2d,
    };

    /// The most nodes alias expansion may produce for an input of `input_len` bytes.
    pub fn alias_nodes_for(&self, input_len: u64) -> u64 {
        self.max_alias_nodes.max(self.alias_nodes_per_byte.saturating_mul(input_len))
    }

    /// The most bytes alias expansion may produce for an input of `input_len` bytes.
    pub fn alias_bytes_for(&self, input_len: u64) -> u64 {
        self.max_alias_bytes.max(self.alias_bytes_per_byte.saturating_mul(input_len))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
