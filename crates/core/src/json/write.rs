//! The JSON writer: a sink that prints events as pretty or compact JSON.
//!
//! Scalars read from JSON are copied byte for byte (numbers keep their literal, strings their escapes); text
//! from other formats is escaped here. Pretty output has the conventional layout of `JSON.stringify(v, null, 2)`
//! and `jq .`: one entry per line, `"key": value`, `{}` and `[]` for empty containers, a newline after each
//! document. Comments are kept in place when asked (JSONC), and dropped otherwise.

use crate::bytes::{first, word};
use crate::error::{Error, ErrorCode};
use crate::event::{Comment, CommentStyle, Event, EventKind, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::json::scan::string_specials;
use crate::options::Indent;
use crate::output::Output;
use alloc::borrow::Cow;
use alloc::vec::Vec;

/// How the JSON writer lays out its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Indentation, or compact.
    pub indent: Indent,
    /// Keep comments (JSONC output). Compact output never has comments.
    pub comments: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { indent: Indent::Spaces(2), comments: false }
    }
}

/// Output is handed to the [`Output`] in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// The writer's staging buffer: a zeroed block with a cursor, so that short runs are written as fixed-size
/// block copies (two vector moves) instead of variable-length `memcpy` calls, which cost more than the bytes
/// they copy. Writes longer than the room left grow the block, a rare path.
#[derive(Debug)]
struct OutBuf {
    bytes: Vec<u8>,
    len: usize,
}

/// The staging buffer's first size: it grows (doubling) towards [`FLUSH_AT`] only for output that needs it, so
/// a small document does not pay to zero and fault in 68 KiB (17 pages, about a tenth of a millisecond here).
/// 2 KiB holds a formatted 1 KiB request in `dfmt serve`, where zeroing 8 KiB and allocating it from glibc's
/// large bins (which first consolidates the freed small chunks) cost more than the formatting saved.
const INITIAL: usize = 2 * 1024;

impl OutBuf {
    /// A block for output of about `expected` bytes: between [`INITIAL`] and the flush size plus a page.
    fn new(expected: usize) -> Self {
        OutBuf { bytes: alloc::vec![0; expected.clamp(INITIAL, FLUSH_AT + 4096)], len: 0 }
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    #[inline(always)]
    fn clear(&mut self) {
        self.len = 0;
    }

    /// Makes room for `n` more bytes.
    #[inline(always)]
    fn reserve(&mut self, n: usize) {
        if self.len + n > self.bytes.len() {
            self.grow(n);
        }
    }

    /// Doubles the block (at least to what `n` more bytes need), up to the flush size plus a page.
    #[cold]
    fn grow(&mut self, n: usize) {
        let size = (self.bytes.len() * 2).clamp(INITIAL, FLUSH_AT + 4096).max(self.len + n);
        self.bytes.resize(size, 0);
    }

    #[inline(always)]
    fn push(&mut self, b: u8) {
        self.reserve(1);
        self.bytes[self.len] = b;
        self.len += 1;
    }

    /// Appends `n` bytes from the front of `from`, which holds at least [`OutBuf::WIDE_BLOCK`] bytes: the copy
    /// is one fixed-size block ([`OutBuf::BLOCK`] bytes, or the wide one for a deep indentation), of which `n`
    /// bytes count.
    #[inline(always)]
    fn extend_from_block(&mut self, from: &[u8], n: usize) {
        if n <= Self::BLOCK && from.len() >= Self::BLOCK {
            self.put_block::<{ Self::BLOCK }>(from, n);
        } else if n <= Self::WIDE_BLOCK && from.len() >= Self::WIDE_BLOCK {
            self.put_block::<{ Self::WIDE_BLOCK }>(from, n);
        } else {
            self.extend(&from[..n]);
        }
    }

    /// Copies the first `N` bytes of `from` and counts `n <= N` of them.
    #[inline(always)]
    fn put_block<const N: usize>(&mut self, from: &[u8], n: usize) {
        self.reserve(N);
        self.bytes[self.len..self.len + N].copy_from_slice(&from[..N]);
        self.len += n;
    }

    const BLOCK: usize = 32;
    /// Lines of Kubernetes schemas are indented 40–70 spaces deep: still one fixed-size copy.
    const WIDE_BLOCK: usize = 128;

    /// Appends `src`; up to 64 bytes move as fixed-size copies (`bytes::copy_upto_64`).
    #[inline(always)]
    fn extend(&mut self, src: &[u8]) {
        let n = src.len();
        if n > 2 * Self::BLOCK {
            self.reserve(n);
            self.bytes[self.len..self.len + n].copy_from_slice(src);
            self.len += n;
            return;
        }
        self.reserve(2 * Self::BLOCK);
        crate::bytes::copy_upto_64(&mut self.bytes[self.len..self.len + 2 * Self::BLOCK], src);
        self.len += n;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    /// Outside any container.
    Document,
    Object,
    Array,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: FrameKind,
    /// No entry written yet.
    empty: bool,
    /// In an object: the next node is a key.
    key_next: bool,
}

#[derive(Clone, Copy, Debug)]
struct PendingComment {
    style: CommentStyle,
    trailing: bool,
    start: usize,
    end: usize,
}

/// `,`, a line break and 256 spaces: the separator and indentation of every line up to 128 levels deep at two
/// spaces. Writers share it instead of filling a buffer of their own, an allocation that matters for small
/// documents, whose whole formatting is a few microseconds.
static SEPARATOR_SPACES: [u8; 258] = separator_run(b' ');
/// The same with tabs.
static SEPARATOR_TABS: [u8; 258] = separator_run(b'\t');

const fn separator_run<const N: usize>(fill: u8) -> [u8; N] {
    let mut run = [fill; N];
    run[0] = b',';
    run[1] = b'\n';
    run
}

/// Writes events as JSON into an [`Output`].
#[derive(Debug)]
pub struct Writer<O> {
    out: O,
    buf: OutBuf,
    /// Room for escaping text that arrives decoded.
    scratch: Vec<u8>,
    pretty: bool,
    comments: bool,
    /// `,` and a line break, followed by enough indentation for the deepest level so far (at least 64 bytes):
    /// a shared run ([`SEPARATOR_SPACES`], [`SEPARATOR_TABS`]) until a document goes deeper than it reaches.
    separator_indent: Cow<'static, [u8]>,
    unit: usize,
    /// The innermost open container (or the document level), kept out of `parents` for quick access.
    top: Frame,
    /// The enclosing containers, outermost first; their number is the nesting depth.
    parents: Vec<Frame>,
    pending: Vec<PendingComment>,
    pending_text: Vec<u8>,
}

impl<O: Output> Writer<O> {
    /// A writer into `out`.
    pub fn new(out: O, options: WriteOptions) -> Self {
        Self::with_size_hint(out, options, 0)
    }

    /// A writer into `out` for output of about `expected` bytes, such as the input's size: its staging buffer
    /// starts at that size (up to the 64 KiB it hands over at a time) instead of doubling towards it from 2 KiB,
    /// each step a copy into newly touched memory.
    pub fn with_size_hint(out: O, options: WriteOptions, expected: usize) -> Self {
        let (pretty, unit, byte) = match options.indent {
            Indent::Spaces(n) => (true, usize::from(n), b' '),
            Indent::Tab => (true, 1, b'\t'),
            Indent::Compact => (false, 0, b' '),
        };
        // At least the wide block past the `,` (see `OutBuf::extend_from_block`).
        let size = (64 + unit * 32).max(OutBuf::WIDE_BLOCK + 2);
        let separator_indent = match byte {
            b' ' if size <= SEPARATOR_SPACES.len() => Cow::Borrowed(&SEPARATOR_SPACES[..]),
            b'\t' if size <= SEPARATOR_TABS.len() => Cow::Borrowed(&SEPARATOR_TABS[..]),
            _ => {
                let mut run = Vec::with_capacity(size);
                run.extend_from_slice(b",\n");
                run.resize(size, byte);
                Cow::Owned(run)
            }
        };
        Writer {
            out,
            buf: OutBuf::new(expected),
            scratch: Vec::new(),
            pretty,
            comments: options.comments && pretty,
            separator_indent,
            unit,
            top: Frame { kind: FrameKind::Document, empty: true, key_next: false },
            parents: Vec::with_capacity(16),
            pending: Vec::new(),
            pending_text: Vec::new(),
        }
    }

    /// Hands everything buffered to the output and returns it.
    pub fn finish(mut self) -> Result<O, Error> {
        self.hand_over()?;
        Ok(self.out)
    }

    /// Gives the staging buffer itself to the output, at the end of the stream: an empty `Vec` output keeps it
    /// without a copy (a small document's whole output is this one buffer), other outputs write it as usual.
    /// A writer that gets more events afterwards starts a new buffer.
    fn hand_over(&mut self) -> Result<(), Error> {
        if self.buf.len() > 0 {
            let mut bytes = core::mem::take(&mut self.buf.bytes);
            bytes.truncate(self.buf.len);
            self.buf.clear();
            self.out.write_vec(bytes)?;
        }
        Ok(())
    }

    #[inline(never)]
    fn flush(&mut self) -> Result<(), Error> {
        if self.buf.len() > 0 {
            self.out.write(self.buf.as_slice())?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Starts a new line at `depth`.
    #[inline(always)]
    fn line(&mut self, depth: usize) {
        if self.pretty {
            self.indent_from(1, 1 + depth * self.unit);
        }
    }

    /// Writes `,` (when `separator`) and starts a new line at `depth`.
    #[inline(always)]
    fn separator_line(&mut self, separator: bool, depth: usize) {
        if !self.pretty {
            if separator {
                self.buf.push(b',');
            }
            return;
        }
        let skip = usize::from(!separator);
        self.indent_from(skip, 2 - skip + depth * self.unit);
    }

    /// Appends `n` bytes of `separator_indent` from `skip`.
    #[inline(always)]
    fn indent_from(&mut self, skip: usize, n: usize) {
        if skip + n > self.separator_indent.len() {
            let fill = self.separator_indent[self.separator_indent.len() - 1];
            self.separator_indent.to_mut().resize((skip + n).next_power_of_two(), fill);
        }
        self.buf.extend_from_block(&self.separator_indent[skip..], n);
    }

    /// Writes what comes before a node: the separator and line of a new entry, or nothing for a value.
    #[inline(always)]
    fn before_node(&mut self, is_string_key_candidate: bool) -> Result<(), Error> {
        let depth = self.parents.len();
        let frame = &mut self.top;
        match frame.kind {
            FrameKind::Document => {
                if !self.pending.is_empty() {
                    self.comments_at_top();
                }
                return Ok(());
            }
            FrameKind::Object if !frame.key_next => {
                if !self.pending.is_empty() {
                    self.comments_before_value(depth);
                }
                return Ok(());
            }
            FrameKind::Object if !is_string_key_candidate => {
                return Err(Error::new(ErrorCode::JsonKeyNotString, Default::default()));
            }
            FrameKind::Object | FrameKind::Array => {}
        }
        let separator = !frame.empty;
        frame.empty = false;
        if self.pending.is_empty() {
            self.separator_line(separator, depth);
        } else {
            if separator {
                self.buf.push(b',');
            }
            self.comments_before_entry(depth);
            self.line(depth);
        }
        Ok(())
    }

    /// Writes what follows a node: `": "` after a key.
    #[inline(always)]
    fn after_node(&mut self) {
        let frame = &mut self.top;
        if frame.kind == FrameKind::Object {
            if frame.key_next {
                // Two pushes, not a slice of either length: a variable-length copy is a call to `memcpy`.
                self.buf.push(b':');
                if self.pretty {
                    self.buf.push(b' ');
                }
            }
            frame.key_next = !frame.key_next;
        }
    }

    #[inline(always)]
    fn open(&mut self, object: bool) -> Result<(), Error> {
        self.before_node(false)?;
        self.buf.push(if object { b'{' } else { b'[' });
        let kind = if object { FrameKind::Object } else { FrameKind::Array };
        self.parents.push(core::mem::replace(&mut self.top, Frame { kind, empty: true, key_next: true }));
        Ok(())
    }

    #[inline(always)]
    fn close(&mut self, close: u8) {
        let depth = self.parents.len();
        let empty = self.top.empty;
        if let Some(parent) = self.parents.pop() {
            self.top = parent;
        }
        if !self.pending.is_empty() {
            self.comments_before_entry(depth);
            self.line(depth.saturating_sub(1));
        } else if !empty {
            self.line(depth.saturating_sub(1));
        }
        self.buf.push(close);
        self.after_node();
    }

    #[inline(always)]
    fn scalar(&mut self, scalar: &Scalar<'_>) -> Result<(), Error> {
        self.before_node(true)?;
        let key = self.top.kind == FrameKind::Object && self.top.key_next;
        match (scalar.style, scalar.kind) {
            (ScalarStyle::JsonQuoted | ScalarStyle::JsonUnescaped, _) => self.buf.extend(scalar.text),
            (_, ScalarKind::String | ScalarKind::DateTime) => self.escaped(scalar.text),
            // A bare key that reads back as the same string (`1:` in YAML) becomes that string.
            _ if key => self.escaped(scalar.text),
            _ => self.buf.extend(scalar.text),
        }
        self.after_node();
        Ok(())
    }

    /// Writes decoded text as a JSON string. Most text needs no escape and goes straight into the buffer.
    #[inline]
    fn escaped(&mut self, text: &[u8]) {
        if first_special(text).is_none() {
            self.buf.push(b'"');
            self.buf.extend(text);
            self.buf.push(b'"');
            return;
        }
        self.scratch.clear();
        escape_into(&mut self.scratch, text);
        self.buf.extend(&self.scratch);
    }

    fn push_comment(&mut self, comment: &Comment<'_>) {
        let start = self.pending_text.len();
        self.pending_text.extend_from_slice(comment.text);
        let end = self.pending_text.len();
        self.pending.push(PendingComment { style: comment.style, trailing: comment.trailing, start, end });
    }

    fn write_comment(&mut self, i: usize) {
        let c = self.pending[i];
        let (open, close): (&[u8], &[u8]) = match c.style {
            CommentStyle::Line => (b"//", b""),
            CommentStyle::Block => (b"/*", b"*/"),
        };
        self.buf.extend(open);
        self.buf.extend(&self.pending_text[c.start..c.end]);
        self.buf.extend(close);
    }

    /// Comments before an entry of a container (after its separator), or before its closing bracket: a trailing
    /// one stays on the previous line, the others get lines of their own.
    #[cold]
    fn comments_before_entry(&mut self, depth: usize) {
        for i in 0..self.pending.len() {
            if i == 0 && self.pending[i].trailing && self.buf.len() > 0 {
                self.buf.push(b' ');
            } else {
                self.line(depth);
            }
            self.write_comment(i);
        }
        self.clear_pending();
    }

    /// Comments between a key and its value stay there; a line comment needs a line break after it.
    #[cold]
    fn comments_before_value(&mut self, depth: usize) {
        for i in 0..self.pending.len() {
            self.write_comment(i);
            match self.pending[i].style {
                CommentStyle::Line => self.line(depth),
                CommentStyle::Block => self.buf.push(b' '),
            }
        }
        self.clear_pending();
    }

    /// Comments before the top-level value, each on its own line.
    #[cold]
    fn comments_at_top(&mut self) {
        for i in 0..self.pending.len() {
            self.write_comment(i);
            self.buf.push(b'\n');
        }
        self.clear_pending();
    }

    /// Comments after the top-level value.
    #[cold]
    fn comments_at_end(&mut self) {
        for i in 0..self.pending.len() {
            self.buf.push(if self.pending[i].trailing && i == 0 { b' ' } else { b'\n' });
            self.write_comment(i);
        }
        self.clear_pending();
    }

    fn clear_pending(&mut self) {
        self.pending.clear();
        self.pending_text.clear();
    }
}

impl<O: Output> Sink for Writer<O> {
    // Inlined into the reader, each call site's event kind is known and the dispatch folds away.
    #[inline(always)]
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let result = match event.kind {
            EventKind::Scalar(scalar) => self.scalar(&scalar),
            EventKind::MappingStart(props) | EventKind::SequenceStart(props) if props.tag.is_some() => {
                Err(Error::new(ErrorCode::TagNotJson, event.span))
            }
            EventKind::MappingStart(_) => self.open(true),
            EventKind::SequenceStart(_) => self.open(false),
            EventKind::MappingEnd => {
                self.close(b'}');
                Ok(())
            }
            EventKind::SequenceEnd => {
                self.close(b']');
                Ok(())
            }
            EventKind::Comment(comment) => {
                if self.comments {
                    self.push_comment(&comment);
                }
                Ok(())
            }
            EventKind::DocumentStart { .. } | EventKind::StreamStart | EventKind::BlankLine => Ok(()),
            EventKind::DocumentEnd { .. } => {
                if !self.pending.is_empty() {
                    self.comments_at_end();
                }
                self.buf.push(b'\n');
                Ok(())
            }
            EventKind::StreamEnd => {
                if !self.pending.is_empty() {
                    self.comments_at_top();
                }
                self.hand_over()
            }
            EventKind::Alias(_) => Err(Error::new(ErrorCode::UnexpandedAlias, event.span)),
        };
        // Errors without a place of their own (the output refusing bytes) take the event's.
        if self.buf.len() >= FLUSH_AT {
            self.flush().map_err(|e| e.placed(event.span))?;
        }
        result.map_err(|e| e.placed(event.span))
    }
}

/// The bytes of `text` from `i` on (fewer than eight) as a little-endian word, padded with spaces, built in a
/// register (see [`crate::bytes::tail_word_zeroed`]).
#[inline]
fn tail_word(text: &[u8], i: usize) -> u64 {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let n = text.len() - i;
    debug_assert!(n < 8);
    let w = if text.len() >= 8 {
        // One load: the text's last eight bytes end where the tail does; shift the tail down to the first byte.
        word(text, text.len() - 8) >> (8 * (8 - n) % 64)
    } else {
        crate::bytes::tail_word_zeroed(&text[i..])
    };
    let kept = (1u64 << (8 * n)) - 1;
    (w & kept) | (SPACES & !kept)
}

/// The index of the first byte JSON must escape in `text` (`"`, `\\` or a control character), tested eight
/// bytes at a time; a shorter tail is padded with spaces.
fn first_special(text: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < text.len() {
        let w = if i + 8 <= text.len() { word(text, i) } else { tail_word(text, i) };
        let specials = string_specials(w);
        if specials == 0 {
            i += 8;
            continue;
        }
        let at = i + first(specials);
        if at < text.len() && matches!(text[at], b'"' | b'\\' | 0..=0x1f) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Writes `text` as a JSON string, quotes included, escaping what JSON requires and nothing else.
pub fn escape_into(buf: &mut Vec<u8>, text: &[u8]) {
    buf.push(b'"');
    let mut from = 0;
    let mut i = 0;
    while i < text.len() {
        // Most text needs no escape: skip it eight bytes at a time; a shorter tail is padded with spaces.
        let specials = string_specials(if i + 8 <= text.len() { word(text, i) } else { tail_word(text, i) });
        if specials == 0 {
            i += 8;
            continue;
        }
        i += first(specials);
        if i >= text.len() {
            break;
        }
        let b = text[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&text[from..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 0xf)]);
        } else {
            buf.extend_from_slice(escape);
        }
        i += 1;
        from = i;
    }
    buf.extend_from_slice(&text[from..]);
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_word_is_the_tail_padded_with_spaces() {
        let text: alloc::vec::Vec<u8> = (1..=20u8).map(|b| b.wrapping_mul(37)).collect();
        for len in 0..=text.len() {
            let text = &text[..len];
            for i in len.saturating_sub(7)..=len {
                let mut expected = [b' '; 8];
                expected[..len - i].copy_from_slice(&text[i..]);
                assert_eq!(super::tail_word(text, i), u64::from_le_bytes(expected), "len {len}, from {i}");
            }
        }
    }
}
