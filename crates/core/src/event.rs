//! The event stream where every reader and writer meets.
//!
//! A reader turns text into a flat sequence of [`Event`]s and pushes each into a [`Sink`]; a writer is a sink
//! that turns events back into text. Adapters (a depth guard, the NDJSON ⇄ array reshaping, the tree builder)
//! are sinks that forward to another sink. Events borrow their text from the reader's buffer, so they are only
//! valid during the call that receives them.
//!
//! The shape is YAML's event model, the most general of the formats: a stream holds documents, a document holds
//! one node, a mapping holds alternating key and value nodes, and any node may carry an anchor and a tag.

use crate::error::Error;
use crate::source::Span;

/// One step of a document, with the bytes of the source it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// What happened.
    pub kind: EventKind<'a>,
    /// Where in the source.
    pub span: Span,
}

impl<'a> Event<'a> {
    /// An event of `kind` at `span`.
    #[inline]
    pub const fn new(kind: EventKind<'a>, span: Span) -> Self {
        Event { kind, span }
    }
}

/// The kinds of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind<'a> {
    /// The input begins. Always first.
    StreamStart,
    /// The input ends. Always last, and only after a successful read.
    StreamEnd,
    /// A document begins: JSON has one, NDJSON one per line, YAML one per `---`.
    DocumentStart {
        /// True when the source marked it (`---` in YAML).
        explicit: bool,
    },
    /// The document ends.
    DocumentEnd {
        /// True when the source marked it (`...` in YAML).
        explicit: bool,
    },
    /// A mapping (JSON object, YAML mapping, TOML table) begins; key and value nodes alternate until its end.
    MappingStart(Props<'a>),
    /// The innermost open mapping ends.
    MappingEnd,
    /// A sequence (JSON array, YAML sequence, TOML array) begins.
    SequenceStart(Props<'a>),
    /// The innermost open sequence ends.
    SequenceEnd,
    /// A scalar node.
    Scalar(Scalar<'a>),
    /// A reference to an anchored node (YAML `*name`).
    Alias(&'a [u8]),
    /// A comment, which writers of formats with comments keep in place.
    Comment(Comment<'a>),
    /// One or more blank lines stood here, between entries or comments. Readers of formats that are formatted
    /// with their layout kept (YAML, TOML) report them so that a writer can keep one; data writers ignore them.
    BlankLine,
}

/// The properties a node may carry: YAML's anchor (`&name`) and tag (`!tag`). JSON nodes have neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Props<'a> {
    /// The anchor name, without `&`.
    pub anchor: Option<&'a [u8]>,
    /// The tag as written, without the leading `!` resolved.
    pub tag: Option<&'a [u8]>,
}

impl Props<'_> {
    /// No anchor and no tag.
    pub const NONE: Props<'static> = Props { anchor: None, tag: None };
}

/// A scalar: its text as it stood in the source, and what it is.
///
/// Text is kept as written so that writers of the same family copy it byte for byte: numbers keep their exact
/// literal and strings keep their escapes. A writer of another family decodes it according to `style`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar<'a> {
    /// The text: for [`ScalarStyle::JsonQuoted`] the string as written, quotes and escapes included (so that a
    /// JSON writer copies it in one piece); otherwise the value's characters.
    pub text: &'a [u8],
    /// What the scalar means.
    pub kind: ScalarKind,
    /// How `text` is spelled.
    pub style: ScalarStyle,
    /// Anchor and tag.
    pub props: Props<'a>,
}

/// What a scalar means, once resolved by its reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// `null` (YAML: `null`, `~`, empty).
    Null,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// A number with a fraction or exponent (or a non-finite YAML/TOML float).
    Float,
    /// Text.
    String,
    /// A TOML date, time or date-time, spelled as RFC 3339.
    DateTime,
}

/// How a scalar's text is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    /// A bare token: a number, `true`, `false`, `null`, or a YAML plain scalar; the text is the value.
    Plain,
    /// A JSON string as written: quotes and escapes included.
    JsonQuoted,
    /// A string whose text is already decoded (TOML strings, strings made by a program).
    Decoded,
    /// A YAML `'single-quoted'` scalar; the text is decoded.
    SingleQuoted,
    /// A YAML `"double-quoted"` scalar; the text is decoded.
    DoubleQuoted,
    /// A YAML literal block scalar (`|`); the text is decoded.
    Literal,
    /// A YAML folded block scalar (`>`); the text is decoded.
    Folded,
}

impl ScalarStyle {
    /// True when the text is the value itself, already decoded: every style but [`ScalarStyle::JsonQuoted`].
    #[inline]
    pub const fn is_decoded(self) -> bool {
        !matches!(self, ScalarStyle::JsonQuoted)
    }
}

/// A comment and where it stood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment<'a> {
    /// The body, without its markers (`//`, `/*` `*/`, `#`).
    pub text: &'a [u8],
    /// `//` or `#` to the end of the line, or `/* */`.
    pub style: CommentStyle,
    /// True when the comment follows other content on the same line; false when it starts its own line.
    pub trailing: bool,
}

/// The spelling of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommentStyle {
    /// To the end of the line.
    Line,
    /// Between `/*` and `*/`.
    Block,
}

/// Receives events. Readers push into sinks; writers and adapters are sinks.
///
/// Returning an error stops the reader, which passes the error on.
pub trait Sink {
    /// Takes one event.
    fn event(&mut self, event: Event<'_>) -> Result<(), Error>;
}

impl<F> Sink for F
where
    F: FnMut(Event<'_>) -> Result<(), Error>,
{
    #[inline]
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self(event)
    }
}

/// Pushes every event into two sinks.
#[derive(Debug)]
pub struct Tee<A, B>(pub A, pub B);

impl<A: Sink, B: Sink> Sink for Tee<A, B> {
    #[inline]
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.0.event(event)?;
        self.1.event(event)
    }
}
