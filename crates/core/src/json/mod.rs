//! JSON and its dialects: JSONC (comments, trailing commas) and NDJSON (one value per line).

mod read;
pub(crate) mod scan;
mod write;

pub use crate::options::Indent;
pub use read::read;
pub use write::{WriteOptions, Writer, escape_into};

/// The member of the JSON family being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// RFC 8259: exactly one value, no comments.
    Json,
    /// JSON with `//` and `/* */` comments and trailing commas.
    Jsonc,
    /// One JSON value per line; blank lines allowed.
    Ndjson,
}
