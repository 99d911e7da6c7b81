//! The TOML 1.0 syntax reader: one pass over the text that reports each piece to a [`Visit`] in source order —
//! table headers, keys, values (arrays and inline tables as start/end pairs), comments and blank lines.
//!
//! The reader checks the grammar only. What the pieces mean together (a table defined twice, a key that
//! extends an inline table) is the business of the data builder ([`super::doc`]), and how they are laid out
//! that of the formatter ([`super::fmt`]); both are visitors.

use super::lex::{self, is_bare_key_byte};
use crate::error::{Detail, Error, ErrorCode};
use crate::event::ScalarKind;
use crate::limits::Limits;
use crate::source::Span;
use alloc::vec::Vec;

/// A scalar value: what it is, its text for data, and where it was written.
#[derive(Clone, Copy, Debug)]
pub struct Value<'a> {
    /// String, integer, float, boolean or date-time.
    pub kind: ScalarKind,
    /// The value: a string decoded, a number in decimal without underscores or `+` (`0x1F` → `31`), `inf`,
    /// `-inf`, `nan` for the non-finite floats, a date-time as written.
    pub text: &'a [u8],
    /// The value as written in the source.
    pub span: Span,
}

/// One part of a dotted key, as written and decoded.
#[derive(Clone, Copy, Debug)]
struct Part {
    span: (usize, usize),
    text: (usize, usize),
}

/// A key as written: one or more parts separated by dots (`a."b.c".d`).
#[derive(Debug)]
pub struct KeyPath<'a> {
    parts: &'a [Part],
    text: &'a [u8],
}

impl<'a> KeyPath<'a> {
    /// How many parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// True when there are no parts (never, for a path the reader reports).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Part `i`, decoded.
    pub fn text(&self, i: usize) -> &'a [u8] {
        let (start, end) = self.parts[i].text;
        &self.text[start..end]
    }

    /// Where part `i` was written (quotes included).
    pub fn span(&self, i: usize) -> Span {
        let (start, end) = self.parts[i].span;
        Span::new(start as u64, end as u64)
    }
}

/// Receives the pieces of a TOML text in source order. Every method does nothing by default, so a visitor
/// implements only the pieces it cares about.
pub trait Visit {
    /// A `[table]` or `[[array.of.tables]]` header; `span` covers the brackets.
    fn header(&mut self, _path: &KeyPath<'_>, _array: bool, _span: Span) -> Result<(), Error> {
        Ok(())
    }
    /// The key of a key/value pair, at the top level of a table or inside an inline table; its value follows.
    fn key(&mut self, _path: &KeyPath<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// A string, number, boolean or date-time value.
    fn scalar(&mut self, _value: &Value<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// `[` opening an array value, at offset `at`.
    fn array_start(&mut self, _at: usize) -> Result<(), Error> {
        Ok(())
    }
    /// `]` closing the innermost array, at offset `at`.
    fn array_end(&mut self, _at: usize) -> Result<(), Error> {
        Ok(())
    }
    /// `{` opening an inline table, at offset `at`.
    fn table_start(&mut self, _at: usize) -> Result<(), Error> {
        Ok(())
    }
    /// `}` closing the innermost inline table, at offset `at`.
    fn table_end(&mut self, _at: usize) -> Result<(), Error> {
        Ok(())
    }
    /// A comment (from its `#` to the end of its line); `trailing` when something precedes it on its line.
    fn comment(&mut self, _span: Span, _trailing: bool) -> Result<(), Error> {
        Ok(())
    }
    /// One or more blank lines.
    fn blank_line(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// Reads `src` as TOML 1.0, reporting every piece to `visit`.
pub fn read<V: Visit>(src: &[u8], limits: &Limits, visit: &mut V) -> Result<(), Error> {
    if let Err(e) = core::str::from_utf8(src) {
        let at = e.valid_up_to();
        return Err(lex::error(ErrorCode::InvalidUtf8, Detail::None, at, at + 1));
    }
    let mut reader = Reader {
        src,
        max_depth: limits.max_depth as usize,
        parts: Vec::new(),
        key_text: Vec::new(),
        scratch: Vec::new(),
        stack: Vec::new(),
    };
    reader.document(visit)
}

struct Reader<'s> {
    src: &'s [u8],
    max_depth: usize,
    parts: Vec<Part>,
    key_text: Vec<u8>,
    scratch: Vec<u8>,
    /// Open arrays (`[`) and inline tables (`{`) of the value being read.
    stack: Vec<u8>,
}

impl Reader<'_> {
    fn document<V: Visit>(&mut self, visit: &mut V) -> Result<(), Error> {
        let src = self.src;
        let mut i = if src.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut blank = false;
        loop {
            i = lex::skip_blank(src, i);
            match src.get(i) {
                None => return Ok(()),
                Some(b'\n' | b'\r') => {
                    i += lex::line_break(src, i)?;
                    blank = true;
                    continue;
                }
                Some(_) if blank => {
                    visit.blank_line()?;
                    blank = false;
                }
                Some(_) => {}
            }
            i = match src[i] {
                b'#' => {
                    let end = lex::comment(src, i)?;
                    visit.comment(span(i, end), false)?;
                    end
                }
                b'[' => self.header(visit, i)?,
                _ => {
                    let after = self.key_value(visit, i)?;
                    lex::skip_blank(src, after)
                }
            };
            i = lex::skip_blank(src, i);
            if src.get(i) == Some(&b'#') {
                let end = lex::comment(src, i)?;
                visit.comment(span(i, end), true)?;
                i = end;
            }
            match lex::line_break(src, i)? {
                0 if i < src.len() => return Err(lex::unexpected(src, i, ErrorCode::TomlExpectedLineBreak)),
                n => i += n,
            }
        }
    }

    /// A `[table]` or `[[array]]` header at `start`.
    fn header<V: Visit>(&mut self, visit: &mut V, start: usize) -> Result<usize, Error> {
        let src = self.src;
        let array = src.get(start + 1) == Some(&b'[');
        let mut i = lex::skip_blank(src, start + 1 + usize::from(array));
        i = self.key_path(i)?;
        let close: &[u8] = if array { b"]]" } else { b"]" };
        if !src[i..].starts_with(close) {
            let expected = if array { ErrorCode::TomlUnclosedArrayHeader } else { ErrorCode::TomlUnclosedHeader };
            return Err(lex::unexpected(src, i, expected));
        }
        let end = i + close.len();
        let path = KeyPath { parts: &self.parts, text: &self.key_text };
        visit.header(&path, array, span(start, end))?;
        Ok(end)
    }

    /// A dotted key at `i`, read into `self.parts`; returns where it ends (after any blanks).
    fn key_path(&mut self, mut i: usize) -> Result<usize, Error> {
        let src = self.src;
        self.parts.clear();
        self.key_text.clear();
        loop {
            if self.parts.len() >= self.max_depth {
                return Err(lex::error(ErrorCode::DepthLimit, Detail::Limit(self.max_depth as u64), i, i));
            }
            let part = lex::key(src, i, &mut self.scratch)?;
            let text = match part.raw {
                Some((a, b)) => &src[a..b],
                None => &self.scratch[..],
            };
            let at = self.key_text.len();
            crate::bytes::extend_short(&mut self.key_text, text);
            self.parts.push(Part { span: (i, part.end), text: (at, self.key_text.len()) });
            i = lex::skip_blank(src, part.end);
            if src.get(i) != Some(&b'.') {
                return Ok(i);
            }
            i = lex::skip_blank(src, i + 1);
        }
    }

    /// `key = value` at `start`; returns where the value ends.
    fn key_value<V: Visit>(&mut self, visit: &mut V, start: usize) -> Result<usize, Error> {
        let i = self.key_and_equals(visit, start)?;
        self.value(visit, i)
    }

    /// A key and its `=`; reports the key and returns where the value starts.
    fn key_and_equals<V: Visit>(&mut self, visit: &mut V, start: usize) -> Result<usize, Error> {
        let src = self.src;
        if !src.get(start).is_some_and(|&b| is_bare_key_byte(b) || b == b'"' || b == b'\'') {
            return Err(lex::unexpected(src, start, ErrorCode::TomlExpectedStatement));
        }
        let i = self.key_path(start)?;
        if src.get(i) != Some(&b'=') {
            return Err(lex::unexpected(src, i, ErrorCode::TomlExpectedEquals));
        }
        visit.key(&KeyPath { parts: &self.parts, text: &self.key_text })?;
        Ok(lex::skip_blank(src, i + 1))
    }

    /// A value at `i`, arrays and inline tables included (an explicit stack, no recursion); returns its end.
    fn value<V: Visit>(&mut self, visit: &mut V, mut i: usize) -> Result<usize, Error> {
        let src = self.src;
        loop {
            // A value starts at `i`.
            match src.get(i) {
                Some(b'[') => {
                    self.open(b'[', i)?;
                    visit.array_start(i)?;
                    i = self.gap(visit, i + 1)?;
                    if src.get(i) != Some(&b']') {
                        continue;
                    }
                    self.stack.pop();
                    visit.array_end(i)?;
                    i += 1;
                }
                Some(b'{') => {
                    self.open(b'{', i)?;
                    visit.table_start(i)?;
                    i = lex::skip_blank(src, i + 1);
                    if src.get(i) != Some(&b'}') {
                        i = self.key_and_equals(visit, i)?;
                        continue;
                    }
                    self.stack.pop();
                    visit.table_end(i)?;
                    i += 1;
                }
                Some(b'"' | b'\'') => {
                    let s = lex::string(src, i, true, &mut self.scratch)?;
                    let text = match s.raw {
                        Some((a, b)) => &src[a..b],
                        None => &self.scratch[..],
                    };
                    visit.scalar(&Value { kind: ScalarKind::String, text, span: span(i, s.end) })?;
                    i = s.end;
                }
                _ => {
                    let bare = lex::bare(src, i, &mut self.scratch)?;
                    let text = if bare.respelled { &self.scratch[..] } else { &src[i..bare.end] };
                    visit.scalar(&Value { kind: bare.kind, text, span: span(i, bare.end) })?;
                    i = bare.end;
                }
            }
            // After a value: close what ends here, until a separator asks for the next value.
            loop {
                match self.stack.last() {
                    None => return Ok(i),
                    Some(b'[') => {
                        i = self.gap(visit, i)?;
                        match src.get(i) {
                            Some(b',') => {
                                i = self.gap(visit, i + 1)?;
                                if src.get(i) != Some(&b']') {
                                    break;
                                }
                            }
                            Some(b']') => {}
                            _ => return Err(lex::unexpected(src, i, ErrorCode::TomlExpectedArraySeparator)),
                        }
                        self.stack.pop();
                        visit.array_end(i)?;
                        i += 1;
                    }
                    Some(_) => {
                        i = lex::skip_blank(src, i);
                        match src.get(i) {
                            Some(b',') => {
                                i = self.key_and_equals(visit, lex::skip_blank(src, i + 1))?;
                                break;
                            }
                            Some(b'}') => {}
                            Some(b'\n' | b'\r') => {
                                return Err(lex::syntax(ErrorCode::TomlInlineTableLineBreak, i, i + 1));
                            }
                            _ => return Err(lex::unexpected(src, i, ErrorCode::TomlExpectedInlineSeparator)),
                        }
                        self.stack.pop();
                        visit.table_end(i)?;
                        i += 1;
                    }
                }
            }
        }
    }

    /// Opens an array or inline table at `at`, within the depth limit.
    fn open(&mut self, bracket: u8, at: usize) -> Result<(), Error> {
        if self.stack.len() >= self.max_depth {
            return Err(lex::error(ErrorCode::DepthLimit, Detail::Limit(self.max_depth as u64), at, at + 1));
        }
        self.stack.push(bracket);
        Ok(())
    }

    /// Whitespace, line breaks and comments between array elements, reported; returns where they end.
    fn gap<V: Visit>(&mut self, visit: &mut V, mut i: usize) -> Result<usize, Error> {
        let src = self.src;
        // Whether the current line holds something before `i`, and whether a blank line is pending.
        let mut content = true;
        let mut blank = false;
        loop {
            i = lex::skip_blank(src, i);
            match src.get(i) {
                Some(b'#') => {
                    if blank {
                        visit.blank_line()?;
                        blank = false;
                    }
                    let end = lex::comment(src, i)?;
                    visit.comment(span(i, end), content)?;
                    content = true;
                    i = end;
                }
                Some(b'\n' | b'\r') => {
                    i += lex::line_break(src, i)?;
                    blank |= !content;
                    content = false;
                }
                _ => {
                    if blank {
                        visit.blank_line()?;
                    }
                    return Ok(i);
                }
            }
        }
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start as u64, end as u64)
}
