//! Diagnostics: an [`Error`] explained for a person or a program — message, line and column, key path, the
//! earlier position it refers to, and a hint. Every surface builds its report from these, so the same input
//! gives the same code, message, line and column everywhere.

use crate::error::{Error, ErrorCode, Hint};
use crate::source::{Located, Position, Span};
use alloc::string::{String, ToString};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The job failed.
    Error,
    /// The job succeeded, but something deserves attention.
    Warning,
    /// Information that goes with another diagnostic.
    Note,
}

impl Severity {
    /// `error`, `warning` or `note`.
    pub const fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One finding about an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// The message, as the text after `error:`.
    pub message: String,
    /// The bytes it is about.
    pub span: Span,
    /// Line and column of the span's start (1-based; the column counts characters, that is code points).
    pub position: Position,
    /// The key path of the value it is about (`servers[0].port`), when it is about a value and the whole text
    /// was at hand.
    pub path: Option<String>,
    /// An earlier position it refers to: the first of two duplicate keys, an earlier table definition.
    pub related: Option<Related>,
    /// A fix for a common mistake.
    pub hint: Option<Hint>,
}

/// An earlier position a diagnostic refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Related {
    /// Its offset.
    pub offset: u64,
    /// Its line and column.
    pub position: Position,
    /// What stands there, as a phrase: "the key was first defined".
    pub what: &'static str,
}

impl Diagnostic {
    /// The diagnostic for `error`, with `locate` giving the line and column of an offset (`None` when the
    /// offset is no longer at hand, as in a stream that moved past it), and the key path when known.
    pub fn new<'a>(error: &Error, locate: &dyn Fn(u64) -> Option<Located<'a>>, path: Option<String>) -> Diagnostic {
        let located = locate(error.span.start);
        let position = located.map_or(Position { line: 0, column: 0 }, |l| l.position);
        let message = match (error.code, located) {
            // Name the tag: the span starts at the node's properties, the tag among them.
            (ErrorCode::UnsupportedTag, Some(located)) => match tag_at(&located) {
                Some(tag) => alloc::format!("the tag {tag} has no meaning in the target format"),
                None => error.to_string(),
            },
            _ => error.to_string(),
        };
        let related = error.related().and_then(|offset| {
            let what = match error.code {
                ErrorCode::DuplicateKey => "the key was first defined",
                _ => "the earlier definition is",
            };
            Some(Related { offset, position: locate(offset)?.position, what })
        });
        Diagnostic {
            severity: Severity::Error,
            code: error.code,
            message,
            span: error.span,
            position,
            path: path.filter(|p| !p.is_empty()),
            related,
            hint: error.hint(),
        }
    }

    /// The coarse class name (`syntax`, `duplicate`, …) of the code.
    pub fn kind(&self) -> &'static str {
        self.code.class().name()
    }

    /// True when reading the input or writing the output failed, rather than the input being invalid.
    pub fn is_io(&self) -> bool {
        matches!(self.code, ErrorCode::Input | ErrorCode::Output | ErrorCode::Stopped)
    }
}

/// The first tag (`!…`) among the properties that start at `located`.
fn tag_at(located: &Located<'_>) -> Option<String> {
    let rest = located.line.get(located.byte_in_line..)?;
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split([' ', '\t']).take(2);
    let word = words.find(|w| w.starts_with('!'))?;
    // A tag ends where its characters do: a verbatim one at its `>`, any other before a flow indicator (in
    // `[!t]`, `]` is the sequence's).
    let end = match word.strip_prefix("!<") {
        Some(rest) => rest.find('>').map_or(word.len(), |at| at + 3),
        None => word.find([',', '[', ']', '{', '}']).unwrap_or(word.len()),
    };
    Some(word[..end].to_string())
}

impl core::fmt::Display for Diagnostic {
    /// `LINE:COLUMN: error: MESSAGE`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}: {}: {}", self.position.line, self.position.column, self.severity.name(), self.message)
    }
}
