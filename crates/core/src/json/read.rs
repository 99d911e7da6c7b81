//! The JSON reader: RFC 8259, plus the JSONC and NDJSON dialects, pushed as events into a sink.
//!
//! It is a single loop over an explicit stack (one byte per open container), so nesting costs no native stack
//! and is bounded by [`Limits::max_depth`]. Scalars are validated but never decoded: their events carry the
//! source bytes, which writers copy. Every byte is checked: UTF-8 in strings and comments, escapes, the number
//! grammar, control characters.

use super::Dialect;
use super::scan;
use crate::error::{Detail, Error, ErrorCode, Found};
use crate::event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::input::Input;
use crate::limits::Limits;
use crate::source::Span;
use alloc::vec::Vec;

/// Reads all of `input` as `dialect` and pushes its events into `sink`.
///
/// On error the sink has received the events up to the error, and no `StreamEnd`.
pub fn read<I: Input, S: Sink>(input: &mut I, dialect: Dialect, limits: &Limits, sink: &mut S) -> Result<(), Error> {
    // NDJSON checks line breaks inside values; a constant parameter keeps that check out of the JSON loop.
    if dialect == Dialect::Ndjson {
        Parser::<I, S, true>::new(input, dialect, limits, sink).run()
    } else {
        Parser::<I, S, false>::new(input, dialect, limits, sink).run()
    }
}

const OBJECT: u8 = b'{';
const ARRAY: u8 = b'[';

struct Parser<'p, I, S, const NDJSON: bool> {
    input: &'p mut I,
    sink: &'p mut S,
    /// Index of the next byte in `input.buffer()`.
    pos: usize,
    comments: bool,
    trailing_commas: bool,
    max_depth: u32,
    /// The open containers, innermost last.
    stack: Vec<u8>,
    /// Whether the whitespace skipped by the last `skip_ws` held a line feed.
    newline_seen: bool,
    /// NDJSON: where the first line feed of the last skipped whitespace was, for errors about it.
    first_newline: u64,
    /// Whether any token was read yet (a comment before it is not trailing anything).
    token_seen: bool,
}

impl<'p, I: Input, S: Sink, const NDJSON: bool> Parser<'p, I, S, NDJSON> {
    fn new(input: &'p mut I, dialect: Dialect, limits: &Limits, sink: &'p mut S) -> Self {
        Parser {
            input,
            sink,
            pos: 0,
            comments: dialect == Dialect::Jsonc,
            trailing_commas: dialect == Dialect::Jsonc,
            max_depth: limits.max_depth,
            stack: Vec::new(),
            newline_seen: false,
            first_newline: 0,
            token_seen: false,
        }
    }

    fn run(mut self) -> Result<(), Error> {
        self.emit(EventKind::StreamStart, 0, 0)?;
        self.skip_bom()?;
        let mut documents = 0u64;
        let mut next = self.skip_ws()?;
        while let Some(c) = next {
            if documents > 0 {
                if !NDJSON {
                    return Err(self.error_here(ErrorCode::TrailingContent, Detail::None));
                }
                if !self.newline_seen {
                    return Err(self.error_here(ErrorCode::NdjsonLineBreakAfterValue, Detail::Found(Found::Byte(c))));
                }
            }
            let start = self.pos;
            self.emit(EventKind::DocumentStart { explicit: false }, start, start)?;
            self.token_seen = true;
            self.value(c)?;
            let end = self.pos;
            next = self.skip_ws()?;
            self.emit(EventKind::DocumentEnd { explicit: false }, end, end)?;
            documents += 1;
        }
        if documents == 0 && !NDJSON {
            return Err(self.error_here(ErrorCode::ExpectedValue, Detail::Found(Found::End)));
        }
        let end = self.pos;
        self.emit(EventKind::StreamEnd, end, end)
    }

    /// Parses one whole value whose first byte `c` is at `pos`, with every container it opens.
    fn value(&mut self, mut c: u8) -> Result<(), Error> {
        let base_depth = self.stack.len();
        'value: loop {
            match c {
                b'{' => {
                    self.open(OBJECT, EventKind::MappingStart(Props::NONE))?;
                    match self.skip_ws_in_value()? {
                        Some(b'}') => self.close(EventKind::MappingEnd)?,
                        Some(b'"') => {
                            c = self.key_and_colon()?;
                            continue 'value;
                        }
                        found => {
                            return Err(self.unexpected(ErrorCode::ExpectedKeyOrObjectEnd, found));
                        }
                    }
                }
                b'[' => {
                    self.open(ARRAY, EventKind::SequenceStart(Props::NONE))?;
                    match self.skip_ws_in_value()? {
                        Some(b']') => self.close(EventKind::SequenceEnd)?,
                        Some(first) => {
                            c = first;
                            continue 'value;
                        }
                        None => return Err(self.unexpected(ErrorCode::ExpectedValueOrArrayEnd, None)),
                    }
                }
                b'"' => self.string_scalar()?,
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal(b"true", ScalarKind::Bool)?,
                b'f' => self.literal(b"false", ScalarKind::Bool)?,
                b'n' => self.literal(b"null", ScalarKind::Null)?,
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => return Err(self.bad_word()),
                _ => return Err(self.unexpected(ErrorCode::ExpectedValue, Some(c))),
            }
            // After a value: close containers, or move to the next element.
            loop {
                if self.stack.len() == base_depth {
                    return Ok(());
                }
                let top = self.stack[self.stack.len() - 1];
                let found = self.skip_ws_in_value()?;
                match (top, found) {
                    (ARRAY, Some(b']')) => self.close(EventKind::SequenceEnd)?,
                    (OBJECT, Some(b'}')) => self.close(EventKind::MappingEnd)?,
                    (ARRAY, Some(b',')) => {
                        let comma = self.pos;
                        self.pos += 1;
                        match self.skip_ws_in_value()? {
                            Some(b']') => {
                                self.trailing_comma(comma, ']')?;
                                self.close(EventKind::SequenceEnd)?;
                            }
                            Some(next) => {
                                c = next;
                                continue 'value;
                            }
                            None => return Err(self.unexpected(ErrorCode::ExpectedValueAfterComma, None)),
                        }
                    }
                    (OBJECT, Some(b',')) => {
                        let comma = self.pos;
                        self.pos += 1;
                        match self.skip_ws_in_value()? {
                            Some(b'}') => {
                                self.trailing_comma(comma, '}')?;
                                self.close(EventKind::MappingEnd)?;
                            }
                            Some(b'"') => {
                                c = self.key_and_colon()?;
                                continue 'value;
                            }
                            found => {
                                return Err(self.unexpected(ErrorCode::ExpectedKey, found));
                            }
                        }
                    }
                    (ARRAY, found) => {
                        return Err(self.unexpected(ErrorCode::ExpectedCommaOrArrayEnd, found));
                    }
                    (_, found) => {
                        return Err(self.unexpected(ErrorCode::ExpectedCommaOrObjectEnd, found));
                    }
                }
            }
        }
    }

    /// Reads an object key (at `pos`, a `"`), the colon after it, and returns the first byte of the value.
    #[inline(always)]
    fn key_and_colon(&mut self) -> Result<u8, Error> {
        self.string_scalar()?;
        match self.skip_ws_in_value()? {
            Some(b':') => self.pos += 1,
            found => return Err(self.unexpected(ErrorCode::ExpectedColon, found)),
        }
        match self.skip_ws_in_value()? {
            Some(c) => Ok(c),
            None => Err(self.unexpected(ErrorCode::ExpectedValueAfterColon, None)),
        }
    }

    #[inline(always)]
    fn open(&mut self, kind: u8, event: EventKind<'static>) -> Result<(), Error> {
        if self.stack.len() >= self.max_depth as usize {
            let at = self.abs(self.pos);
            return Err(Error::with(
                ErrorCode::DepthLimit,
                Detail::Limit(u64::from(self.max_depth)),
                Span::new(at, at + 1),
            ));
        }
        self.stack.push(kind);
        let at = self.pos;
        self.pos += 1;
        self.emit(event, at, at + 1)
    }

    #[inline(always)]
    fn close(&mut self, event: EventKind<'static>) -> Result<(), Error> {
        self.stack.pop();
        let at = self.pos;
        self.pos += 1;
        self.emit(event, at, at + 1)
    }

    fn trailing_comma(&self, comma: usize, close: char) -> Result<(), Error> {
        if self.trailing_commas {
            Ok(())
        } else {
            let at = self.abs(comma);
            Err(Error::with(ErrorCode::TrailingComma, Detail::Found(Found::Byte(close as u8)), Span::new(at, at + 1)))
        }
    }

    /// Skips whitespace inside a value; NDJSON values must not span lines.
    #[inline(always)]
    fn skip_ws_in_value(&mut self) -> Result<Option<u8>, Error> {
        let next = self.skip_ws()?;
        if NDJSON && self.newline_seen {
            let span = Span::new(self.first_newline, self.first_newline + 1);
            return Err(Error::with(ErrorCode::NdjsonValueAcrossLines, Detail::Found(Found::Byte(b'\n')), span));
        }
        Ok(next)
    }

    /// Skips whitespace (and comments, pushing them as events) and returns the next byte without taking it.
    #[inline(always)]
    fn skip_ws(&mut self) -> Result<Option<u8>, Error> {
        self.newline_seen = false;
        loop {
            let buf = self.input.buffer();
            // Most calls meet a token at once. Whitespace comes as a line break and a run of indentation,
            // which is skipped eight bytes at a time right after the break.
            while let Some(&b) = buf.get(self.pos) {
                if b > b' ' && b != b'/' {
                    return Ok(Some(b));
                }
                match b {
                    b' ' | b'\n' | b'\t' | b'\r' => {
                        if NDJSON && b == b'\n' && !self.newline_seen {
                            self.first_newline = self.abs(self.pos);
                        }
                        self.newline_seen |= b == b'\n';
                        self.pos += 1;
                        while self.pos + 8 <= buf.len() {
                            let mask = scan::non_spaces(scan::word(buf, self.pos));
                            if mask != 0 {
                                self.pos += scan::first(mask);
                                break;
                            }
                            self.pos += 8;
                        }
                    }
                    b'/' => {
                        self.comment()?;
                        break;
                    }
                    _ => return Ok(Some(b)),
                }
            }
            if self.pos < self.input.buffer().len() {
                continue; // a comment was read; the buffer may have moved
            }
            if !self.refill(self.pos)?.0 {
                return Ok(None);
            }
        }
    }

    /// Reads a comment starting at `pos` (a `/`), or reports that comments are not allowed.
    #[cold]
    fn comment(&mut self) -> Result<(), Error> {
        if !self.ensure(self.pos, 2)? {
            return Err(self.unexpected(ErrorCode::ExpectedValue, Some(b'/')));
        }
        let start = self.pos;
        let style = match self.input.buffer()[start + 1] {
            b'/' => CommentStyle::Line,
            b'*' => CommentStyle::Block,
            _ => return Err(self.unexpected(ErrorCode::ExpectedValue, Some(b'/'))),
        };
        if !self.comments {
            let at = self.abs(start);
            let format = if NDJSON { "NDJSON" } else { "JSON" };
            return Err(Error::with(ErrorCode::CommentNotAllowed, Detail::Name(format), Span::new(at, at + 2)));
        }
        let mut start = start;
        let mut i = start + 2;
        let (body_end, end) = loop {
            let buf = self.input.buffer();
            let found = match style {
                // A line comment ends at a line feed or a carriage return (as in JavaScript).
                CommentStyle::Line => buf[i..].iter().position(|&b| b == b'\n' || b == b'\r').map(|n| (i + n, i + n)),
                CommentStyle::Block => buf[i..].windows(2).position(|w| w == b"*/").map(|n| (i + n, i + n + 2)),
            };
            if let Some(found) = found {
                break found;
            }
            i = buf.len().saturating_sub(1).max(start + 2);
            let (more, shift) = self.refill(start)?;
            start -= shift;
            i -= shift;
            if !more {
                let len = self.input.buffer().len();
                match style {
                    CommentStyle::Line => break (len, len),
                    CommentStyle::Block => {
                        let at = self.abs(start);
                        return Err(Error::new(ErrorCode::UnterminatedComment, Span::new(at, at + 2)));
                    }
                }
            }
        };
        let buf = self.input.buffer();
        let body = &buf[start + 2..body_end];
        if let Err(e) = core::str::from_utf8(body) {
            let at = self.abs(start + 2 + e.valid_up_to());
            return Err(Error::new(ErrorCode::InvalidUtf8, Span::new(at, at + 1)));
        }
        let trailing = self.token_seen && !self.newline_seen;
        let comment = Comment { text: body, style, trailing };
        let span = Span::new(self.abs(start), self.abs(end));
        self.sink.event(Event::new(EventKind::Comment(comment), span))?;
        self.pos = end;
        Ok(())
    }

    /// Reads a string at `pos` (its opening quote) and pushes it as a scalar.
    #[inline(always)]
    fn string_scalar(&mut self) -> Result<(), Error> {
        let (start, end, escaped) = self.string()?;
        let text = &self.input.buffer()[start - 1..end + 1];
        let style = if escaped { ScalarStyle::JsonQuoted } else { ScalarStyle::JsonUnescaped };
        let scalar = Scalar { text, kind: ScalarKind::String, style, props: Props::NONE };
        let span = Span::new(self.abs(start - 1), self.abs(end + 1));
        self.sink.event(Event::new(EventKind::Scalar(scalar), span))
    }

    /// Scans a string whose opening quote is at `pos`; returns its body's range in the buffer and whether it holds
    /// an escape, and leaves `pos` after the closing quote.
    #[inline(always)]
    fn string(&mut self) -> Result<(usize, usize, bool), Error> {
        let mut start = self.pos + 1;
        let mut i = start;
        let mut high = 0u64;
        let mut escaped = false;
        loop {
            let buf = self.input.buffer();
            'scan: loop {
                while i + 8 <= buf.len() {
                    let w = scan::word(buf, i);
                    let specials = scan::string_specials(w);
                    if specials != 0 {
                        let k = scan::first(specials);
                        // Only the bytes before the special one belong to the string for sure.
                        high |= scan::non_ascii(w) & ((1u64 << (8 * k)) - 1);
                        i += k;
                        break;
                    }
                    high |= scan::non_ascii(w);
                    i += 8;
                }
                let Some(&b) = buf.get(i) else { break 'scan };
                match b {
                    b'"' => {
                        if high != 0 {
                            self.check_utf8(start, i)?;
                        }
                        self.pos = i + 1;
                        return Ok((start, i, escaped));
                    }
                    b'\\' => match buf.get(i + 1) {
                        None => break 'scan,
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            escaped = true;
                            i += 2;
                        }
                        Some(b'u') => {
                            escaped = true;
                            let Some(hex) = buf.get(i + 2..i + 6) else {
                                break 'scan;
                            };
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                let at = self.abs(i);
                                return Err(Error::new(ErrorCode::InvalidUnicodeEscape, Span::new(at, at + 2)));
                            }
                            i += 6;
                        }
                        Some(_) => {
                            let at = self.abs(i);
                            return Err(Error::new(ErrorCode::InvalidEscape, Span::new(at, at + 2)));
                        }
                    },
                    b if b < 0x20 => {
                        let at = self.abs(i);
                        return Err(Error::with(
                            ErrorCode::ControlCharacter,
                            Detail::CodePoint(u32::from(b)),
                            Span::new(at, at + 1),
                        ));
                    }
                    b => {
                        high |= u64::from(b & 0x80);
                        i += 1;
                    }
                }
            }
            let (more, shift) = self.refill(start - 1)?;
            start -= shift;
            i -= shift;
            if !more {
                let at = self.abs(start - 1);
                return Err(Error::new(ErrorCode::UnterminatedString, Span::new(at, at + 1)));
            }
        }
    }

    #[cold]
    fn check_utf8(&self, start: usize, end: usize) -> Result<(), Error> {
        match core::str::from_utf8(&self.input.buffer()[start..end]) {
            Ok(_) => Ok(()),
            Err(e) => {
                let at = self.abs(start + e.valid_up_to());
                Err(Error::new(ErrorCode::InvalidUtf8, Span::new(at, at + 1)))
            }
        }
    }

    /// Reads a number at `pos` and pushes it as a scalar, its literal untouched.
    #[inline(always)]
    fn number(&mut self) -> Result<(), Error> {
        loop {
            match scan_number(self.input.buffer(), self.pos) {
                NumberScan::Done(end, kind) => {
                    let start = self.pos;
                    self.pos = end;
                    let text = &self.input.buffer()[start..end];
                    let scalar = Scalar { text, kind, style: ScalarStyle::Plain, props: Props::NONE };
                    let span = Span::new(self.abs(start), self.abs(end));
                    return self.sink.event(Event::new(EventKind::Scalar(scalar), span));
                }
                NumberScan::End => {
                    if !self.refill(self.pos)?.0 {
                        return self.number_slow();
                    }
                }
                NumberScan::Bad => return self.number_slow(),
            }
        }
    }

    /// Reads a number the careful way: takes the whole run of characters that could belong to it, then checks
    /// the grammar to say precisely what is wrong.
    #[cold]
    fn number_slow(&mut self) -> Result<(), Error> {
        let mut start = self.pos;
        let mut i = start;
        // Take the whole run of characters a number could be confused with, then check the grammar on it, so
        // that `0x1F` or `1.2.3` is reported as one bad number.
        loop {
            let buf = self.input.buffer();
            while let Some(&b) = buf.get(i) {
                if !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+')) {
                    break;
                }
                i += 1;
            }
            if i < buf.len() {
                break;
            }
            let (more, shift) = self.refill(start)?;
            start -= shift;
            i -= shift;
            if !more {
                break;
            }
        }
        let text = &self.input.buffer()[start..i];
        if text == b"-Infinity" {
            let at = self.abs(start);
            return Err(Error::new(ErrorCode::NonFinite, Span::new(at, at + text.len() as u64)));
        }
        let kind = match number_grammar(text) {
            Ok(kind) => kind,
            Err((why, at)) => {
                let at = self.abs(start + at);
                return Err(Error::new(why, Span::new(at, at + 1)));
            }
        };
        self.pos = i;
        let scalar = Scalar { text, kind, style: ScalarStyle::Plain, props: Props::NONE };
        let span = Span::new(self.abs(start), self.abs(i));
        self.sink.event(Event::new(EventKind::Scalar(scalar), span))
    }

    /// Reads `true`, `false` or `null` at `pos`.
    fn literal(&mut self, word: &'static [u8], kind: ScalarKind) -> Result<(), Error> {
        // One byte more than the word, to see that the word ends there (`nullx` is not `null`).
        self.ensure(self.pos, word.len() + 1)?;
        let buf = self.input.buffer();
        let rest = &buf[self.pos..];
        let ends = rest.get(word.len()).is_none_or(|&b| !(b.is_ascii_alphanumeric() || b == b'_'));
        if !rest.starts_with(word) || !ends {
            return Err(self.bad_word());
        }
        let start = self.pos;
        self.pos += word.len();
        let scalar = Scalar { text: word, kind, style: ScalarStyle::Plain, props: Props::NONE };
        self.emit(EventKind::Scalar(scalar), start, self.pos)
    }

    /// Reports the bare word at `pos` as an invalid literal.
    #[cold]
    fn bad_word(&mut self) -> Error {
        // The span covers the word, up to a bound, whether the input is whole or streamed.
        const MAX_WORD: usize = 64;
        if let Err(e) = self.ensure(self.pos, MAX_WORD) {
            return e;
        }
        let buf = self.input.buffer();
        let word = buf[self.pos..].iter().take(MAX_WORD);
        let len = word.take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        let at = self.abs(self.pos);
        let kind = match &buf[self.pos..self.pos + len] {
            b"NaN" | b"Infinity" => ErrorCode::NonFinite,
            _ => ErrorCode::InvalidLiteral,
        };
        Error::new(kind, Span::new(at, at + len.max(1) as u64))
    }

    /// Makes sure `n` bytes from `from` are in the buffer, sliding the window so that `from` is kept (callers
    /// pass `pos` or 0, and `pos` follows the slide). Returns false if the input ends first.
    fn ensure(&mut self, from: usize, n: usize) -> Result<bool, Error> {
        let mut from = from;
        while self.input.buffer().len() < from + n {
            let (more, shift) = self.refill(from)?;
            from -= shift;
            if !more {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Asks the input for more bytes, keeping everything from `keep_from`; shifts `pos` and returns whether
    /// bytes came and by how much the window slid (callers shift their own indices by it).
    fn refill(&mut self, keep_from: usize) -> Result<(bool, usize), Error> {
        let before = self.input.offset();
        let more = self.input.refill(keep_from)?;
        let shift = (self.input.offset() - before) as usize;
        self.pos -= shift;
        Ok((more, shift))
    }

    #[cold]
    fn skip_bom(&mut self) -> Result<(), Error> {
        self.ensure(0, 4)?;
        let buf = self.input.buffer();
        if buf.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        } else if buf.starts_with(b"\xFE\xFF")
            || buf.starts_with(b"\xFF\xFE")
            || (buf.len() >= 2 && (buf[0] == 0 || buf[1] == 0))
        {
            return Err(Error::new(ErrorCode::NotUtf8Encoding, Span::new(0, 2.min(buf.len() as u64))));
        }
        Ok(())
    }

    #[inline(always)]
    fn abs(&self, i: usize) -> u64 {
        self.input.offset() + i as u64
    }

    #[inline(always)]
    fn emit(&mut self, kind: EventKind<'_>, start: usize, end: usize) -> Result<(), Error> {
        let span = Span::new(self.abs(start), self.abs(end));
        self.sink.event(Event::new(kind, span))
    }

    #[cold]
    fn error_here(&self, code: ErrorCode, detail: Detail) -> Error {
        let at = self.abs(self.pos);
        let len = u64::from(self.pos < self.input.buffer().len());
        Error::with(code, detail, Span::new(at, at + len))
    }

    #[cold]
    fn unexpected(&self, code: ErrorCode, found: Option<u8>) -> Error {
        let found = found.map_or(Found::End, Found::Byte);
        self.error_here(code, Detail::Found(found))
    }
}

/// What the fast number scan saw.
enum NumberScan {
    /// A valid number ends before this index, and the next byte cannot continue it.
    Done(usize, ScalarKind),
    /// The buffer ended first.
    End,
    /// Not a valid number: the slow path says why.
    Bad,
}

/// Scans a number starting at `i` in one pass over the grammar.
#[inline(always)]
fn scan_number(buf: &[u8], mut i: usize) -> NumberScan {
    let digits = |i: usize| scan::skip_digits(buf, i);
    // After a '.' or an exponent marker, at least one digit must follow.
    let some_digits = |i: usize| match buf.get(i) {
        Some(b) if b.is_ascii_digit() => Ok(digits(i + 1)),
        Some(_) => Err(NumberScan::Bad),
        None => Err(NumberScan::End),
    };
    if buf.get(i) == Some(&b'-') {
        i += 1;
    }
    match buf.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        Some(_) => return NumberScan::Bad,
        None => return NumberScan::End,
    }
    let mut kind = ScalarKind::Integer;
    if buf.get(i) == Some(&b'.') {
        kind = ScalarKind::Float;
        i = match some_digits(i + 1) {
            Ok(i) => i,
            Err(scan) => return scan,
        };
    }
    if matches!(buf.get(i), Some(b'e' | b'E')) {
        kind = ScalarKind::Float;
        i += 1;
        if matches!(buf.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = match some_digits(i) {
            Ok(i) => i,
            Err(scan) => return scan,
        };
    }
    match buf.get(i) {
        None => NumberScan::End,
        Some(&b) if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-') => NumberScan::Bad,
        Some(_) => NumberScan::Done(i, kind),
    }
}

/// Checks `text` against the JSON number grammar; returns whether it is an integer or a float, or what is wrong
/// and where.
fn number_grammar(text: &[u8]) -> Result<ScalarKind, (ErrorCode, usize)> {
    let mut i = 0;
    let at = |i: usize| text.get(i).copied();
    if at(i) == Some(b'-') {
        i += 1;
    }
    match at(i) {
        Some(b'0') => {
            i += 1;
            if at(i).is_some_and(|b| b.is_ascii_digit()) {
                return Err((ErrorCode::NumberLeadingZero, i - 1));
            }
        }
        Some(b'1'..=b'9') => {
            while at(i).is_some_and(|b| b.is_ascii_digit()) {
                i += 1;
            }
        }
        _ => return Err((ErrorCode::NumberExpectedDigit, i)),
    }
    let mut kind = ScalarKind::Integer;
    if at(i) == Some(b'.') {
        i += 1;
        kind = ScalarKind::Float;
        if !at(i).is_some_and(|b| b.is_ascii_digit()) {
            return Err((ErrorCode::NumberExpectedFraction, i));
        }
        while at(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i += 1;
        kind = ScalarKind::Float;
        if matches!(at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !at(i).is_some_and(|b| b.is_ascii_digit()) {
            return Err((ErrorCode::NumberExpectedExponent, i));
        }
        while at(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
    }
    if i < text.len() {
        let why = match text[i] {
            b'x' | b'X' => ErrorCode::NumberHexadecimal,
            b'.' => ErrorCode::NumberTwoPoints,
            _ => ErrorCode::NumberUnexpectedCharacter,
        };
        return Err((why, i));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::number_grammar;
    use crate::error::ErrorCode;
    use crate::event::{EventKind, ScalarKind, ScalarStyle};
    use crate::input::{ChunkedInput, PieceFill};
    use alloc::vec::Vec;

    #[test]
    fn strings_without_escapes_are_marked_so_in_every_piece_size() {
        let text = br#"{"plain": "caf\u00e9 \" x", "\n": "a\\", "long plain string over a word": "\u00e9"}"#;
        let expected = [
            ScalarStyle::JsonUnescaped,
            ScalarStyle::JsonQuoted,
            ScalarStyle::JsonQuoted,
            ScalarStyle::JsonQuoted,
            ScalarStyle::JsonUnescaped,
            ScalarStyle::JsonQuoted,
        ];
        for piece in 1..=text.len() {
            let mut input = ChunkedInput::new(PieceFill::new(text, piece), 4096);
            let mut styles = Vec::new();
            let mut values = Vec::new();
            let sink = &mut |event: crate::Event<'_>| {
                if let EventKind::Scalar(scalar) = event.kind {
                    styles.push(scalar.style);
                    values.push(scalar.decoded().into_owned());
                }
                Ok(())
            };
            super::read(&mut input, super::Dialect::Json, &crate::Limits::DEFAULT, sink).unwrap();
            assert_eq!(styles, expected, "pieces of {piece}");
            let values: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
            let want: [&[u8]; 6] = [
                b"plain",
                "caf\u{e9} \" x".as_bytes(),
                b"\n",
                b"a\\",
                b"long plain string over a word",
                "\u{e9}".as_bytes(),
            ];
            assert_eq!(values, want, "pieces of {piece}");
        }
    }

    #[test]
    fn number_grammar_accepts_rfc_8259_numbers() {
        for ok in ["0", "-0", "1", "-12", "1.5", "1e3", "1E+3", "1e-3", "-0.0e0", "100000000000000000001", "1E400"] {
            assert!(number_grammar(ok.as_bytes()).is_ok(), "{ok}");
        }
        assert_eq!(number_grammar(b"12"), Ok(ScalarKind::Integer));
        assert_eq!(number_grammar(b"1.0"), Ok(ScalarKind::Float));
    }

    #[test]
    fn number_grammar_rejects_with_reason_and_place() {
        assert_eq!(number_grammar(b"01"), Err((ErrorCode::NumberLeadingZero, 0)));
        assert_eq!(number_grammar(b"-"), Err((ErrorCode::NumberExpectedDigit, 1)));
        assert_eq!(number_grammar(b"1."), Err((ErrorCode::NumberExpectedFraction, 2)));
        assert_eq!(number_grammar(b"1e"), Err((ErrorCode::NumberExpectedExponent, 2)));
        assert_eq!(number_grammar(b"0x1F"), Err((ErrorCode::NumberHexadecimal, 1)));
        assert_eq!(number_grammar(b"1.2.3"), Err((ErrorCode::NumberTwoPoints, 3)));
        assert_eq!(number_grammar(b".5"), Err((ErrorCode::NumberExpectedDigit, 0)));
    }
}
