//! The dfmt engine: formats, validates and converts structured data as a stream of events.
//!
//! # Brief overview
//!
//! [`Job`] is what every surface calls: an [`Action`] (format, convert, validate) on an input in a [`Format`], with
//! [`Options`] and [`Limits`], run over an [`Input`] into an [`Output`]. It ends in [`Done`] (the output, and the
//! data's [`Fingerprint`] where asked) or in [`Diagnostic`]s: a stable [`ErrorCode`], the message, line and
//! column, the key path, an earlier position, a [`Hint`]. Beneath it, every job runs the same pipeline:
//!
//! 1. an [`Input`] hands bytes to a reader, either a whole slice ([`SliceInput`]) or a window sliding over a
//!    stream ([`ChunkedInput`]), so memory does not grow with the input;
//! 2. a reader validates the text and pushes [`Event`]s, each with the [`Span`] it came from, into a [`Sink`]; a
//!    reader never builds a tree, and formats meet only at events;
//! 3. when a job must see the whole document first (sorting keys), a [`Tree`] records the events in an arena
//!    and replays them;
//! 4. a writer is a sink that prints the events into an [`Output`].
//!
//! The crate is `no_std` (with `alloc`) and does no I/O; the `std` feature adds adapters for [`std::io::Read`]
//! and [`std::io::Write`]. JSON, JSONC and NDJSON are always built; YAML and TOML are the `yaml` and `toml`
//! features (on by default).
//!
//! # Example
//!
//! ```
//! use dfmt_core::{Action, ErrorCode, Format, Job, SliceInput};
//!
//! let job = Job::new(Action::Convert(Format::Json), Format::Yaml);
//! let done = job.run(&mut SliceInput::new(b"a: [1, 2]\n"), Vec::new()).unwrap();
//! assert_eq!(done.output, b"{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
//!
//! let failed = job.run(&mut SliceInput::new(b"a: 1\na: 2\n"), Vec::new()).unwrap_err();
//! assert_eq!((failed[0].code, failed[0].position.line), (ErrorCode::DuplicateKey, 2));
//! assert_eq!(failed[0].code.name(), "duplicate_key");
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod bytes;
mod diagnostic;
mod error;
mod event;
mod fingerprint;
mod format;
mod input;
mod job;
pub mod json;
#[cfg(any(feature = "yaml", feature = "toml"))]
mod keys;
mod limits;
mod options;
mod output;
mod path;
mod reshape;
mod source;
#[cfg(feature = "toml")]
pub mod toml;
mod tree;
#[cfg(feature = "yaml")]
pub mod yaml;

pub use diagnostic::{Diagnostic, Related, Severity};
pub use error::{Detail, Error, ErrorClass, ErrorCode, Found, Hint};
pub use event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink, Tee};
pub use fingerprint::Fingerprint;
pub use format::Format;
#[cfg(feature = "std")]
pub use input::IoFill;
pub use input::{ChunkedInput, Fill, Input, PieceFill, SliceInput};
pub use job::{Action, Done, Job, Params, convert, events, format, validate};
#[cfg(all(feature = "test-hooks", any(feature = "yaml", feature = "toml")))]
#[doc(hidden)]
pub use keys::DEGENERATE_SEED;
pub use limits::Limits;
pub use options::{Indent, Options, ParseError, ParseErrorKind};
#[cfg(feature = "std")]
pub use output::IoOutput;
pub use output::{Bounded, Discard, Output};
pub use path::{key_path_at, push_index, push_key};
pub use reshape::{ArrayToDocuments, DocumentsToArray};
pub use source::{Located, Locator, Position, Span, locate};
pub use tree::Tree;
