//! The event stream where every reader and writer meets.
//!
//! A reader turns text into a flat sequence of [`Event`]s and pushes each into a [`Sink`]; a writer is a sink
//! that turns events back into text. Adapters (a depth guard, the NDJSON ⇄ array reshaping, the tree builder)
//! are sinks that forward to another sink. Events borrow their text from the reader's buffer, so they are only
//! valid during the call that receives them.
//!
//! The shape is YAML's event model, the most general of the formats: a stream holds documents, a document holds
//! one node, a mapping holds alternating key and value nodes, and any node may carry an anchor and a tag.

use crate::bytes::find_byte;
use crate::error::Error;
use crate::source::Span;
use alloc::borrow::Cow;
use alloc::vec::Vec;

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
    /// A JSON string as written, quotes included, that holds no escape: the text between the quotes is the value.
    /// A reader that knows says so, and consumers take the value without looking for escapes again.
    JsonUnescaped,
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
    /// True when the text is the value itself, already decoded: every style but the two JSON ones.
    #[inline]
    pub const fn is_decoded(self) -> bool {
        !self.is_json()
    }

    /// True when the text is a JSON string as written, quotes included: [`ScalarStyle::JsonQuoted`] or
    /// [`ScalarStyle::JsonUnescaped`].
    #[inline]
    pub const fn is_json(self) -> bool {
        matches!(self, ScalarStyle::JsonQuoted | ScalarStyle::JsonUnescaped)
    }
}

impl<'a> Scalar<'a> {
    /// The value's text: a [`ScalarStyle::JsonQuoted`] string without its quotes and with its escapes decoded
    /// (an escaped lone surrogate, which has no UTF-8 form, becomes U+FFFD); any other scalar's text as it is.
    /// Borrowed unless an escape had to be decoded.
    pub fn decoded(&self) -> Cow<'a, [u8]> {
        decoded(self.text, self.style)
    }

    /// The value's text as [`Scalar::decoded`] gives it, decoded into `scratch` (cleared first) only when an escape
    /// must be: for a consumer that decodes many strings and reuses one buffer.
    pub fn decode_into<'s>(&'s self, scratch: &'s mut Vec<u8>) -> &'s [u8] {
        if let Some(value) = as_is(self.text, self.style) {
            return value;
        }
        let body = json_body(self.text);
        match find_byte(body, 0, b'\\') {
            None => body,
            Some(escape) => {
                unescape_json(body, escape, scratch);
                scratch
            }
        }
    }
}

/// A scalar's text in `style`, decoded (see [`Scalar::decoded`]).
pub(crate) fn decoded(text: &[u8], style: ScalarStyle) -> Cow<'_, [u8]> {
    if let Some(value) = as_is(text, style) {
        return Cow::Borrowed(value);
    }
    let body = json_body(text);
    match find_byte(body, 0, b'\\') {
        None => Cow::Borrowed(body),
        Some(escape) => {
            let mut out = Vec::with_capacity(body.len());
            unescape_json(body, escape, &mut out);
            Cow::Owned(out)
        }
    }
}

/// The value of a scalar whose text needs no decoding: the text itself, or the body of a JSON string without
/// escapes; `None` for a JSON string that may hold one.
#[inline]
fn as_is(text: &[u8], style: ScalarStyle) -> Option<&[u8]> {
    match style {
        ScalarStyle::JsonUnescaped => Some(json_body(text)),
        style if style.is_decoded() => Some(text),
        _ => None,
    }
}

/// A JSON string as written, without its quotes.
fn json_body(quoted: &[u8]) -> &[u8] {
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default()
}

/// Decodes the body of a JSON string, which has no escape before `escape`, into `out` (cleared first), copying
/// the runs between escapes whole. The reader has checked the escapes; text it did not check decodes without
/// panicking (a cut `\u` escape becomes U+FFFD, a lone surrogate too).
fn unescape_json(body: &[u8], escape: usize, out: &mut Vec<u8>) {
    let hex = |at: usize| -> Option<u32> {
        let digits = body.get(at..at + 4)?;
        digits.iter().try_fold(0u32, |n, &b| Some(n << 4 | char::from(b).to_digit(16)?))
    };
    out.clear();
    let mut from = 0;
    let mut at = Some(escape);
    while let Some(i) = at {
        out.extend_from_slice(&body[from..i]);
        from = i + 2;
        match body.get(i + 1) {
            None => {
                out.push(b'\\');
                from = i + 1;
            }
            Some(b'u') => {
                let unit = hex(i + 2).unwrap_or(0xfffd);
                from = i + 6;
                let mut code = unit;
                if (0xd800..0xdc00).contains(&unit)
                    && body.get(from..from + 2) == Some(b"\\u")
                    && let Some(low) = hex(from + 2).filter(|low| (0xdc00..0xe000).contains(low))
                {
                    code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    from += 6;
                }
                let c = char::from_u32(code).unwrap_or('\u{fffd}');
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            Some(&c) => out.push(match c {
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                other => other,
            }),
        }
        from = from.min(body.len());
        at = find_byte(body, from, b'\\');
    }
    out.extend_from_slice(&body[from..]);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn value(quoted: &str) -> Vec<u8> {
        let scalar = Scalar {
            text: quoted.as_bytes(),
            kind: ScalarKind::String,
            style: ScalarStyle::JsonQuoted,
            props: Props::NONE,
        };
        let mut scratch = Vec::new();
        let reused = scalar.decode_into(&mut scratch).to_vec();
        assert_eq!(reused, &*scalar.decoded(), "{quoted}");
        reused
    }

    #[test]
    fn json_strings_are_decoded_once() {
        assert_eq!(value(r#""a\u0041\n""#), b"aA\n");
        assert_eq!(value(r#""\ud83d\ude00""#), "😀".as_bytes());
        assert_eq!(value(r#""\ud800x""#), "\u{fffd}x".as_bytes());
        assert_eq!(value(r#""\udc00\ud800""#), "\u{fffd}\u{fffd}".as_bytes());
        assert_eq!(value(r#""\/\\\b\f\r\t\"""#), b"/\\\x08\x0c\r\t\"");
        assert_eq!(value(r#""plain""#), b"plain");
        // Text the reader would refuse still decodes without a panic.
        for odd in [r#""end\""#, r#""short \u12""#, r#""\ud800\u""#, "\"", "", r#""x\ud83d\u0041""#] {
            value(odd);
        }
        let yaml =
            Scalar { text: b"a\\n", kind: ScalarKind::String, style: ScalarStyle::DoubleQuoted, props: Props::NONE };
        assert!(matches!(yaml.decoded(), Cow::Borrowed(b"a\\n")));
    }
}
