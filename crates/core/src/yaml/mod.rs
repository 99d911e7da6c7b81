//! YAML 1.2: a reader that pushes events (comments included), the adapters that turn a YAML stream into data
//! (alias expansion and merge keys, then JSON's rules for keys, tags and numbers), and a block-style writer.

mod data;
mod read;
mod resolve;
mod scan;
mod schema;
mod write;

pub use data::{ToJson, UniqueKeys};
pub use read::{CheckedText, check, read, read_checked};
pub use resolve::Resolve;
pub use schema::{core_kind, special_in_yaml11};
pub use write::{WriteOptions, Writer};
