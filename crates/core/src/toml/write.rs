//! The TOML writer: data from any format (a stream of events) written as TOML.
//!
//! TOML puts a table's plain entries before its sub-tables, so the writer records the document first ([`Doc`])
//! and writes it when the stream ends: each table's scalars and arrays as `key = value`, then its sub-tables as
//! `[a.b]` sections (a section with nothing but sub-tables of its own gets no header line), arrays whose
//! elements are all tables as `[[a]]` sections (unless every element is short and flat: then an array of inline
//! tables, as in `authors = [{ name = "A" }]`), and tables inside arrays inline. Keys are quoted only when they
//! are not bare keys; strings are basic strings, with `"""` when they hold line breaks.

use super::doc::{Doc, Kind, Made};
use super::lex::is_bare_key_byte;
use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Event, EventKind, ScalarKind, Sink};
use crate::limits::Limits;
use crate::output::Output;
use crate::source::Span;
use alloc::vec::Vec;

/// A table inside an array is written inline when its one-line form is at most this long.
const SHORT: usize = 60;
/// An array stays on one line when its line is at most this long.
const WIDTH: usize = 80;

/// Writes the events it receives as one TOML document when the stream ends.
#[derive(Debug)]
pub struct Writer<O> {
    out: O,
    record: Record,
    indent: &'static [u8],
    /// The longest text the layout may make ([`crate::Limits::max_output_bytes`]): a document's headers repeat
    /// its dotted paths, so its text can be far longer than the data it holds.
    max_output: u64,
}

impl<O: Output> Writer<O> {
    /// A writer into `out`, indenting the elements of multi-line arrays by `indent`.
    pub fn new(out: O, indent: &'static [u8]) -> Self {
        Writer { out, record: Record::new(), indent, max_output: u64::MAX }
    }

    /// Bounds the document it records by `limits` ([`crate::Limits::max_held_bytes`]) and keys the hash of its
    /// index of keys ([`crate::Limits::hash_seed`]).
    pub fn limited(mut self, limits: &crate::Limits) -> Self {
        self.record.doc = Doc::limited(limits);
        self.max_output = limits.max_output_bytes;
        self
    }

    /// Writes the document (if the stream held one) and returns the output.
    pub fn finish(mut self) -> Result<O, Error> {
        if self.record.documents > 0 {
            let mut text = Vec::with_capacity(1 << 12);
            let max = usize::try_from(self.max_output).unwrap_or(usize::MAX);
            let doc = &self.record.doc;
            let mut layout = Layout { doc, out: &mut text, indent: self.indent, path: Vec::new(), one_line: 0, max };
            layout.table(0);
            if text.len() > max {
                let code = crate::error::ErrorCode::OutputLimit;
                return Err(Error::with(code, crate::error::Detail::Limit(self.max_output), Span::at(0)));
            }
            self.out.write(&text)?;
        }
        Ok(self.out)
    }
}

impl<O: Output> Sink for Writer<O> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.record.event(event)
    }
}

/// Records a data event stream into a [`Doc`], refusing what TOML cannot hold.
#[derive(Debug)]
struct Record {
    doc: Doc<'static>,
    documents: u32,
    /// Open mappings and sequences.
    open: Vec<u32>,
    /// The key read for the next value in the innermost mapping.
    key: Option<(Vec<u8>, Span)>,
    /// True until the document's top-level node has started.
    at_root: bool,
    limits: Limits,
}

impl Record {
    fn new() -> Self {
        Record {
            doc: Doc::new(),
            documents: 0,
            open: Vec::new(),
            key: None,
            at_root: false,
            // The reader upstream applied the user's limits; the depth here only has to hold what it passed.
            limits: Limits { max_depth: u32::MAX, ..Limits::DEFAULT },
        }
    }

    /// Adds a node for a value where the stream is: under the key just read, or as an array's next element.
    fn value(&mut self, kind: Kind, span: Span) -> Result<u32, Error> {
        let Some(&parent) = self.open.last() else {
            return Err(Error::new(ErrorCode::TomlTopLevelNotTable, span));
        };
        let key = if matches!(self.doc.node(parent).kind, Kind::Table(_)) {
            let Some(key) = self.key.take() else {
                return Err(Error::new(ErrorCode::TomlKeyNotString, span));
            };
            if let Some(first) = self.doc.find(parent, &key.0) {
                return Err(Error::with(
                    ErrorCode::DuplicateKey,
                    Detail::Earlier(self.doc.node(first).key_span.start),
                    key.1,
                ));
            }
            Some(key)
        } else {
            None
        };
        let key = key.as_ref().map(|(name, at)| (&name[..], *at));
        self.doc.add(parent, key, kind, span, &self.limits)
    }

    /// True when the next scalar is a mapping key.
    fn at_key(&self) -> bool {
        self.key.is_none() && self.open.last().is_some_and(|&p| matches!(self.doc.node(p).kind, Kind::Table(_)))
    }

    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let span = event.span;
        match event.kind {
            EventKind::DocumentStart { .. } => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Error::new(ErrorCode::TomlSecondDocument, span));
                }
                self.at_root = true;
            }
            EventKind::MappingStart(_) if self.at_root => {
                self.at_root = false;
                self.open.push(0);
            }
            EventKind::MappingStart(_) => {
                let id = self.value(Kind::Table(Made::Header), span)?;
                self.open.push(id);
            }
            EventKind::SequenceStart(_) => {
                let id = self.value(Kind::Array { of_tables: false }, span)?;
                self.open.push(id);
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                self.open.pop();
            }
            EventKind::Scalar(_) | EventKind::Alias(_) if self.at_root => {
                return Err(Error::new(ErrorCode::TomlTopLevelNotTable, span));
            }
            EventKind::Scalar(s) => {
                let decoded = s.decoded();
                let text = &decoded[..];
                if self.at_key() {
                    self.key = Some((text.to_vec(), span));
                    return Ok(());
                }
                check_scalar(s.kind, text, span)?;
                let id = self.value(Kind::Scalar(s.kind), span)?;
                self.doc.set_text(id, text)?;
            }
            EventKind::Alias(_) => {
                return Err(Error::new(ErrorCode::UnexpandedAlias, span));
            }
            EventKind::StreamStart
            | EventKind::StreamEnd
            | EventKind::DocumentEnd { .. }
            | EventKind::Comment(_)
            | EventKind::BlankLine => {}
        }
        Ok(())
    }
}

/// Refuses the scalars TOML has no form for: null, and integers beyond 64 bits (which must not quietly become
/// floats).
fn check_scalar(kind: ScalarKind, text: &[u8], span: Span) -> Result<(), Error> {
    match kind {
        ScalarKind::Null => Err(Error::new(ErrorCode::TomlNull, span)),
        ScalarKind::Integer if !fits_i64(text) => Err(Error::new(ErrorCode::TomlIntegerRange, span)),
        _ => Ok(()),
    }
}

/// True when the decimal integer `text` (optional sign) fits a signed 64-bit integer.
fn fits_i64(text: &[u8]) -> bool {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    let significant = &digits[digits.iter().take_while(|&&b| b == b'0').count()..];
    match significant.len() {
        0..19 => true,
        19 if negative => significant <= b"9223372036854775808".as_slice(),
        19 => significant <= b"9223372036854775807".as_slice(),
        _ => false,
    }
}

/// True when `id` is written as a section of its own rather than as `key = value`.
fn is_section(doc: &Doc<'_>, id: u32) -> bool {
    match doc.node(id).kind {
        Kind::Table(_) => true,
        Kind::Array { .. } => is_array_of_tables(doc, id),
        Kind::Scalar(_) => false,
    }
}

/// An array written as `[[key]]` sections: not empty, all tables, and not all short and flat.
fn is_array_of_tables(doc: &Doc<'_>, id: u32) -> bool {
    doc.node(id).children > 0
        && doc.children(id).all(|e| matches!(doc.node(e).kind, Kind::Table(_)))
        && !doc.children(id).all(|e| is_short_flat(doc, e))
}

/// A table whose entries are all scalars and whose one-line form is short.
fn is_short_flat(doc: &Doc<'_>, table: u32) -> bool {
    let mut width = 4;
    for child in doc.children(table) {
        if !matches!(doc.node(child).kind, Kind::Scalar(_)) {
            return false;
        }
        width += doc.key(child).len() + doc.text(child).len() + 7;
        if width > SHORT {
            return false;
        }
    }
    true
}

/// Writes a recorded document as TOML text.
struct Layout<'d, 'o> {
    doc: &'d Doc<'d>,
    out: &'o mut Vec<u8>,
    indent: &'static [u8],
    /// The nodes from the root to the table being written.
    path: Vec<u32>,
    /// Arrays being tried on one line (see [`Layout::array`]).
    one_line: u32,
    /// Past this many bytes the layout stops: the text is refused whole.
    max: usize,
}

impl Layout<'_, '_> {
    /// Writes table `id` (its header line, if it has one, is written): its plain entries, then its sections.
    fn table(&mut self, id: u32) {
        let doc = self.doc;
        for child in doc.children(id).filter(|&c| !is_section(doc, c)) {
            if self.out.len() > self.max {
                return;
            }
            let line_start = self.out.len();
            self.key(doc.key(child));
            self.out.extend_from_slice(b" = ");
            self.value(child, line_start, false);
            self.out.push(b'\n');
        }
        for child in doc.children(id).filter(|&c| is_section(doc, c)) {
            if self.out.len() > self.max {
                return;
            }
            self.path.push(child);
            if matches!(doc.node(child).kind, Kind::Table(_)) {
                // A table with nothing but sub-tables needs no header of its own; an empty one does, to exist.
                if doc.node(child).children == 0 || doc.children(child).any(|c| !is_section(doc, c)) {
                    self.header(false);
                }
                self.table(child);
            } else {
                for element in doc.children(child) {
                    self.header(true);
                    self.table(element);
                }
            }
            self.path.pop();
        }
    }

    /// A `[a.b]` or `[[a.b]]` line for the current path, after a blank line.
    fn header(&mut self, array: bool) {
        if !self.out.is_empty() {
            self.out.push(b'\n');
        }
        self.out.extend_from_slice(if array { b"[[" } else { b"[" });
        for i in 0..self.path.len() {
            if i > 0 {
                self.out.push(b'.');
            }
            self.key(self.doc.key(self.path[i]));
        }
        self.out.extend_from_slice(if array { b"]]\n" } else { b"]\n" });
    }

    /// A key: bare when it can be, else a basic string.
    fn key(&mut self, key: &[u8]) {
        if !key.is_empty() && key.iter().all(|&b| is_bare_key_byte(b)) {
            self.out.extend_from_slice(key);
        } else {
            basic_string(self.out, key, false);
        }
    }

    /// A value on the line that started at `line_start`; `inline` inside an inline table, which stays on one
    /// line (no `"""` strings, no multi-line arrays).
    fn value(&mut self, id: u32, line_start: usize, inline: bool) {
        let doc = self.doc;
        let node = doc.node(id);
        match node.kind {
            Kind::Scalar(ScalarKind::String) => basic_string(self.out, doc.text(id), !inline),
            Kind::Scalar(_) => self.out.extend_from_slice(doc.text(id)),
            Kind::Table(_) if node.children == 0 => self.out.extend_from_slice(b"{}"),
            Kind::Table(_) => {
                self.out.extend_from_slice(b"{ ");
                for (i, child) in doc.children(id).enumerate() {
                    if i > 0 {
                        self.out.extend_from_slice(b", ");
                    }
                    self.key(doc.key(child));
                    self.out.extend_from_slice(b" = ");
                    self.value(child, line_start, true);
                }
                self.out.extend_from_slice(b" }");
            }
            Kind::Array { .. } => self.array(id, line_start, inline),
        }
    }

    /// An array: on one line when it fits (or is empty, or inside an inline table), else one element per line.
    fn array(&mut self, id: u32, line_start: usize, inline: bool) {
        let doc = self.doc;
        let start = self.out.len();
        // First on one line, with the arrays inside it on that line too: were each of them laid out on its own,
        // tried on one line and then again over several, the work would double at every level of nesting. The
        // attempt stops as soon as the line is too long or broken (by a `"""` string); an array inside another's
        // attempt then just returns, and the outer one sees the same overflow.
        self.one_line += 1;
        self.out.push(b'[');
        let mut fits = true;
        for (i, element) in doc.children(id).enumerate() {
            if i > 0 {
                self.out.extend_from_slice(b", ");
            }
            let element_start = self.out.len();
            self.value(element, line_start, inline);
            if !inline && (self.out.len() - line_start > WIDTH || self.out[element_start..].contains(&b'\n')) {
                fits = false;
                break;
            }
        }
        self.out.push(b']');
        self.one_line -= 1;
        let fits = fits && self.out.len() - line_start <= WIDTH;
        if fits || inline || self.one_line > 0 || doc.node(id).children == 0 {
            return;
        }
        // Too long: again, one element per line, indented one step more than the line it starts on.
        self.out.truncate(start);
        let base = self.out[line_start..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let mut indent = Vec::from(&self.out[line_start..line_start + base]);
        indent.extend_from_slice(self.indent);
        self.out.push(b'[');
        for element in doc.children(id) {
            self.out.push(b'\n');
            let element_line = self.out.len();
            self.out.extend_from_slice(&indent);
            self.value(element, element_line, false);
            self.out.push(b',');
        }
        self.out.push(b'\n');
        self.out.extend_from_slice(&indent[..base]);
        self.out.push(b']');
    }
}

/// Writes `text` as a TOML basic string; `multiline` allows `"""` with real line breaks when the text has any.
fn basic_string(out: &mut Vec<u8>, text: &[u8], multiline: bool) {
    let lines = multiline && text.contains(&b'\n');
    out.extend_from_slice(if lines { b"\"\"\"\n" } else { b"\"" });
    for &b in text {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' if lines => out.push(b'\n'),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.push(b'\t'),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ if b < 0x20 || b == 0x7f => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            _ => out.push(b),
        }
    }
    out.extend_from_slice(if lines { b"\"\"\"" } else { b"\"" });
}
