//! The dfmt engine: formats, validates and converts structured data as a stream of events.
//!
//! # Brief overview
//!
//! Every job runs the same pipeline, and the modules follow it:
//!
//! 1. an [`Input`] hands bytes to a reader, either a whole slice ([`SliceInput`]) or a window sliding over a
//!    stream ([`ChunkedInput`]), so memory does not grow with the input;
//! 2. a reader ([`json::read`]) validates the text and pushes [`Event`]s, each with the [`Span`] it came from,
//!    into a [`Sink`]; a reader never builds a tree;
//! 3. when a job must see the whole document first (sorting keys), a [`Tree`] records the events in an arena
//!    and replays them;
//! 4. a writer ([`json::Writer`]) is a sink that prints the events into an [`Output`].
//!
//! [`format`], [`convert`] and [`validate`] wire these together. Errors are one type, [`Error`]: a kind and a
//! span; line and column are computed only when an error is reported ([`Input::locate`]).
//!
//! The crate is `no_std` (with `alloc`) and does no I/O; the `std` feature adds adapters for
//! [`std::io::Read`] and [`std::io::Write`].
//!
//! # Example
//!
//! ```
//! use dfmt_core::{Format, Options, SliceInput, format};
//!
//! let mut input = SliceInput::new(br#"{"name":"dfmt","sizes":[1.0,1E400]}"#);
//! let out = format(&mut input, Format::Json, &Options::default(), Vec::new()).unwrap();
//! assert_eq!(out, b"{\n  \"name\": \"dfmt\",\n  \"sizes\": [\n    1.0,\n    1E400\n  ]\n}\n");
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
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub use keys::DEGENERATE_SEED;
pub use limits::Limits;
pub use options::{Indent, Options, ParseError, ParseErrorKind};
#[cfg(feature = "std")]
pub use output::IoOutput;
pub use output::{Bounded, Discard, Output};
pub use path::key_path_at;
pub use reshape::{ArrayToDocuments, DocumentsToArray};
pub use source::{Located, Position, Span, locate};
pub use tree::Tree;
