//! The YAML scanner: turns the text into tokens (indicators, scalars, properties), and tracks indentation.
//!
//! YAML's block structure is implicit: a mapping starts where a key is followed by `:`, which may be many bytes
//! after the key began. The scanner therefore keeps a queue of tokens and, for each flow level, the one place
//! where a "simple key" could have started; when it meets `:` it inserts the `Key` (and, in block context, the
//! `BlockMappingStart`) token back at that place. Indentation opens and closes blocks (`BlockEnd`), so the
//! parser sees a bracketed structure like flow style.
//!
//! Comments and blank lines are not tokens (they may stand anywhere); they are collected on the side, with their
//! offsets, for the parser to interleave with the events.

use crate::bytes::{count_char_starts, eq_mask, find_byte, first, lt_mask, word};
use crate::error::{Detail, Error, ErrorCode};
use crate::limits::Limits;
use crate::source::Span;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// A scalar's text: a range of the source when it could be taken as is, or a range of the scanner's decoded
/// bytes ([`Scanner::text`] gives either).
#[derive(Clone, Copy, Debug)]
pub(super) enum Text {
    Source(usize, usize),
    Decoded(usize, usize),
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Tok {
    StreamStart,
    StreamEnd,
    /// `%YAML major.minor`.
    VersionDirective,
    /// `%TAG handle prefix`: ranges of the source.
    TagDirective {
        handle: (usize, usize),
        prefix: (usize, usize),
    },
    /// `%OTHER ...`, ignored.
    ReservedDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    /// A block closes; `indent` is its indentation.
    BlockEnd {
        indent: usize,
    },
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias(usize, usize),
    Anchor(usize, usize),
    /// A tag: its handle (`!`, `!!`, `!name!`, or empty for a verbatim `!<...>`) and its decoded suffix.
    Tag {
        handle: (usize, usize),
        suffix: Text,
    },
    Scalar {
        text: Text,
        style: Style,
    },
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// A comment or a blank line, found between tokens.
#[derive(Clone, Copy, Debug)]
pub(super) struct Aside {
    /// Offset of the `#`, or of the blank line.
    pub(super) at: usize,
    /// For a comment, the end of its text; for a blank line, equal to `at`.
    pub(super) end: usize,
    /// The column it starts at.
    pub(super) column: usize,
    /// A comment that follows content on its line.
    pub(super) trailing: bool,
    pub(super) blank: bool,
}

#[derive(Clone, Copy, Debug)]
struct SimpleKey {
    possible: bool,
    /// In a flow mapping a key may span lines (`{"a"\n: 1}`); elsewhere a simple key is one line.
    multiline: bool,
    required: bool,
    token_number: usize,
    at: usize,
    line: usize,
    column: usize,
}

const NO_KEY: SimpleKey =
    SimpleKey { possible: false, multiline: false, required: false, token_number: 0, at: 0, line: 0, column: 0 };

/// The longest a simple (implicit) key may be, as YAML specifies.
const MAX_SIMPLE_KEY: usize = 1024;

/// The tokens scanned and not yet taken, oldest first: a ring of slots overwritten in place.
///
/// With `VecDeque::push_back` each 56-byte token was assembled on the stack and copied into the queue in 16-byte
/// moves that stalled on store forwarding (the stores before them were 8 bytes wide): on files of short lines
/// that copy was the scanner's costliest instruction. Tokens are plain data (decoded text lives in the scanner's
/// `decoded` buffer), so a slot is written field by field.
struct Queue {
    /// A power of two long.
    slots: Vec<Token>,
    head: usize,
    len: usize,
}

const EMPTY_TOKEN: Token = Token { tok: Tok::StreamEnd, start: 0, end: 0 };

impl Queue {
    fn new() -> Self {
        Queue { slots: alloc::vec![EMPTY_TOKEN; 16], head: 0, len: 0 }
    }

    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn slot(&self, k: usize) -> usize {
        (self.head + k) & (self.slots.len() - 1)
    }

    #[inline]
    fn front(&self) -> Option<&Token> {
        if self.len == 0 { None } else { self.slots.get(self.head) }
    }

    #[inline]
    fn pop_front(&mut self) -> Option<Token> {
        if self.len == 0 {
            return None;
        }
        let token = self.slots[self.head];
        self.head = self.slot(1);
        self.len -= 1;
        Some(token)
    }

    #[inline(always)]
    fn push_back(&mut self, tok: Tok, start: usize, end: usize) {
        if self.len == self.slots.len() {
            self.grow();
        }
        let i = self.slot(self.len);
        let slot = &mut self.slots[i];
        slot.tok = tok;
        slot.start = start;
        slot.end = end;
        self.len += 1;
    }

    /// Inserts `token` so that `index` tokens stand before it.
    fn insert(&mut self, index: usize, token: Token) {
        self.push_back(token.tok, token.start, token.end);
        let mut k = self.len - 1;
        while k > index {
            let (a, b) = (self.slot(k), self.slot(k - 1));
            self.slots.swap(a, b);
            k -= 1;
        }
    }

    #[cold]
    fn grow(&mut self) {
        let mut slots = Vec::with_capacity(self.slots.len() * 2);
        slots.extend((0..self.len).map(|k| self.slots[self.slot(k)]));
        slots.resize(self.slots.len() * 2, EMPTY_TOKEN);
        self.slots = slots;
        self.head = 0;
    }
}

pub(super) struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    tokens: Queue,
    /// The text of the queued scalars and tags that needed decoding; emptied whenever the queue is.
    decoded: Vec<u8>,
    tokens_parsed: usize,
    stream_started: bool,
    stream_ended: bool,
    /// The indentation of the innermost open block, -1 at the top.
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    /// False when no entry of `simple_keys` is possible (then none can go stale and none holds tokens back):
    /// set when a key is saved, recomputed when keys are checked for staleness.
    any_key_possible: bool,
    flow_level: usize,
    /// For each open flow collection, whether it is a mapping.
    flow_mappings: Vec<bool>,
    /// The last token was a flow collection end or a quoted scalar: in flow context a `:` right after it is a
    /// value indicator even without a following space (`{"a":1}`).
    adjacent_value: bool,
    max_depth: usize,
    /// Where the scanner stood when simple keys were last checked for staleness (which only changes as it moves).
    stale_checked_at: usize,
    /// Where the last tab between tokens stood: a block may not start after a tab on its line.
    last_tab: usize,
    pub(super) asides: VecDeque<Aside>,
    /// Where the previous line's content ended, to collapse runs of blank lines into one aside.
    last_blank_line: usize,
}

#[inline]
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// True when more than [`MAX_SIMPLE_KEY`] characters stand between `at` and `pos` (counted only when the bytes
/// are that many).
#[inline]
fn too_long_for_key(src: &[u8], at: usize, pos: usize) -> bool {
    pos - at > MAX_SIMPLE_KEY && count_char_starts(&src[at..pos]) > MAX_SIMPLE_KEY as u64
}

/// The offset of the first byte at or after `pos` that is not a space, eight bytes at a time.
#[inline]
fn skip_spaces(src: &[u8], mut pos: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    while let Some(chunk) = src.get(pos..pos + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let diff = u64::from_le_bytes(word) ^ SPACES;
        if diff != 0 {
            return pos + (diff.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while src.get(pos) == Some(&b' ') {
        pos += 1;
    }
    pos
}

#[inline]
fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Byte classes for scanning plain scalars: blanks and breaks end a run of text, `:` may, and flow indicators
/// do in flow context.
const STOP_BLOCK: u8 = 1 | 2;
const STOP_FLOW: u8 = 1 | 2 | 4;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[b':' as usize] = 2;
    t[b',' as usize] = 4;
    t[b'[' as usize] = 4;
    t[b']' as usize] = 4;
    t[b'{' as usize] = 4;
    t[b'}' as usize] = 4;
    t
};

#[inline]
fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

fn syntax(code: ErrorCode, at: usize) -> Error {
    Error::new(code, Span::at(at as u64))
}

fn syntax_span(code: ErrorCode, start: usize, end: usize) -> Error {
    Error::new(code, Span::new(start as u64, end as u64))
}

impl<'a> Scanner<'a> {
    pub(super) fn new(src: &'a [u8], limits: &Limits) -> Self {
        Scanner {
            src,
            pos: 0,
            line: 0,
            line_start: 0,
            tokens: Queue::new(),
            decoded: Vec::new(),
            tokens_parsed: 0,
            stream_started: false,
            stream_ended: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            any_key_possible: false,
            flow_level: 0,
            flow_mappings: Vec::new(),
            adjacent_value: false,
            max_depth: limits.max_depth as usize,
            stale_checked_at: usize::MAX,
            last_tab: usize::MAX,
            asides: VecDeque::new(),
            last_blank_line: usize::MAX,
        }
    }

    #[inline]
    fn at(&self, i: usize) -> u8 {
        self.src.get(self.pos + i).copied().unwrap_or(0)
    }

    #[inline]
    fn at_end(&self, i: usize) -> bool {
        self.pos + i >= self.src.len()
    }

    /// Blank, line break or end of input at `pos + i`.
    #[inline]
    fn blankz(&self, i: usize) -> bool {
        self.at_end(i) || matches!(self.at(i), b' ' | b'\t' | b'\n' | b'\r')
    }

    #[inline]
    fn breakz(&self, i: usize) -> bool {
        self.at_end(i) || is_break(self.at(i))
    }

    #[inline]
    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    /// Skips one line break (`\n`, `\r\n` or `\r`) at `pos`.
    #[inline]
    fn skip_break(&mut self) {
        if self.at(0) == b'\r' && self.at(1) == b'\n' {
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        self.line += 1;
        self.line_start = self.pos;
    }

    /// The next token, leaving it in the queue.
    #[inline(always)]
    pub(super) fn peek(&mut self) -> Result<&Token, Error> {
        if self.needs_more()? {
            self.fetch_more()?;
        }
        self.tokens.front().ok_or_else(|| syntax(ErrorCode::YamlUnexpectedEnd, self.src.len()))
    }

    /// Takes the next token.
    #[inline(always)]
    pub(super) fn next(&mut self) -> Result<Token, Error> {
        if self.needs_more()? {
            self.fetch_more()?;
        }
        let token = self.tokens.pop_front().ok_or_else(|| syntax(ErrorCode::YamlUnexpectedEnd, self.src.len()))?;
        self.tokens_parsed += 1;
        Ok(token)
    }

    /// Drops the next token (after a `peek`).
    #[inline(always)]
    pub(super) fn skip(&mut self) {
        if self.tokens.pop_front().is_some() {
            self.tokens_parsed += 1;
        }
    }

    /// More tokens are needed when the queue is empty, or when its head might still turn out to be preceded
    /// by a `Key` (a simple key that starts there is still possible).
    #[inline(always)]
    fn needs_more(&mut self) -> Result<bool, Error> {
        if self.tokens.is_empty() {
            return Ok(true);
        }
        if self.stream_ended || !self.any_key_possible {
            return Ok(false);
        }
        if self.stale_checked_at != self.pos {
            self.stale_simple_keys()?;
            self.stale_checked_at = self.pos;
        }
        Ok(self.simple_keys.iter().any(|k| k.possible && k.token_number == self.tokens_parsed))
    }

    fn fetch_more(&mut self) -> Result<(), Error> {
        if self.tokens.is_empty() {
            // No queued token refers to decoded text any more (and the parser holds none across this call).
            self.decoded.clear();
        }
        loop {
            self.fetch_next()?;
            if self.stream_ended || !self.needs_more()? {
                return Ok(());
            }
        }
    }

    /// A simple key may not span lines nor be longer than 1024 characters.
    fn stale_simple_keys(&mut self) -> Result<(), Error> {
        let (line, pos) = (self.line, self.pos);
        for key in &mut self.simple_keys {
            if key.possible && !key.multiline && (key.line < line || too_long_for_key(self.src, key.at, pos)) {
                if key.required {
                    return Err(syntax(ErrorCode::YamlExpectedColonAfterKey, key.at));
                }
                key.possible = false;
            }
        }
        self.any_key_possible = self.simple_keys.iter().any(|k| k.possible);
        Ok(())
    }

    #[inline(always)]
    fn push(&mut self, tok: Tok, start: usize, end: usize) {
        self.tokens.push_back(tok, start, end);
    }

    /// The bytes of a queued or just taken token's text.
    pub(super) fn text(&self, text: Text) -> &[u8] {
        match text {
            Text::Source(start, end) => &self.src[start..end],
            Text::Decoded(start, end) => &self.decoded[start..end],
        }
    }

    /// Keeps decoded bytes for a token's text.
    fn keep(&mut self, bytes: &[u8]) -> Text {
        let start = self.decoded.len();
        crate::bytes::extend_short(&mut self.decoded, bytes);
        Text::Decoded(start, self.decoded.len())
    }

    fn fetch_next(&mut self) -> Result<(), Error> {
        if !self.stream_started {
            self.stream_started = true;
            if self.src.starts_with("\u{feff}".as_bytes()) {
                self.pos = 3;
                self.line_start = 3;
            }
            self.simple_keys.push(NO_KEY);
            self.simple_key_allowed = true;
            self.push(Tok::StreamStart, self.pos, self.pos);
            return Ok(());
        }
        self.scan_to_next_token()?;
        if self.any_key_possible {
            self.stale_simple_keys()?;
        }
        let column = self.column();
        self.unroll_indent(column as isize);

        if self.at_end(0) {
            return self.fetch_stream_end();
        }
        let b = self.at(0);
        if column == 0 {
            if b == b'%' {
                return self.fetch_directive();
            }
            if self.document_marker(b'-') {
                return self.fetch_document_indicator(Tok::DocumentStart);
            }
            if self.document_marker(b'.') {
                return self.fetch_document_indicator(Tok::DocumentEnd);
            }
        }
        // A flow collection's continuation lines must be indented past the block that holds it (its closing
        // bracket may stand at the block's column).
        let closing = b == b']' || b == b'}';
        if self.flow_level > 0
            && self.indent >= 0
            && ((column as isize) < self.indent || ((column as isize) == self.indent && !closing))
        {
            return Err(syntax(ErrorCode::YamlFlowUnderindented, self.pos));
        }
        let tok_start_adjacent = self.adjacent_value;
        self.adjacent_value = false;
        match b {
            b'[' => self.fetch_flow_start(Tok::FlowSequenceStart),
            b'{' => self.fetch_flow_start(Tok::FlowMappingStart),
            b']' => self.fetch_flow_end(Tok::FlowSequenceEnd),
            b'}' => self.fetch_flow_end(Tok::FlowMappingEnd),
            b',' => self.fetch_flow_entry(),
            b'-' if self.blankz(1) => self.fetch_block_entry(),
            b'?' if self.blankz(1) || (self.flow_level > 0 && is_flow_indicator(self.at(1))) => self.fetch_key(),
            b':' if self.blankz(1)
                || (self.flow_level > 0 && (is_flow_indicator(self.at(1)) || tok_start_adjacent)) =>
            {
                self.fetch_value()
            }
            b'*' => self.fetch_anchor(true),
            b'&' => self.fetch_anchor(false),
            b'!' => self.fetch_tag(),
            b'|' if self.flow_level == 0 => self.fetch_block_scalar(Style::Literal),
            b'>' if self.flow_level == 0 => self.fetch_block_scalar(Style::Folded),
            b'\'' => self.fetch_quoted(Style::Single),
            b'"' => self.fetch_quoted(Style::Double),
            b'%' | b'@' | b'`' => Err(syntax(ErrorCode::YamlReservedIndicator, self.pos)),
            b'-' | b'?' | b':' if self.flow_level > 0 && is_flow_indicator(self.at(1)) => {
                Err(syntax(ErrorCode::YamlIndicatorBeforeFlowIndicator, self.pos))
            }
            b'-' | b'?' | b':' => self.fetch_plain(),
            b'|' | b'>' | b'#' => Err(syntax(ErrorCode::YamlUnexpectedIndicator, self.pos)),
            b'\t' => Err(syntax(ErrorCode::YamlTab, self.pos)),
            _ => self.fetch_plain(),
        }
    }

    /// `---` or `...` at the start of a line, followed by a blank or the end.
    fn document_marker(&self, c: u8) -> bool {
        self.column() == 0 && self.at(0) == c && self.at(1) == c && self.at(2) == c && self.blankz(3)
    }

    /// Skips blanks, line breaks and comments; records comments and blank lines as asides.
    fn scan_to_next_token(&mut self) -> Result<(), Error> {
        // Whether only blanks precede us on this line: tokens end on a non-blank, so a blank before the start
        // means we stand in indentation (after a block scalar) and must look back.
        let mut first_on_line =
            self.pos == self.line_start || (is_blank(self.src[self.pos - 1]) && self.only_indent_before());
        loop {
            let mut tab = false;
            loop {
                self.pos = skip_spaces(self.src, self.pos);
                if self.src.get(self.pos) == Some(&b'\t') {
                    tab = true;
                    self.last_tab = self.pos;
                    self.pos += 1;
                } else {
                    break;
                }
            }
            let Some(&b) = self.src.get(self.pos) else { return Ok(()) };
            if b == b'#' {
                let at = self.pos;
                if !first_on_line && !is_blank(self.src[at - 1]) {
                    return Err(syntax(ErrorCode::YamlCommentWithoutSpace, at));
                }
                // To the end of the line (`\n`, or a lone `\r` before it).
                let line_end = find_byte(self.src, at, b'\n').unwrap_or(self.src.len());
                self.pos = find_byte(&self.src[..line_end], at, b'\r').unwrap_or(line_end);
                let mut end = self.pos;
                while end > at + 1 && is_blank(self.src[end - 1]) {
                    end -= 1;
                }
                let column = at - self.line_start;
                self.asides.push_back(Aside { at, end, column, trailing: !first_on_line, blank: false });
                first_on_line = false;
                continue;
            }
            if is_break(b) {
                let at = self.line_start;
                let was_first = first_on_line;
                first_on_line = true;
                self.skip_break();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
                if was_first && at > 0 {
                    if self.last_blank_line != at {
                        self.asides.push_back(Aside { at, end: at, column: 0, trailing: false, blank: true });
                    }
                    self.last_blank_line = self.line_start;
                }
                continue;
            }
            if tab && first_on_line {
                // Indentation is spaces only: the spaces before the first tab must already place the content
                // inside the current block, and a tab may not indent a block indicator.
                let spaces = self.src[self.line_start..self.pos].iter().take_while(|&&b| b == b' ').count();
                let indicator = self.flow_level == 0 && matches!(b, b'-' | b'?' | b':') && self.blankz(1);
                if spaces as isize <= self.indent || indicator {
                    return Err(syntax(ErrorCode::YamlTabIndentation, self.pos));
                }
            }
            return Ok(());
        }
    }

    /// Only whitespace stands between the start of the line and `pos`.
    fn only_indent_before(&self) -> bool {
        let mut p = self.pos;
        while p > self.line_start && is_blank(self.src[p - 1]) {
            p -= 1;
        }
        p == self.line_start
    }

    fn fetch_stream_end(&mut self) -> Result<(), Error> {
        if self.column() != 0 {
            // Close the last line.
            self.line += 1;
            self.line_start = self.pos;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        if self.flow_level > 0 {
            return Err(syntax(ErrorCode::YamlUnterminatedFlow, self.pos));
        }
        self.stream_ended = true;
        self.push(Tok::StreamEnd, self.pos, self.pos);
        Ok(())
    }

    fn fetch_directive(&mut self) -> Result<(), Error> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.pos;
        self.pos += 1;
        let name_start = self.pos;
        while !self.blankz(0) {
            self.pos += 1;
        }
        let name = &self.src[name_start..self.pos];
        let tok = match name {
            b"YAML" => {
                self.skip_blanks();
                let v = self.pos;
                while self.at(0).is_ascii_digit() || self.at(0) == b'.' {
                    self.pos += 1;
                }
                let version = &self.src[v..self.pos];
                let dot = version.iter().filter(|&&b| b == b'.').count();
                if version.is_empty() || dot != 1 || version[0] == b'.' || version[version.len() - 1] == b'.' {
                    return Err(syntax_span(ErrorCode::YamlInvalidVersionDirective, v, self.pos));
                }
                if !self.blankz(0) {
                    return Err(syntax(ErrorCode::YamlInvalidVersionDirective, self.pos));
                }
                Tok::VersionDirective
            }
            b"TAG" => {
                self.skip_blanks();
                let h = self.pos;
                if self.at(0) != b'!' {
                    return Err(syntax(ErrorCode::YamlTagDirectiveHandle, self.pos));
                }
                self.pos += 1;
                while self.at(0).is_ascii_alphanumeric() || self.at(0) == b'-' {
                    self.pos += 1;
                }
                if self.at(0) == b'!' {
                    self.pos += 1;
                } else if self.pos - h > 1 {
                    return Err(syntax(ErrorCode::YamlTagDirectiveNamedHandle, self.pos));
                }
                let handle = (h, self.pos);
                if !is_blank(self.at(0)) {
                    return Err(syntax(ErrorCode::YamlTagDirectiveSpace, self.pos));
                }
                self.skip_blanks();
                let p = self.pos;
                while !self.blankz(0) {
                    self.pos += 1;
                }
                if p == self.pos {
                    return Err(syntax(ErrorCode::YamlTagDirectivePrefix, self.pos));
                }
                Tok::TagDirective { handle, prefix: (p, self.pos) }
            }
            _ => {
                while !self.breakz(0) {
                    if self.at(0) == b'#' && is_blank(self.src[self.pos - 1]) {
                        break;
                    }
                    self.pos += 1;
                }
                Tok::ReservedDirective
            }
        };
        let end = self.pos;
        self.skip_blanks();
        if self.at(0) == b'#' {
            if !is_blank(self.src[self.pos - 1]) {
                return Err(syntax(ErrorCode::YamlCommentWithoutSpace, self.pos));
            }
        } else if !self.breakz(0) {
            return Err(syntax(ErrorCode::YamlContentAfterDirective, self.pos));
        }
        self.push(tok, start, end);
        Ok(())
    }

    fn skip_blanks(&mut self) {
        while is_blank(self.at(0)) {
            self.pos += 1;
        }
    }

    fn fetch_document_indicator(&mut self, tok: Tok) -> Result<(), Error> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.pos;
        self.pos += 3;
        if matches!(tok, Tok::DocumentEnd) {
            // Only a comment may follow `...` on its line.
            self.skip_blanks();
            if !self.breakz(0) && self.at(0) != b'#' {
                return Err(syntax(ErrorCode::YamlContentAfterDocumentEnd, self.pos));
            }
        }
        self.push(tok, start, start + 3);
        Ok(())
    }

    fn fetch_flow_start(&mut self, tok: Tok) -> Result<(), Error> {
        self.save_simple_key()?;
        if self.flow_level + self.indents.len() >= self.max_depth {
            return Err(Error::with(
                ErrorCode::DepthLimit,
                Detail::Limit(self.max_depth as u64),
                Span::new(self.pos as u64, self.pos as u64 + 1),
            ));
        }
        self.flow_level += 1;
        self.flow_mappings.push(matches!(tok, Tok::FlowMappingStart));
        self.simple_keys.push(NO_KEY);
        self.simple_key_allowed = true;
        let start = self.pos;
        self.pos += 1;
        self.push(tok, start, start + 1);
        Ok(())
    }

    fn fetch_flow_end(&mut self, tok: Tok) -> Result<(), Error> {
        self.remove_simple_key()?;
        if self.flow_level > 0 {
            self.flow_level -= 1;
            self.flow_mappings.pop();
            self.simple_keys.pop();
        }
        self.simple_key_allowed = false;
        let start = self.pos;
        self.pos += 1;
        self.push(tok, start, start + 1);
        self.adjacent_value = true;
        self.check_after_flow_token()
    }

    /// After a flow collection or quoted scalar ends in block context, only a `:`, a comment or the end of the
    /// line may follow on the same line (a value after it would be ambiguous).
    fn check_after_flow_token(&mut self) -> Result<(), Error> {
        if self.flow_level > 0 {
            return Ok(());
        }
        let mut i = 0;
        while is_blank(self.at(i)) {
            i += 1;
        }
        let b = self.at(i);
        if self.breakz(i) || b == b':' || (b == b'#' && i > 0) {
            return Ok(());
        }
        Err(syntax(ErrorCode::YamlContentAfterValue, self.pos + i))
    }

    fn fetch_flow_entry(&mut self) -> Result<(), Error> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.pos;
        self.pos += 1;
        self.push(Tok::FlowEntry, start, start + 1);
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> Result<(), Error> {
        let start = self.pos;
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(syntax(ErrorCode::YamlSequenceEntryNotAllowed, start));
            }
            let column = self.column();
            self.roll_indent(column, None, Tok::BlockSequenceStart, start)?;
        } else {
            return Err(syntax(ErrorCode::YamlBlockEntryInFlow, start));
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        self.pos += 1;
        self.push(Tok::BlockEntry, start, start + 1);
        self.reject_tab_indentation_after_indicator()
    }

    /// After `- `, `? ` or `: ` in block context a tab may separate, but not indent a nested block entry.
    fn reject_tab_indentation_after_indicator(&mut self) -> Result<(), Error> {
        if self.flow_level > 0 {
            return Ok(());
        }
        let mut i = 0;
        let mut tab = false;
        while is_blank(self.at(i)) {
            tab |= self.at(i) == b'\t';
            i += 1;
        }
        if tab && matches!(self.at(i), b'-' | b'?' | b':') && self.blankz(i + 1) {
            return Err(syntax(ErrorCode::YamlTabIndentation, self.pos + i));
        }
        Ok(())
    }

    fn fetch_key(&mut self) -> Result<(), Error> {
        let start = self.pos;
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(syntax(ErrorCode::YamlExplicitKeyNotAllowed, start));
            }
            let column = self.column();
            self.roll_indent(column, None, Tok::BlockMappingStart, start)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        self.pos += 1;
        self.push(Tok::Key, start, start + 1);
        self.reject_tab_indentation_after_indicator()
    }

    fn fetch_value(&mut self) -> Result<(), Error> {
        let start = self.pos;
        let level = self.flow_level;
        let key = self.simple_keys[level];
        if key.possible {
            // The simple key becomes a key: insert KEY (and BLOCK-MAPPING-START) where it began.
            let index = key.token_number - self.tokens_parsed;
            self.tokens.insert(index, Token { tok: Tok::Key, start: key.at, end: key.at });
            if self.flow_level == 0 {
                self.roll_indent(key.column, Some(index), Tok::BlockMappingStart, key.at)?;
            }
            self.simple_keys[level].possible = false;
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return Err(syntax(ErrorCode::YamlMappingValueNotAllowed, start));
                }
                let column = self.column();
                self.roll_indent(column, None, Tok::BlockMappingStart, start)?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        self.pos += 1;
        self.push(Tok::Value, start, start + 1);
        self.reject_tab_indentation_after_indicator()
    }

    fn save_simple_key(&mut self) -> Result<(), Error> {
        let required = self.flow_level == 0 && self.indent == self.column() as isize;
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                multiline: self.flow_mappings.last() == Some(&true),
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                at: self.pos,
                line: self.line,
                column: self.column(),
            };
            self.remove_simple_key()?;
            let level = self.flow_level;
            self.simple_keys[level] = key;
            self.any_key_possible = true;
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> Result<(), Error> {
        let level = self.flow_level;
        let key = &mut self.simple_keys[level];
        if key.possible && key.required {
            return Err(syntax(ErrorCode::YamlExpectedColonAfterKey, key.at));
        }
        key.possible = false;
        Ok(())
    }

    /// Opens a block at `column` if it is deeper than the current one, inserting `tok` at `index` of the queue
    /// (or at its end).
    fn roll_indent(&mut self, column: usize, index: Option<usize>, tok: Tok, at: usize) -> Result<(), Error> {
        if self.flow_level > 0 {
            return Ok(());
        }
        if (column as isize) > self.indent {
            if self.last_tab >= self.line_start && self.last_tab < at {
                return Err(syntax(ErrorCode::YamlTabIndentation, at));
            }
            if self.indents.len() + 1 > self.max_depth {
                return Err(Error::with(
                    ErrorCode::DepthLimit,
                    Detail::Limit(self.max_depth as u64),
                    Span::new(at as u64, at as u64 + 1),
                ));
            }
            self.indents.push(self.indent);
            self.indent = column as isize;
            let token = Token { tok, start: at, end: at };
            match index {
                Some(i) => self.tokens.insert(i, token),
                None => self.tokens.push_back(token.tok, token.start, token.end),
            }
        }
        Ok(())
    }

    /// Closes every block deeper than `column`.
    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.push(Tok::BlockEnd { indent: self.indent as usize }, self.pos, self.pos);
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    fn fetch_anchor(&mut self, alias: bool) -> Result<(), Error> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.pos;
        self.pos += 1;
        let name = self.pos;
        while !self.blankz(0) && !is_flow_indicator(self.at(0)) {
            self.pos += 1;
        }
        if self.pos == name {
            return Err(syntax(
                if alias { ErrorCode::YamlExpectedAliasName } else { ErrorCode::YamlExpectedAnchorName },
                start,
            ));
        }
        let tok = if alias { Tok::Alias(name, self.pos) } else { Tok::Anchor(name, self.pos) };
        self.push(tok, start, self.pos);
        if alias {
            self.check_after_flow_token_alias()?;
        }
        Ok(())
    }

    /// An alias is a complete node, like a flow collection: in block context only `:` or a comment may follow.
    fn check_after_flow_token_alias(&mut self) -> Result<(), Error> {
        if self.flow_level > 0 {
            return Ok(());
        }
        self.check_after_flow_token()
    }

    fn fetch_tag(&mut self) -> Result<(), Error> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.pos;
        let handle;
        let suffix;
        if self.at(1) == b'<' {
            // Verbatim: !<uri>
            self.pos += 2;
            let s = self.pos;
            while !self.blankz(0) && self.at(0) != b'>' {
                self.pos += 1;
            }
            if self.at(0) != b'>' {
                return Err(syntax(ErrorCode::YamlUnterminatedVerbatimTag, self.pos));
            }
            let uri = self.decode_uri(s, self.pos)?;
            self.pos += 1;
            if uri.is_empty() {
                return Err(syntax(ErrorCode::YamlEmptyVerbatimTag, start));
            }
            handle = (start, start);
            suffix = self.keep(&uri);
        } else {
            // `!`, `!suffix`, `!!suffix` or `!name!suffix`.
            self.pos += 1;
            let mut end = self.pos;
            while self.src.get(end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-') {
                end += 1;
            }
            if self.src.get(end) == Some(&b'!') {
                handle = (start, end + 1);
                self.pos = end + 1;
            } else {
                handle = (start, start + 1);
            }
            let s = self.pos;
            while !(self.blankz(0) || (self.flow_level > 0 && is_flow_indicator(self.at(0)))) {
                let b = self.at(0);
                if !(b.is_ascii_alphanumeric() || b"-#;/?:@&=+$_.~*'()%".contains(&b) || b >= 0x80) {
                    return Err(syntax(ErrorCode::YamlInvalidTagCharacter, self.pos));
                }
                self.pos += 1;
            }
            if s == self.pos && handle.1 - handle.0 > 1 {
                return Err(syntax(ErrorCode::YamlExpectedTagSuffix, self.pos));
            }
            let uri = self.decode_uri(s, self.pos)?;
            suffix = self.keep(&uri);
        }
        // A node's properties are separated from its content by a space; in flow, `,`, `]` or `}` may follow at
        // once (the node is empty), but not the start of a collection (`!t[a]`, `!t{}`).
        if !(self.blankz(0) || (self.flow_level > 0 && matches!(self.at(0), b',' | b']' | b'}'))) {
            return Err(syntax(ErrorCode::YamlExpectedSpaceAfterTag, self.pos));
        }
        self.push(Tok::Tag { handle, suffix }, start, self.pos);
        Ok(())
    }

    /// Decodes `%XX` escapes in a tag.
    fn decode_uri(&self, start: usize, end: usize) -> Result<Vec<u8>, Error> {
        let raw = &self.src[start..end];
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'%' {
                let hex = raw.get(i + 1..i + 3).and_then(|h| core::str::from_utf8(h).ok());
                let value = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                match value {
                    Some(v) => out.push(v),
                    None => return Err(syntax(ErrorCode::YamlInvalidTagEscape, start + i)),
                }
                i += 3;
            } else {
                out.push(raw[i]);
                i += 1;
            }
        }
        if core::str::from_utf8(&out).is_err() {
            return Err(syntax(ErrorCode::YamlTagEscapeNotUtf8, start));
        }
        Ok(out)
    }

    fn fetch_block_scalar(&mut self, style: Style) -> Result<(), Error> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.pos;
        let text = self.scan_block_scalar(style == Style::Literal)?;
        self.push(Tok::Scalar { text, style }, start, self.pos);
        Ok(())
    }

    fn scan_block_scalar(&mut self, literal: bool) -> Result<Text, Error> {
        self.pos += 1;
        // Header: chomping and indentation indicators, in either order.
        let mut chomp = 0i8; // -1 strip, 0 clip, 1 keep
        let mut increment = 0usize;
        for _ in 0..2 {
            match self.at(0) {
                b'+' | b'-' if chomp == 0 => {
                    chomp = if self.at(0) == b'+' { 1 } else { -1 };
                    self.pos += 1;
                }
                b'1'..=b'9' if increment == 0 => {
                    increment = usize::from(self.at(0) - b'0');
                    self.pos += 1;
                }
                b'0' => return Err(syntax(ErrorCode::YamlZeroIndentationIndicator, self.pos)),
                _ => break,
            }
        }
        let header_end = self.pos;
        self.skip_blanks();
        if self.at(0) == b'#' {
            if self.pos == header_end {
                return Err(syntax(ErrorCode::YamlCommentWithoutSpace, self.pos));
            }
            let at = self.pos;
            let column = self.column();
            while !self.breakz(0) {
                self.pos += 1;
            }
            let mut end = self.pos;
            while end > at + 1 && is_blank(self.src[end - 1]) {
                end -= 1;
            }
            self.asides.push_back(Aside { at, end, column, trailing: true, blank: false });
        }
        if !self.breakz(0) {
            return Err(syntax(ErrorCode::YamlContentAfterBlockHeader, self.pos));
        }
        if self.at_end(0) {
            return Ok(Text::Source(self.pos, self.pos));
        }
        self.skip_break();
        let parent = self.indent;
        let mut indent = (increment > 0).then(|| (parent.max(0) as usize) + increment);
        let mut out: Vec<u8> = Vec::new();
        let mut trailing = 0usize;
        let mut first_empty = 0;
        let detected = self.block_breaks(indent, &mut trailing, &mut first_empty)?;
        if indent.is_none() {
            let floor = if parent < 0 { 0 } else { parent as usize + 1 };
            let content = if self.breakz(0) { 0 } else { self.column() };
            if !self.breakz(0) && content < detected && content >= floor {
                return Err(syntax(ErrorCode::YamlLeadingLineOverindented, self.pos));
            }
            indent = Some(detected.max(floor).max(usize::from(parent >= 0)));
        }
        let indent = indent.unwrap_or(1);
        let mut leading_break = false;
        let mut leading_blank = false;
        while self.column() == indent && !self.at_end(0) {
            if indent == 0 && (self.document_marker(b'-') || self.document_marker(b'.')) {
                break;
            }
            let this_blank = is_blank(self.at(0));
            if !literal && leading_break && !leading_blank && !this_blank {
                if trailing == 0 {
                    out.push(b' ');
                }
            } else if leading_break {
                out.push(b'\n');
            }
            out.extend(core::iter::repeat_n(b'\n', trailing));
            trailing = 0;
            leading_blank = this_blank;
            let line = self.pos;
            while !self.breakz(0) {
                self.pos += 1;
            }
            out.extend_from_slice(&self.src[line..self.pos]);
            if self.at_end(0) {
                // The end of the input ends the last line as a line break would.
                leading_break = true;
                break;
            }
            self.skip_break();
            leading_break = true;
            self.block_breaks(Some(indent), &mut trailing, &mut first_empty)?;
        }
        if chomp != -1 && leading_break {
            out.push(b'\n');
        }
        if chomp == 1 {
            out.extend(core::iter::repeat_n(b'\n', trailing));
        } else if trailing > 0 {
            // Empty lines after the text that chomping leaves out are layout: a blank line, as between entries.
            let at = first_empty;
            self.asides.push_back(Aside { at, end: at, column: 0, trailing: false, blank: true });
            self.last_blank_line = self.line_start;
        }
        Ok(self.keep(&out))
    }

    /// Skips the indentation and empty lines of a block scalar, counting the line breaks; without a known
    /// indentation, returns the deepest indentation seen (which then decides it).
    fn block_breaks(&mut self, indent: Option<usize>, breaks: &mut usize, first: &mut usize) -> Result<usize, Error> {
        let mut max = 0;
        loop {
            while indent.is_none_or(|i| self.column() < i) && self.at(0) == b' ' {
                self.pos += 1;
            }
            max = max.max(self.column());
            if indent.is_none_or(|i| self.column() < i) && self.at(0) == b'\t' {
                let mut i = 0;
                while is_blank(self.at(i)) {
                    i += 1;
                }
                if indent.is_none() {
                    // The first text line: its spaces decide the indentation and the tab is text, unless the
                    // tab stands where the indentation must be.
                    let floor = if self.indent < 0 { 0 } else { self.indent as usize + 1 };
                    if self.column() < floor {
                        return Err(syntax(ErrorCode::YamlTabInBlockIndentation, self.pos));
                    }
                    return Ok(max);
                }
                if !self.breakz(i) {
                    return Err(syntax(ErrorCode::YamlTabInBlockIndentation, self.pos));
                }
                self.pos += i;
            }
            if self.column() == 0 && (self.document_marker(b'-') || self.document_marker(b'.')) {
                return Ok(max);
            }
            if *breaks == 0 {
                *first = self.line_start;
            }
            if self.at_end(0) && self.pos > self.line_start {
                // A last line of spaces without a line break still counts as an empty line.
                *breaks += 1;
                return Ok(max);
            }
            if !is_break(self.at(0)) {
                return Ok(max);
            }
            *breaks += 1;
            self.skip_break();
        }
    }

    fn fetch_quoted(&mut self, style: Style) -> Result<(), Error> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.pos;
        let text = self.scan_quoted(style == Style::Single)?;
        self.push(Tok::Scalar { text, style }, start, self.pos);
        self.adjacent_value = true;
        self.check_after_flow_token()
    }

    fn scan_quoted(&mut self, single: bool) -> Result<Text, Error> {
        let start = self.pos;
        let quote = if single { b'\'' } else { b'"' };
        self.pos += 1;
        let body = self.pos;
        // Fast path: one line, no escapes.
        let mut i = body;
        while i + 8 <= self.src.len() {
            let w = word(self.src, i);
            let stop = eq_mask(w, quote) | eq_mask(w, b'\\') | eq_mask(w, b'\n') | eq_mask(w, b'\r');
            if stop != 0 {
                i += first(stop);
                break;
            }
            i += 8;
        }
        while let Some(&b) = self.src.get(i) {
            if b == quote || b == b'\\' || is_break(b) {
                break;
            }
            i += 1;
        }
        if self.src.get(i) == Some(&quote) && !(single && self.src.get(i + 1) == Some(&b'\'')) {
            self.pos = i + 1;
            return Ok(Text::Source(body, i));
        }
        let mut out = Vec::with_capacity(i - body + 16);
        let min_indent = (self.indent + 1).max(0) as usize;
        loop {
            if self.at_end(0) {
                return Err(syntax_span(ErrorCode::YamlUnterminatedQuoted, start, self.pos));
            }
            if self.column() == 0 && (self.document_marker(b'-') || self.document_marker(b'.')) {
                return Err(syntax(ErrorCode::YamlDocumentMarkerInQuoted, self.pos));
            }
            // Non-blank characters.
            while !self.blankz(0) {
                let b = self.at(0);
                if single && b == b'\'' {
                    if self.at(1) == b'\'' {
                        out.push(b'\'');
                        self.pos += 2;
                        continue;
                    }
                    break;
                }
                if !single && b == b'"' {
                    break;
                }
                if !single && b == b'\\' && is_break(self.at(1)) {
                    // Escaped line break: join lines without a space.
                    self.pos += 1;
                    self.skip_break();
                    self.skip_quoted_indent(min_indent)?;
                    if self.at(0) == b'\t' || self.at(0) == b' ' {
                        // Leading whitespace after an escaped break is stripped.
                    }
                    while is_blank(self.at(0)) {
                        self.pos += 1;
                    }
                    continue;
                }
                if !single && b == b'\\' {
                    self.escape(&mut out)?;
                    continue;
                }
                out.push(b);
                self.pos += 1;
            }
            if self.at(0) == quote {
                break;
            }
            // Blanks and line breaks: fold.
            let blanks_start = self.pos;
            while is_blank(self.at(0)) {
                self.pos += 1;
            }
            if self.at(0) == quote && !(single && self.at(1) == b'\'') {
                crate::bytes::extend_short(&mut out, &self.src[blanks_start..self.pos]);
                break;
            }
            if !self.breakz(0) {
                crate::bytes::extend_short(&mut out, &self.src[blanks_start..self.pos]);
                continue;
            }
            if self.at_end(0) {
                return Err(syntax_span(ErrorCode::YamlUnterminatedQuoted, start, self.pos));
            }
            // One or more line breaks: the first becomes a space unless more follow.
            self.skip_break();
            let mut breaks = 0;
            loop {
                self.skip_quoted_indent(min_indent)?;
                while is_blank(self.at(0)) {
                    self.pos += 1;
                }
                if is_break(self.at(0)) {
                    breaks += 1;
                    self.skip_break();
                } else {
                    break;
                }
            }
            if breaks == 0 {
                out.push(b' ');
            } else {
                out.extend(core::iter::repeat_n(b'\n', breaks));
            }
        }
        self.pos += 1;
        Ok(self.keep(&out))
    }

    /// Continuation lines of a quoted scalar in block context must be indented past the enclosing block.
    fn skip_quoted_indent(&mut self, min_indent: usize) -> Result<(), Error> {
        while self.at(0) == b' ' {
            self.pos += 1;
        }
        if self.flow_level == 0 && self.column() < min_indent && !self.breakz(0) {
            let mut i = 0;
            while is_blank(self.at(i)) {
                i += 1;
            }
            if !self.breakz(i) {
                return Err(syntax(ErrorCode::YamlQuotedContinuationIndent, self.pos));
            }
        }
        if self.column() == 0 && (self.document_marker(b'-') || self.document_marker(b'.')) {
            return Err(syntax(ErrorCode::YamlDocumentMarkerInQuoted, self.pos));
        }
        Ok(())
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let at = self.pos;
        let c = self.at(1);
        let simple = match c {
            b'0' => Some(0u8),
            b'a' => Some(7),
            b'b' => Some(8),
            b't' | b'\t' => Some(b'\t'),
            b'n' => Some(b'\n'),
            b'v' => Some(11),
            b'f' => Some(12),
            b'r' => Some(b'\r'),
            b'e' => Some(0x1b),
            b' ' => Some(b' '),
            b'"' => Some(b'"'),
            b'/' => Some(b'/'),
            b'\\' => Some(b'\\'),
            _ => None,
        };
        if let Some(v) = simple {
            out.push(v);
            self.pos += 2;
            return Ok(());
        }
        let named = match c {
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        let ch = if let Some(ch) = named {
            self.pos += 2;
            ch
        } else {
            let len = match c {
                b'x' => 2,
                b'u' => 4,
                b'U' => 8,
                _ => {
                    let end = (at + 2).min(self.src.len());
                    return Err(syntax_span(ErrorCode::YamlInvalidEscape, at, end));
                }
            };
            let hex = self.src.get(self.pos + 2..self.pos + 2 + len).and_then(|h| core::str::from_utf8(h).ok());
            let value =
                hex.filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())).and_then(|h| u32::from_str_radix(h, 16).ok());
            let ch = value.and_then(char::from_u32);
            match ch {
                Some(ch) => {
                    self.pos += 2 + len;
                    ch
                }
                None => {
                    let end = (at + 2 + len).min(self.src.len());
                    return Err(syntax_span(ErrorCode::YamlInvalidEscape, at, end));
                }
            }
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn fetch_plain(&mut self) -> Result<(), Error> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.pos;
        let (text, end, multi_line) = self.scan_plain()?;
        if multi_line {
            self.simple_key_allowed = true;
        }
        let key = self.simple_keys[self.flow_level];
        if !multi_line
            && self.flow_level == 0
            && key.possible
            && key.at == start
            && self.at(0) == b':'
            && self.blankz(1)
            && !too_long_for_key(self.src, start, self.pos)
        {
            // `key: ` in block context, the most common line in YAML: the key is known at once, so its tokens
            // go in order instead of a `Key` being inserted before the scalar once the `:` is scanned.
            self.roll_indent(key.column, None, Tok::BlockMappingStart, start)?;
            self.simple_keys[0].possible = false;
            self.push(Tok::Key, start, start);
            self.push(Tok::Scalar { text, style: Style::Plain }, start, end);
            self.pos += 1;
            self.push(Tok::Value, end, end + 1);
            // As after any implicit key's `:`: no second implicit key on this line (`a: b: c` is an error).
            self.simple_key_allowed = false;
            return self.reject_tab_indentation_after_indicator();
        }
        self.push(Tok::Scalar { text, style: Style::Plain }, start, end);
        Ok(())
    }

    /// Scans a plain scalar; returns its text, where its last character ends, and whether it crossed lines.
    fn scan_plain(&mut self) -> Result<(Text, usize, bool), Error> {
        let start = self.pos;
        let flow = self.flow_level > 0;
        let stops = if flow { STOP_FLOW } else { STOP_BLOCK };
        let min_indent = (self.indent + 1) as usize;
        let mut out: Option<Vec<u8>> = None;
        let mut multi_line = false;
        loop {
            let line_start = self.pos;
            loop {
                // A run of ordinary characters: eight bytes at a time up to the first that may end it, then byte
                // by byte.
                while self.pos + 8 <= self.src.len() {
                    let w = word(self.src, self.pos);
                    let mut stop = lt_mask(w, b' ' + 1) | eq_mask(w, b':');
                    if flow {
                        stop |= eq_mask(w, b',')
                            | eq_mask(w, b'[')
                            | eq_mask(w, b']')
                            | eq_mask(w, b'{')
                            | eq_mask(w, b'}');
                    }
                    if stop != 0 {
                        self.pos += first(stop);
                        break;
                    }
                    self.pos += 8;
                }
                while let Some(&b) = self.src.get(self.pos) {
                    if CLASS[b as usize] & stops != 0 {
                        break;
                    }
                    self.pos += 1;
                }
                let b = self.at(0);
                if b == b':' && !(self.blankz(1) || (flow && is_flow_indicator(self.at(1)))) {
                    self.pos += 1;
                    continue;
                }
                if !is_blank(b) || self.at_end(0) {
                    break;
                }
                // Blanks: part of the scalar only if more of it follows on this line.
                let mut i = 1;
                while is_blank(self.at(i)) {
                    i += 1;
                }
                let next = self.at(i);
                let ends = self.breakz(i)
                    || next == b'#'
                    || (next == b':' && (self.blankz(i + 1) || (flow && is_flow_indicator(self.at(i + 1)))))
                    || (flow && is_flow_indicator(next));
                if ends {
                    break;
                }
                self.pos += i;
            }
            let end = self.pos;
            if let Some(buf) = out.as_mut() {
                buf.extend_from_slice(&self.src[line_start..end]);
            }
            // A line break may continue the scalar on a following, more indented line.
            let mut i = 0;
            while is_blank(self.at(i)) {
                i += 1;
            }
            if !is_break(self.at(i)) {
                return Ok((self.finish_plain(out, start, end), end, multi_line));
            }
            let save = (self.pos, self.line, self.line_start);
            self.pos += i;
            let mut breaks = 0usize;
            let continues = loop {
                if !is_break(self.at(0)) {
                    break false;
                }
                self.skip_break();
                breaks += 1;
                if self.document_marker(b'-') || self.document_marker(b'.') {
                    break false;
                }
                self.pos = skip_spaces(self.src, self.pos);
                let column = self.column();
                while is_blank(self.at(0)) {
                    self.pos += 1;
                }
                if self.at_end(0) {
                    break false;
                }
                let b = self.at(0);
                if is_break(b) {
                    continue;
                }
                let indicator = b == b'#'
                    || (flow && is_flow_indicator(b))
                    || (b == b':' && (self.blankz(1) || (flow && is_flow_indicator(self.at(1)))));
                break !indicator && (flow || column >= min_indent);
            };
            if !continues {
                (self.pos, self.line, self.line_start) = save;
                return Ok((self.finish_plain(out, start, end), end, multi_line));
            }
            multi_line = true;
            let buf = out.get_or_insert_with(|| self.src[start..end].to_vec());
            if breaks == 1 {
                buf.push(b' ');
            } else {
                buf.extend(core::iter::repeat_n(b'\n', breaks - 1));
            }
        }
    }

    fn finish_plain(&mut self, out: Option<Vec<u8>>, start: usize, end: usize) -> Text {
        match out {
            Some(buf) => self.keep(&buf),
            None => Text::Source(start, end),
        }
    }
}
