//! The core's one error type: what went wrong, and where.

use crate::source::Span;
use core::fmt;

/// Everything the core can report: a kind and the span it applies to.
///
/// Line and column are not stored; the caller computes them from the span when it reports the error
/// ([`crate::source::locate`], or [`crate::Input::locate`] for streamed input). Creating an error never allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where: the offending bytes, or an empty span where something is missing.
    pub span: Span,
}

impl Error {
    /// An error of `kind` at `span`.
    #[inline]
    pub const fn new(kind: ErrorKind, span: Span) -> Self {
        Error { kind, span }
    }

    /// A hint that tells the user how to fix a common mistake, when there is one.
    pub fn hint(&self) -> Option<&'static str> {
        self.kind.hint()
    }

    /// True when the input is at fault (as opposed to the input source or the output failing).
    pub fn is_invalid_input(&self) -> bool {
        !matches!(self.kind, ErrorKind::Input | ErrorKind::Output)
    }
}

/// What was found where something else was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A byte of the input (the first byte of a character, for non-ASCII text).
    Byte(u8),
    /// The input ended.
    End,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Found::End => f.write_str("end of input"),
            Found::Byte(b'\n') => f.write_str("a line break"),
            Found::Byte(b'\r') => f.write_str("a carriage return"),
            Found::Byte(b'\t') => f.write_str("a tab"),
            Found::Byte(b'\'') => f.write_str("a single quote"),
            Found::Byte(b) if b.is_ascii_graphic() || b == b' ' => write!(f, "'{}'", b as char),
            Found::Byte(b) if b >= 0x80 => f.write_str("a non-ASCII character"),
            Found::Byte(b) => write!(f, "control character U+{b:04X}"),
        }
    }
}

/// The kinds of error, each with a message that says what was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A token was expected and something else came.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the grammar allows here, e.g. "',' or '}' after object entry".
        expected: &'static str,
        /// What was there instead.
        found: Found,
    },
    /// A comment in a dialect that has none.
    #[error("comments are not allowed in {format}")]
    CommentNotAllowed {
        /// The dialect being read.
        format: &'static str,
    },
    /// A comma before a closing bracket in a dialect that forbids it.
    #[error("trailing comma before '{close}'")]
    TrailingComma {
        /// The closing bracket.
        close: char,
    },
    /// More than one top-level value where one is allowed.
    #[error("unexpected content after the top-level value")]
    TrailingContent,
    /// A comment that is never closed.
    #[error("unterminated block comment; expected '*/'")]
    UnterminatedComment,
    /// A string that is never closed.
    #[error("unterminated string; expected '\"'")]
    UnterminatedString,
    /// A control character (U+0000 to U+001F) inside a string.
    #[error("control character U+{0:04X} in string; write it as an escape")]
    ControlCharacter(u8),
    /// A backslash followed by something that is not an escape.
    #[error("invalid escape in string; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")]
    InvalidEscape,
    /// `\u` not followed by four hexadecimal digits.
    #[error("invalid unicode escape; expected four hexadecimal digits after \\u")]
    InvalidUnicodeEscape,
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A UTF-16 or UTF-32 byte order mark, or text that looks like UTF-16.
    #[error("input is not UTF-8 (it looks like UTF-16 or UTF-32)")]
    NotUtf8Encoding,
    /// A number that breaks the grammar; the text says how.
    #[error("invalid number: {0}")]
    InvalidNumber(&'static str),
    /// A bare word that is not `true`, `false` or `null`.
    #[error("invalid literal; expected a value (true, false, null, a number, a string, '[' or '{{')")]
    InvalidLiteral,
    /// `NaN`, `Infinity` or `-Infinity`, which JSON cannot spell.
    #[error("NaN and Infinity are not JSON numbers")]
    NonFinite,
    /// Nesting deeper than the configured limit.
    #[error("nesting is deeper than the limit of {limit}")]
    DepthLimit {
        /// The configured limit.
        limit: u32,
    },
    /// A scalar longer than the configured limit.
    #[error("a single value is longer than the limit of {limit} bytes")]
    TokenTooLong {
        /// The configured limit.
        limit: u64,
    },
    /// A value that the target format cannot express.
    #[error("{0}")]
    Unsupported(&'static str),
    /// Text that breaks a format's grammar, described in words (YAML's grammar has too many shapes for
    /// "expected X, found Y" alone).
    #[error("{0}")]
    Syntax(&'static str),
    /// A mapping key that appeared before in the same mapping; the span is the second one.
    #[error("duplicate key")]
    DuplicateKey {
        /// Offset of the first occurrence.
        first: u64,
    },
    /// A definition that conflicts with an earlier one (TOML: a table defined twice, a dotted key that extends
    /// an inline table); the span is the later one.
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: &'static str,
        /// Offset of the earlier definition.
        first: u64,
    },
    /// A YAML tag that the target format has no meaning for; the span is the tag.
    #[error("this tag has no meaning in the target format")]
    UnsupportedTag,
    /// Alias expansion (YAML `*name` and `<<` merge keys) would produce more nodes than the limit allows.
    #[error("alias expansion exceeds the limit of {limit} nodes")]
    AliasLimit {
        /// The limit for this input.
        limit: u64,
    },
    /// Reading the input failed; the input adapter holds the underlying error.
    #[error("reading the input failed")]
    Input,
    /// Writing the output failed; the output adapter holds the underlying error.
    #[error("writing the output failed")]
    Output,
}

impl ErrorKind {
    /// A stable short name for the kind of error, for programs to branch on (the server's and the web page's
    /// `kind`): `syntax`, `encoding`, `duplicate`, `depth_limit`, `too_long`, `alias_limit`,
    /// `not_representable`, or `io` for the input or output failing.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::DepthLimit { .. } => "depth_limit",
            ErrorKind::TokenTooLong { .. } => "too_long",
            ErrorKind::AliasLimit { .. } => "alias_limit",
            ErrorKind::DuplicateKey { .. } | ErrorKind::Conflict { .. } => "duplicate",
            ErrorKind::Unsupported(_) | ErrorKind::UnsupportedTag | ErrorKind::NonFinite => "not_representable",
            ErrorKind::InvalidUtf8 | ErrorKind::NotUtf8Encoding => "encoding",
            ErrorKind::Input | ErrorKind::Output => "io",
            _ => "syntax",
        }
    }

    /// True when the error is about a value rather than the text (a null TOML cannot hold, a repeated key), so
    /// that naming the value's key path ([`crate::key_path_at`]) says which entry it is.
    pub fn is_about_a_value(&self) -> bool {
        matches!(
            self,
            ErrorKind::Unsupported(_)
                | ErrorKind::NonFinite
                | ErrorKind::UnsupportedTag
                | ErrorKind::DuplicateKey { .. }
        )
    }

    /// A fix for a common mistake, shown under the diagnostic.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match *self {
            ErrorKind::CommentNotAllowed { .. } => "comments are allowed with --from jsonc",
            ErrorKind::TrailingComma { .. } => "remove the comma, or read the file with --from jsonc",
            ErrorKind::TrailingContent => {
                "one value per line is NDJSON: use --from ndjson; or wrap the values in an array"
            }
            ErrorKind::Unexpected { found: Found::Byte(b'\''), .. } => "JSON strings use double quotes",
            ErrorKind::Unexpected { expected, found: Found::Byte(b) }
                if expected.starts_with("'\"' to start an object key") && (b.is_ascii_alphabetic() || b == b'_') =>
            {
                "object keys must be strings in double quotes"
            }
            ErrorKind::NonFinite => "write null, or the value as a string",
            ErrorKind::InvalidNumber("leading zeros are not allowed") => "write the number without leading zeros",
            ErrorKind::InvalidLiteral => "strings must be in double quotes",
            ErrorKind::InvalidNumber("unexpected character in a number") => "text is written in quotes: \"1.2.3\"",
            ErrorKind::DepthLimit { .. } => "raise the limit with --max-depth if the input is trusted",
            ErrorKind::ControlCharacter(b'\n') => "a line break inside a string is written \\n",
            ErrorKind::UnsupportedTag => "drop tags with --yaml-drop-tags, or remove the tag",
            ErrorKind::AliasLimit { .. } => "raise the limit with --max-alias-nodes if the input is trusted",
            _ => return None,
        })
    }
}
