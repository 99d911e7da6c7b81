//! TOML 1.0: a syntax reader that reports every piece in source order (comments and blank lines included), the
//! data builder that applies TOML's rules on tables and keys, a formatter that changes layout and nothing else,
//! and a writer of TOML from any format's data.
//!
//! TOML may define a table in pieces (`[a]` … `[b]` … `[a.c]`), so data is built as a [`Doc`] before it is
//! replayed as events; formatting works on the syntax directly, in one pass.

mod doc;
mod fmt;
mod lex;
mod read;
mod write;

pub use doc::{Build, Doc};
pub use fmt::Formatter;
pub use read::{KeyPath, Value, Visit, read};
pub use write::Writer;

use crate::error::Error;
use crate::event::{Comment, CommentStyle, Event, EventKind, Sink};
use crate::fingerprint::Fingerprint;
use crate::limits::Limits;
use crate::source::Span;
use alloc::vec::Vec;

/// Reads TOML text into data, checking the grammar and TOML's rules on defining tables and keys.
pub fn load<'s>(src: &'s [u8], limits: &Limits) -> Result<Doc<'s>, Error> {
    let mut build = Build::new(src, limits);
    read(src, limits, &mut build)?;
    Ok(build.finish())
}

/// Formatted TOML, and a digest of what it holds.
#[derive(Debug)]
pub struct Formatted {
    /// The text.
    pub text: Vec<u8>,
    /// The digest of the data and of every comment, in order: formatting a text and formatting its formatted
    /// text give the same digest, or something was lost.
    pub fingerprint: Fingerprint,
}

/// Formats TOML text (see [`Formatter`] for the layout), indenting multi-line arrays by `indent`. The text is
/// checked as [`load`] checks it: a formatter must not make an invalid file look valid.
pub fn format(src: &[u8], limits: &Limits, indent: &'static [u8]) -> Result<Formatted, Error> {
    let mut build = Build::new(src, limits);
    let mut formatter = Formatter::new(src, indent);
    let mut comments = Comments { src, fingerprint: Fingerprint::default() };
    read(src, limits, &mut (&mut build, (&mut formatter, &mut comments)))?;
    let mut fingerprint = comments.fingerprint;
    build.finish().emit(&mut fingerprint, false)?;
    Ok(Formatted { text: formatter.finish(), fingerprint })
}

/// Formats TOML text as [`format`] does, without the digest (for output that is not checked against it).
pub fn format_text(src: &[u8], limits: &Limits, indent: &'static [u8]) -> Result<Vec<u8>, Error> {
    let mut build = Build::new(src, limits);
    let mut formatter = Formatter::new(src, indent);
    read(src, limits, &mut (&mut build, &mut formatter))?;
    Ok(formatter.finish())
}

/// Feeds the comments of a text into a fingerprint.
struct Comments<'s> {
    src: &'s [u8],
    fingerprint: Fingerprint,
}

impl Visit for Comments<'_> {
    fn comment(&mut self, span: Span, trailing: bool) -> Result<(), Error> {
        let text = self.src[span.start as usize + 1..span.end as usize].trim_ascii_end();
        let comment = Comment { text, style: CommentStyle::Line, trailing };
        self.fingerprint.event(Event::new(EventKind::Comment(comment), span))
    }
}

/// Both visitors see every piece, the first one first.
impl<A: Visit, B: Visit> Visit for (A, B) {
    fn header(&mut self, path: &KeyPath<'_>, array: bool, span: Span) -> Result<(), Error> {
        self.0.header(path, array, span)?;
        self.1.header(path, array, span)
    }
    fn key(&mut self, path: &KeyPath<'_>) -> Result<(), Error> {
        self.0.key(path)?;
        self.1.key(path)
    }
    fn scalar(&mut self, value: &Value<'_>) -> Result<(), Error> {
        self.0.scalar(value)?;
        self.1.scalar(value)
    }
    fn array_start(&mut self, at: usize) -> Result<(), Error> {
        self.0.array_start(at)?;
        self.1.array_start(at)
    }
    fn array_end(&mut self, at: usize) -> Result<(), Error> {
        self.0.array_end(at)?;
        self.1.array_end(at)
    }
    fn table_start(&mut self, at: usize) -> Result<(), Error> {
        self.0.table_start(at)?;
        self.1.table_start(at)
    }
    fn table_end(&mut self, at: usize) -> Result<(), Error> {
        self.0.table_end(at)?;
        self.1.table_end(at)
    }
    fn comment(&mut self, span: Span, trailing: bool) -> Result<(), Error> {
        self.0.comment(span, trailing)?;
        self.1.comment(span, trailing)
    }
    fn blank_line(&mut self) -> Result<(), Error> {
        self.0.blank_line()?;
        self.1.blank_line()
    }
}

/// A visitor borrowed is a visitor.
impl<V: Visit + ?Sized> Visit for &mut V {
    fn header(&mut self, path: &KeyPath<'_>, array: bool, span: Span) -> Result<(), Error> {
        (**self).header(path, array, span)
    }
    fn key(&mut self, path: &KeyPath<'_>) -> Result<(), Error> {
        (**self).key(path)
    }
    fn scalar(&mut self, value: &Value<'_>) -> Result<(), Error> {
        (**self).scalar(value)
    }
    fn array_start(&mut self, at: usize) -> Result<(), Error> {
        (**self).array_start(at)
    }
    fn array_end(&mut self, at: usize) -> Result<(), Error> {
        (**self).array_end(at)
    }
    fn table_start(&mut self, at: usize) -> Result<(), Error> {
        (**self).table_start(at)
    }
    fn table_end(&mut self, at: usize) -> Result<(), Error> {
        (**self).table_end(at)
    }
    fn comment(&mut self, span: Span, trailing: bool) -> Result<(), Error> {
        (**self).comment(span, trailing)
    }
    fn blank_line(&mut self) -> Result<(), Error> {
        (**self).blank_line()
    }
}
