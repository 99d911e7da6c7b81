//! `dfmt fmt` for TOML: rewrites the layout, never the content.
//!
//! Every key, string, number and comment is copied as written; what changes is whitespace. One statement per
//! line at column 0; `key = value` with one space around `=`; `[a.b]` headers without inner spaces; at most one
//! blank line in a row, none at the start or end; a comment after a value one space after it. An array written
//! on one line stays on one line (`[1, 2, 3]`); an array with a line break inside gets one element per line,
//! indented, each with a trailing comma. Inline tables are written `{ a = 1, b = 2 }`.

use super::read::{KeyPath, Value, Visit};
use crate::error::Error;
use crate::source::Span;
use alloc::vec::Vec;

/// The formatter: a [`Visit`] that writes the text it is shown into a buffer.
#[derive(Debug)]
pub struct Formatter<'s> {
    src: &'s [u8],
    out: Vec<u8>,
    /// One indentation step inside multi-line arrays.
    indent: &'static [u8],
    /// The pieces of the value being read, laid out when it is complete.
    value: Vec<Piece>,
    /// The key parts of `value`'s inline-table keys.
    keys: Vec<Span>,
    /// Open arrays and inline tables in `value`.
    depth: usize,
    /// True when the last line written has no line break yet.
    line_open: bool,
    /// A blank line was seen since the last statement.
    blank: bool,
}

/// A piece of a value, by its place in the source.
#[derive(Clone, Copy, Debug)]
enum Piece {
    /// A key inside an inline table: parts `start..end` of `keys`.
    Key {
        start: u32,
        end: u32,
    },
    Scalar(Span),
    ArrayStart {
        at: usize,
        multiline: bool,
    },
    ArrayEnd,
    TableStart,
    TableEnd,
    Comment {
        span: Span,
        trailing: bool,
    },
    Blank,
}

/// One open array or inline table while a value is written.
#[derive(Clone, Copy, Debug)]
struct Open {
    array: bool,
    multiline: bool,
    entries: usize,
    blank: bool,
}

impl<'s> Formatter<'s> {
    /// A formatter of `src` (the same text the reader reads), indenting multi-line arrays by `indent`.
    pub fn new(src: &'s [u8], indent: &'static [u8]) -> Self {
        Formatter {
            src,
            out: Vec::with_capacity(src.len() + src.len() / 8),
            indent,
            value: Vec::new(),
            keys: Vec::new(),
            depth: 0,
            line_open: false,
            blank: false,
        }
    }

    /// The formatted text.
    pub fn finish(mut self) -> Vec<u8> {
        if self.line_open {
            self.out.push(b'\n');
        }
        self.out
    }

    /// Starts a statement on a line of its own, after a blank line if one stood before it.
    fn statement(&mut self) {
        if self.line_open {
            self.out.push(b'\n');
        }
        if self.blank && !self.out.is_empty() {
            self.out.push(b'\n');
        }
        self.blank = false;
        self.line_open = true;
    }

    /// Writes the parts of a dotted key as written, joined by dots.
    fn path(out: &mut Vec<u8>, src: &[u8], spans: impl Iterator<Item = Span>) {
        for (i, span) in spans.enumerate() {
            if i > 0 {
                out.push(b'.');
            }
            crate::bytes::extend_short(out, &src[span.start as usize..span.end as usize]);
        }
    }

    fn comment_text(&self, span: Span) -> &'s [u8] {
        self.src[span.start as usize..span.end as usize].trim_ascii_end()
    }

    /// Lays out the value collected in `self.value`, after `key = ` on the current line.
    fn write_value(&mut self) {
        let src = self.src;
        let mut stack: Vec<Open> = Vec::new();
        // A comment runs to the end of its line: a second one on the same line must start a new line.
        let mut commented = false;
        let pieces = core::mem::take(&mut self.value);
        let keys = core::mem::take(&mut self.keys);
        for piece in &pieces {
            // Where an element of a multi-line array starts: on a line of its own.
            let element = matches!(piece, Piece::Scalar(_) | Piece::ArrayStart { .. } | Piece::TableStart);
            if element && self.before_element(&mut stack) {
                commented = false;
            }
            match *piece {
                Piece::Key { start, end } => {
                    if let Some(top) = stack.last_mut() {
                        crate::bytes::extend_short(&mut self.out, if top.entries > 0 { b", " } else { b" " });
                        top.entries += 1;
                    }
                    Formatter::path(&mut self.out, src, keys[start as usize..end as usize].iter().copied());
                    self.out.extend_from_slice(b" = ");
                }
                Piece::Scalar(span) => {
                    crate::bytes::extend_short(&mut self.out, &src[span.start as usize..span.end as usize]);
                    self.after_element(&stack);
                }
                Piece::ArrayStart { multiline, .. } => {
                    self.out.push(b'[');
                    stack.push(Open { array: true, multiline, entries: 0, blank: false });
                }
                Piece::ArrayEnd => {
                    let open = stack.pop();
                    // After a comment the `]` needs a line of its own even in an array with no element
                    // (`[ # c` / `]`): a trailing comment does not count as an entry.
                    if commented || open.is_some_and(|o| o.multiline && o.entries > 0) {
                        self.out.push(b'\n');
                        self.indent_to(&stack);
                        commented = false;
                    }
                    self.out.push(b']');
                    self.after_element(&stack);
                }
                Piece::TableStart => {
                    self.out.push(b'{');
                    stack.push(Open { array: false, multiline: false, entries: 0, blank: false });
                }
                Piece::TableEnd => {
                    let open = stack.pop();
                    crate::bytes::extend_short(
                        &mut self.out,
                        if open.is_some_and(|o| o.entries > 0) { b" }" } else { b"}" },
                    );
                    self.after_element(&stack);
                }
                Piece::Comment { span, trailing } => {
                    let text = self.comment_text(span);
                    let Some(top) = stack.last_mut() else { continue };
                    if trailing && !commented {
                        self.out.push(b' ');
                    } else {
                        self.out.push(b'\n');
                        if top.blank && top.entries > 0 {
                            self.out.push(b'\n');
                        }
                        top.blank = false;
                        top.entries += 1;
                        let depth = stack.iter().filter(|o| o.multiline).count();
                        for _ in 0..depth {
                            crate::bytes::extend_short(&mut self.out, self.indent);
                        }
                    }
                    crate::bytes::extend_short(&mut self.out, text);
                    commented = true;
                }
                Piece::Blank => {
                    if let Some(top) = stack.last_mut() {
                        top.blank = true;
                    }
                }
            }
        }
        self.value = pieces;
        self.value.clear();
        self.keys = keys;
        self.keys.clear();
    }

    /// Before an element: a line of its own in a multi-line array (returns true), `, ` between elements of a
    /// one-line array.
    fn before_element(&mut self, stack: &mut [Open]) -> bool {
        let Some(top) = stack.last_mut() else { return false };
        if !top.array {
            return false;
        }
        if top.multiline {
            self.out.push(b'\n');
            if top.blank && top.entries > 0 {
                self.out.push(b'\n');
            }
            top.blank = false;
            top.entries += 1;
            self.indent_to(stack);
            true
        } else {
            if top.entries > 0 {
                self.out.extend_from_slice(b", ");
            }
            top.entries += 1;
            false
        }
    }

    /// After an element: the comma that ends each element of a multi-line array.
    fn after_element(&mut self, stack: &[Open]) {
        if stack.last().is_some_and(|o| o.array && o.multiline) {
            self.out.push(b',');
        }
    }

    /// Indents a new line by one step per open multi-line array.
    fn indent_to(&mut self, stack: &[Open]) {
        for _ in stack.iter().filter(|o| o.multiline) {
            crate::bytes::extend_short(&mut self.out, self.indent);
        }
    }

    /// Records a piece of the current value; lays the value out when it is complete.
    fn piece(&mut self, piece: Piece) {
        self.value.push(piece);
        if self.depth == 0 {
            self.write_value();
        }
    }
}

impl Visit for Formatter<'_> {
    fn header(&mut self, path: &KeyPath<'_>, array: bool, _span: Span) -> Result<(), Error> {
        self.statement();
        crate::bytes::extend_short(&mut self.out, if array { b"[[" } else { b"[" });
        Formatter::path(&mut self.out, self.src, (0..path.len()).map(|i| path.span(i)));
        crate::bytes::extend_short(&mut self.out, if array { b"]]" } else { b"]" });
        Ok(())
    }

    fn key(&mut self, path: &KeyPath<'_>) -> Result<(), Error> {
        if self.depth == 0 {
            self.statement();
            Formatter::path(&mut self.out, self.src, (0..path.len()).map(|i| path.span(i)));
            self.out.extend_from_slice(b" = ");
            return Ok(());
        }
        let start = self.keys.len() as u32;
        self.keys.extend((0..path.len()).map(|i| path.span(i)));
        self.value.push(Piece::Key { start, end: self.keys.len() as u32 });
        Ok(())
    }

    fn scalar(&mut self, value: &Value<'_>) -> Result<(), Error> {
        self.piece(Piece::Scalar(value.span));
        Ok(())
    }

    fn array_start(&mut self, at: usize) -> Result<(), Error> {
        self.value.push(Piece::ArrayStart { at, multiline: false });
        self.depth += 1;
        Ok(())
    }

    fn array_end(&mut self, at: usize) -> Result<(), Error> {
        // Multi-line when the source had a line break between the brackets: find the matching start.
        let mut level = 0usize;
        for piece in self.value.iter_mut().rev() {
            match piece {
                Piece::ArrayEnd | Piece::TableEnd => level += 1,
                Piece::TableStart => level = level.saturating_sub(1),
                Piece::ArrayStart { at: start, multiline } => {
                    if level == 0 {
                        *multiline = self.src[*start..at].contains(&b'\n');
                        break;
                    }
                    level = level.saturating_sub(1);
                }
                _ => {}
            }
        }
        self.depth -= 1;
        self.piece(Piece::ArrayEnd);
        Ok(())
    }

    fn table_start(&mut self, _at: usize) -> Result<(), Error> {
        self.value.push(Piece::TableStart);
        self.depth += 1;
        Ok(())
    }

    fn table_end(&mut self, _at: usize) -> Result<(), Error> {
        self.depth -= 1;
        self.piece(Piece::TableEnd);
        Ok(())
    }

    fn comment(&mut self, span: Span, trailing: bool) -> Result<(), Error> {
        if self.depth > 0 {
            self.value.push(Piece::Comment { span, trailing });
            return Ok(());
        }
        let text = self.comment_text(span);
        if trailing && self.line_open {
            self.out.push(b' ');
        } else {
            self.statement();
        }
        crate::bytes::extend_short(&mut self.out, text);
        Ok(())
    }

    fn blank_line(&mut self) -> Result<(), Error> {
        if self.depth > 0 {
            self.value.push(Piece::Blank);
        } else {
            self.blank = true;
        }
        Ok(())
    }
}
