//! The YAML writer (being written).

/// Settings of the YAML writer.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {}

/// Writes events as YAML.
#[derive(Debug)]
pub struct Writer {}
