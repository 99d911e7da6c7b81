//! The YAML writer: a sink that prints events as block-style YAML.
//!
//! Mappings and sequences are written in block style (`key: value`, `- item`), with `{}` and `[]` for empty
//! ones; a mapping or sequence that is a sequence item starts on the item's line (`- a: 1`, `- - a`). Data from
//! other formats is written plain where a YAML 1.2 reader and a YAML 1.1 reader both read back the same string
//! or number, in quotes where not, and as literal blocks (`|`) when it holds several lines. YAML formatted as
//! YAML keeps the plain scalars, quotes and block styles its author chose where the value allows them, so
//! formatting does not churn scalars ([`WriteOptions::yaml11_safe`]).
//!
//! Nothing is built up: each event is written as it comes, into one buffer that reaches the [`Output`] in large
//! blocks. The only look-ahead YAML needs is whether a mapping or sequence is empty, which the next event
//! tells; the writer holds back the opening of a collection until then. Comments are held back the same way
//! until the writer knows on which line and at which indentation they belong.

use crate::bytes::{HIGHS, LOW7, ONES, find_byte, first, nonzero_bytes, word};
use crate::error::Error;
use crate::event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::output::Output;
use crate::yaml::schema::{core_kind, special_in_yaml11};
use alloc::vec::Vec;

/// How the YAML writer lays out its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Spaces per nesting level (taken as 1 when 0).
    pub indent: usize,
    /// Indent a sequence under its key (`key:\n  - a`) rather than level with it (`key:\n- a`).
    pub indent_sequences: bool,
    /// Keep comments.
    pub comments: bool,
    /// Write scalars so that YAML 1.1 readers (PyYAML, Ansible, older Kubernetes tools) read them as YAML 1.2
    /// readers do: strings that YAML 1.1 reads as something else in quotes (`"yes"`, `"on"`, `"0755"`), even when
    /// they came plain, and floats with an exponent respelled (`1e-07` becomes `1.0e-07`, `2.5E10` `2.5E+10`:
    /// YAML 1.1's floats need a point and a signed exponent). For data from other formats. Off for YAML formatted
    /// as YAML: what its author wrote plain stays plain (`on:`, `mode: 0755`), as prettier keeps it.
    pub yaml11_safe: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { indent: 2, indent_sequences: true, comments: true, yaml11_safe: true }
    }
}

/// A line break and the indentation of most lines.
static NEWLINE_SPACES: [u8; 129] = {
    let mut bytes = [b' '; 129];
    bytes[0] = b'\n';
    bytes
};

/// Output is handed to the [`Output`] in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// YAML allows an implicit key (`key: value`) of at most this many characters, properties included.
const IMPLICIT_KEY_MAX: usize = 1024;

/// An open mapping or sequence.
#[derive(Clone, Copy, Debug)]
struct Frame {
    map: bool,
    /// Column of the entries: keys or dashes.
    col: usize,
    /// Column of `{}` or `[]` when the collection turns out empty and cannot stay on the line it began on.
    empty_col: usize,
    /// No entry written yet.
    empty: bool,
    /// The first entry may start on the current line (`- a: 1`), as nothing was written after the indicator.
    inline: bool,
    /// In a mapping: the next node is a key.
    key_next: bool,
    /// In a mapping: the current key was written in the explicit form, so its value follows `: ` on a new line.
    explicit: bool,
    /// Opened with an anchor or a tag, which a reader takes for its start.
    props: bool,
}

/// Where a node goes: what the context around it dictates.
#[derive(Clone, Copy, Debug)]
struct Place {
    /// The node may start on the current line, after the indicator or key just written.
    inline: bool,
    /// Column of the node when it starts a line of its own.
    col: usize,
    /// Indentation of the enclosing collection, from which a block scalar's content is indented; `None` at the
    /// root, where an indentation indicator would be read differently by different parsers.
    parent: Option<usize>,
    /// Columns of the entries of a mapping or a sequence placed here.
    map_col: usize,
    seq_col: usize,
    /// A collection placed here may start its first entry on the current line.
    compact: bool,
}

/// A comment waiting for its place; its text is `pending_text[start..end]`.
#[derive(Clone, Copy, Debug)]
struct Pending {
    start: usize,
    end: usize,
    /// Goes at the end of the current line.
    trailing: bool,
    /// A blank line came before it.
    blank: bool,
    /// From a `/* */` comment: trailing whitespace of its lines is dropped.
    block: bool,
    /// Goes after the indicator that begins the next entry: it came where YAML has it on the line of a sequence's
    /// first dash (`- # note`), or of the `:` of an explicit key's value (`: # note`).
    indicator: bool,
}

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Plain,
    Single,
    Double,
    /// A literal block; `indicator` when the first line starts with white space.
    Literal {
        indicator: bool,
    },
}

/// Writes events as block-style YAML into an [`Output`].
#[derive(Debug)]
pub struct Writer<O> {
    out: O,
    buf: Vec<u8>,
    indent: usize,
    indent_sequences: bool,
    comments: bool,
    yaml11_safe: bool,
    /// The open collections, outermost first.
    stack: Vec<Frame>,
    /// The cursor is at the start of an empty line: the start of the output, or after a document.
    fresh: bool,
    /// The current line may take a trailing comment: it has content, and is not the last line of a block scalar.
    appendable: bool,
    /// The last line written ends a block scalar with keep chomping (`|+`), whose value a blank line would change.
    keep_block: bool,
    /// A blank line is due before the next line.
    blank: bool,
    /// Documents begun so far.
    documents: usize,
    /// The current document has `---`.
    marker: bool,
    /// A line other than `---` was written in the current document.
    doc_lines: bool,
    pending: Vec<Pending>,
    pending_text: Vec<u8>,
    /// Room for decoding JSON strings, reused.
    scratch: Vec<u8>,
    /// Where in `buf` the header of the block scalar just written ends. A reader reports a comment on the header
    /// line (`key: | # note`) after the scalar, when it can still go there.
    block_header: Option<usize>,
}

impl<O: Output> Writer<O> {
    /// A writer into `out`.
    pub fn new(out: O, options: WriteOptions) -> Self {
        Writer {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            indent: options.indent.max(1),
            indent_sequences: options.indent_sequences,
            comments: options.comments,
            yaml11_safe: options.yaml11_safe,
            stack: Vec::new(),
            fresh: true,
            appendable: false,
            keep_block: false,
            blank: false,
            documents: 0,
            marker: false,
            doc_lines: false,
            pending: Vec::new(),
            pending_text: Vec::new(),
            scratch: Vec::new(),
            block_header: None,
        }
    }

    /// Hands everything buffered to the output and returns it.
    pub fn finish(mut self) -> Result<O, Error> {
        self.flush()?;
        Ok(self.out)
    }

    #[inline(never)]
    fn flush(&mut self) -> Result<(), Error> {
        if !self.buf.is_empty() {
            self.out.write(&self.buf)?;
            self.buf.clear();
            self.block_header = None;
        }
        Ok(())
    }

    #[inline]
    fn spaces(&mut self, n: usize) {
        let mut n = n;
        while n > NEWLINE_SPACES.len() - 1 {
            self.buf.extend_from_slice(&NEWLINE_SPACES[1..]);
            n -= NEWLINE_SPACES.len() - 1;
        }
        self.buf.extend_from_slice(&NEWLINE_SPACES[1..1 + n]);
    }

    /// Starts a new line at `col`, after the blank line due, if any.
    #[inline]
    fn start_line(&mut self, col: usize) {
        if self.fresh || self.blank || col >= NEWLINE_SPACES.len() {
            return self.start_line_slow(col);
        }
        // The common case: one copy.
        self.buf.extend_from_slice(&NEWLINE_SPACES[..1 + col]);
        self.keep_block = false;
        self.doc_lines = true;
        self.appendable = true;
    }

    #[cold]
    fn start_line_slow(&mut self, col: usize) {
        if !self.fresh {
            self.buf.push(b'\n');
        }
        if self.blank && self.doc_lines && !self.keep_block {
            self.buf.push(b'\n');
        }
        self.blank = false;
        self.keep_block = false;
        self.fresh = false;
        self.doc_lines = true;
        self.appendable = true;
        self.spaces(col);
    }

    /// Starts a new line at `col`, after the comments waiting (each on a line of its own at `col`).
    #[inline]
    fn line(&mut self, col: usize) {
        if !self.pending.is_empty() {
            self.comment_lines(col);
        }
        self.start_line(col);
    }

    /// Separates what follows from what the current line holds: a space, or nothing at the start of a line.
    #[inline]
    fn space(&mut self) {
        if self.fresh {
            self.fresh = false;
            self.doc_lines = true;
        } else {
            self.buf.push(b' ');
        }
        self.appendable = true;
    }

    /// Writes a trailing comment waiting for the end of the current line.
    #[inline]
    fn flush_trailing(&mut self) {
        if !self.pending.is_empty() {
            self.write_trailing();
        }
    }

    #[cold]
    fn write_trailing(&mut self) {
        if let Some(&first) = self.pending.first()
            && first.trailing
            && !first.indicator
        {
            self.buf.extend_from_slice(b" #");
            self.buf.extend_from_slice(&self.pending_text[first.start..first.end]);
            self.appendable = false;
            self.pending.remove(0);
            if self.pending.is_empty() {
                self.pending_text.clear();
            }
        }
    }

    /// Writes the comments waiting, each line of each on a line of its own at `col`.
    #[cold]
    fn comment_lines(&mut self, col: usize) {
        self.flush_trailing();
        self.first_comment_lines(self.pending.len(), col);
    }

    /// Writes the first `count` comments waiting (none trailing), each line of each on a line of its own at `col`.
    fn first_comment_lines(&mut self, count: usize, col: usize) {
        let blank_after = core::mem::take(&mut self.blank);
        for i in 0..count {
            let p = self.pending[i];
            self.blank = p.blank;
            let mut from = p.start;
            loop {
                let end = self.pending_text[from..p.end].iter().position(|&b| b == b'\n').map_or(p.end, |n| from + n);
                let mut line = &self.pending_text[from..end];
                line = line.strip_suffix(b"\r").unwrap_or(line);
                if p.block {
                    while let [rest @ .., b' ' | b'\t'] = line {
                        line = rest;
                    }
                }
                let len = line.len();
                self.start_line(col);
                self.buf.push(b'#');
                self.buf.extend_from_slice(&self.pending_text[from..from + len]);
                if end == p.end {
                    break;
                }
                from = end + 1;
            }
        }
        self.pending.drain(..count);
        if self.pending.is_empty() {
            self.pending_text.clear();
        }
        self.blank = blank_after;
        if count > 0 {
            self.appendable = false;
        }
    }

    #[cold]
    fn comment(&mut self, comment: &Comment<'_>) {
        let block = comment.style == CommentStyle::Block;
        let mut text = comment.text;
        if block {
            text = text.trim_ascii_end();
        }
        let one_line = !text.iter().any(|&b| b == b'\n' || b == b'\r');
        // (A sequence's properties start it too: a comment after them may stay on their line.)
        let next_indicator = self.stack.last().is_some_and(|top| {
            if top.map { top.explicit && !top.key_next } else { top.empty && !(top.props && self.appendable) }
        });
        if let Some(at) = self.block_header.take()
            && comment.trailing
            && one_line
            && self.pending.is_empty()
        {
            let mut line = Vec::with_capacity(text.len() + 2);
            line.extend_from_slice(b" #");
            line.extend_from_slice(text);
            self.buf.splice(at..at, line);
            return;
        }
        let indicator = comment.trailing && one_line && next_indicator && self.pending.is_empty();
        let trailing = indicator || (comment.trailing && one_line && self.appendable && self.pending.is_empty());
        let blank = (indicator || !trailing) && core::mem::take(&mut self.blank);
        let start = self.pending_text.len();
        self.pending_text.extend_from_slice(text);
        let end = self.pending_text.len();
        self.pending.push(Pending { start, end, trailing, blank, block, indicator });
    }

    fn blank_line(&mut self) {
        // After a `|+` block, an empty line would join its value; once a comment has ended the block, it may not.
        if !(self.keep_block && self.pending.is_empty()) {
            self.blank = true;
        }
    }

    #[cold]
    fn document_start(&mut self, explicit: bool) {
        self.flush_trailing();
        if !self.pending.is_empty() {
            self.comment_lines(0);
        }
        self.blank = false;
        self.doc_lines = false;
        self.marker = explicit || self.documents > 0;
        self.documents += 1;
        if self.marker {
            self.start_line(0);
            self.buf.extend_from_slice(b"---");
            self.doc_lines = false;
        }
    }

    #[cold]
    fn document_end(&mut self, explicit: bool) {
        self.stack.clear();
        self.end_of_text();
        if explicit {
            self.buf.extend_from_slice(b"...\n");
        }
    }

    /// Writes what is waiting and ends the last line.
    fn end_of_text(&mut self) {
        self.flush_trailing();
        if !self.pending.is_empty() {
            self.comment_lines(0);
        }
        if !self.fresh {
            self.buf.push(b'\n');
            self.fresh = true;
        }
        self.appendable = false;
        self.keep_block = false;
        self.blank = false;
    }

    /// Begins an entry of the innermost collection at `col`: on the current line when the collection's first
    /// entry may start there and nothing waits to be written first, else on a new line after what waits.
    #[inline]
    fn entry(&mut self, col: usize) {
        // A comment that goes after the indicator is written once the indicator is.
        let indicator = self.pending.first().is_some_and(|p| p.indicator);
        let mut inline = false;
        if let Some(top) = self.stack.last_mut() {
            inline = top.inline && (indicator || self.pending.is_empty());
            top.inline = false;
            top.empty = false;
        }
        if inline {
            self.space();
            self.blank = false;
        } else if indicator {
            // A blank line that came before the comment waiting for the indicator goes before the indicator's
            // line; one that came after the comments waiting goes after them, before the entry's node.
            let after = core::mem::take(&mut self.blank);
            self.blank = self.pending.first().is_some_and(|p| p.blank);
            self.start_line(col);
            self.blank = after;
        } else {
            self.flush_trailing();
            self.line(col);
        }
    }

    /// Lets a comment that waits for an indicator go at the end of the current line.
    #[inline]
    fn indicator_written(&mut self) {
        if let Some(first) = self.pending.first_mut() {
            first.indicator = false;
        }
    }

    /// A place right after a block indicator (`-`, `?`, `:`) written at `col`.
    #[inline]
    fn after_indicator(col: usize) -> Place {
        Place { inline: true, col: col + 2, parent: Some(col), map_col: col + 2, seq_col: col + 2, compact: true }
    }

    /// Finds the place of the next node, writing the prefix of its entry (`-`, `?`, `:`) on the way. Returns
    /// `None` for a mapping key that goes in the implicit form, which the caller writes.
    #[inline]
    fn place(&mut self, explicit_key: bool) -> Option<Place> {
        let Some(&top) = self.stack.last() else {
            return Some(Place {
                inline: self.fresh || self.appendable,
                col: 0,
                parent: None,
                map_col: 0,
                seq_col: 0,
                compact: self.fresh,
            });
        };
        if !top.map {
            self.entry(top.col);
            self.buf.push(b'-');
            self.indicator_written();
            return Some(Self::after_indicator(top.col));
        }
        if top.key_next {
            self.entry(top.col);
            if !explicit_key {
                return None;
            }
            if let Some(top) = self.stack.last_mut() {
                top.explicit = true;
            }
            self.buf.push(b'?');
            return Some(Self::after_indicator(top.col));
        }
        if top.explicit {
            self.entry(top.col);
            self.buf.push(b':');
            self.indicator_written();
            return Some(Self::after_indicator(top.col));
        }
        let seq_col = if self.indent_sequences { top.col + self.indent } else { top.col };
        Some(Place {
            inline: true,
            col: top.col + self.indent,
            parent: Some(top.col),
            map_col: top.col + self.indent,
            seq_col,
            compact: false,
        })
    }

    /// Writes the properties of a node placed at `place`; after them the node may follow on the same line.
    #[inline]
    fn props(&mut self, place: &mut Place, props: &Props<'_>) {
        if props.anchor.is_none() && props.tag.is_none() {
            return;
        }
        if place.inline {
            self.space();
        } else {
            self.flush_trailing();
            self.line(place.col);
        }
        place.inline = true;
        write_props(&mut self.buf, props);
    }

    /// Updates the innermost collection once a node in it is complete.
    #[inline]
    fn after_node(&mut self) {
        if let Some(top) = self.stack.last_mut()
            && top.map
        {
            top.key_next = !top.key_next;
            if top.key_next {
                top.explicit = false;
            }
        }
    }

    #[inline]
    fn open(&mut self, map: bool, props: &Props<'_>) {
        let Some(mut place) = self.place(true) else { return };
        let bare = props.anchor.is_none() && props.tag.is_none();
        self.props(&mut place, props);
        let inline = place.compact && bare && self.pending.is_empty();
        // A comment after the key (or the properties) stays on that line; the entries begin below it.
        self.flush_trailing();
        let col = if map { place.map_col } else { place.seq_col };
        let frame = Frame {
            map,
            col,
            empty_col: place.col,
            empty: true,
            inline,
            key_next: true,
            explicit: false,
            props: !bare,
        };
        self.stack.push(frame);
    }

    #[inline]
    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else { return };
        self.indicator_written();
        if frame.empty {
            if self.fresh || self.appendable {
                self.space();
            } else {
                self.line(frame.empty_col);
            }
            self.buf.extend_from_slice(if frame.map { b"{}" } else { b"[]" });
            self.flush_trailing();
        } else {
            // Comments after the last entry stay inside the collection, at its indentation, up to one after a
            // blank line: that one, and those after it, introduce what follows (as a reader takes them).
            self.flush_trailing();
            if !self.pending.is_empty() {
                let inside = self.pending.iter().position(|p| p.blank).unwrap_or(self.pending.len());
                self.first_comment_lines(inside, frame.col);
            }
        }
        self.after_node();
    }

    fn alias(&mut self, name: &[u8]) {
        match self.place(false) {
            None => {
                let start = self.buf.len();
                self.buf.push(b'*');
                self.buf.extend_from_slice(name);
                self.end_key(start, true);
            }
            Some(place) => {
                self.before_text(&place);
                self.buf.push(b'*');
                self.buf.extend_from_slice(name);
            }
        }
        self.after_node();
    }

    /// Ends the implicit key written from `start` in the buffer with `:`, or turns it into an explicit key when it
    /// is too long for the implicit form.
    fn end_key(&mut self, start: usize, alias: bool) {
        let written = &self.buf[start..];
        if written.len() > IMPLICIT_KEY_MAX
            && written.iter().filter(|&&b| (b as i8) >= -0x40).count() > IMPLICIT_KEY_MAX
        {
            self.buf.splice(start..start, *b"? ");
            if let Some(top) = self.stack.last_mut() {
                top.explicit = true;
            }
        } else if alias {
            // A colon right after an alias would be read as part of its name.
            self.buf.extend_from_slice(b" :");
        } else {
            self.buf.push(b':');
        }
        self.appendable = true;
    }

    #[inline]
    fn scalar(&mut self, scalar: &Scalar<'_>) {
        let is_string = matches!(scalar.kind, ScalarKind::String | ScalarKind::DateTime)
            || !matches!(scalar.style, ScalarStyle::Plain | ScalarStyle::Decoded);
        // An empty null has no text to stand on: as a key it takes the explicit form, and as the root of a
        // document it needs `---`, without which the document would vanish.
        let empty = !is_string && scalar.text.is_empty();
        let bare = scalar.props.anchor.is_none() && scalar.props.tag.is_none();
        if empty && bare && self.stack.is_empty() && !self.marker {
            self.flush_trailing();
            self.line(0);
            self.buf.extend_from_slice(b"---");
            self.marker = true;
            self.doc_lines = false;
        }
        match self.place(empty) {
            None => {
                let start = self.buf.len();
                if !bare {
                    write_props(&mut self.buf, &scalar.props);
                    self.buf.push(b' ');
                }
                self.scalar_text(scalar, is_string, None);
                self.end_key(start, false);
            }
            Some(mut place) => {
                // Comments before a scalar go before its properties too: a reader reports a comment after the
                // properties after the scalar, so that the comment would move on the next formatting.
                if !bare && !self.pending.is_empty() {
                    place.inline = false;
                }
                self.props(&mut place, &scalar.props);
                self.scalar_text(scalar, is_string, Some(&place));
            }
        }
        self.after_node();
    }

    /// Writes a scalar's text at `place` (after its properties), or in key position when `place` is `None`, in
    /// the form its value and position allow.
    #[inline]
    fn scalar_text(&mut self, scalar: &Scalar<'_>, is_string: bool, place: Option<&Place>) {
        if !is_string {
            if scalar.text.is_empty() {
                self.flush_trailing();
            } else {
                if let Some(place) = place {
                    self.before_text(place);
                }
                let tagged = scalar.props.tag.is_some();
                write_number(&mut self.buf, scalar.text, scalar.kind, tagged, self.yaml11_safe);
            }
            return;
        }
        let mut scratch = core::mem::take(&mut self.scratch);
        self.string(scalar.decode_into(&mut scratch), scalar.style, place);
        self.scratch = scratch;
    }

    /// Writes the decoded string `text` at `place`, or in key position when `place` is `None`.
    fn string(&mut self, text: &[u8], style: ScalarStyle, place: Option<&Place>) {
        let parent = place.and_then(|p| p.parent);
        let form = choose_form(text, style, place.is_none(), parent.is_some(), self.yaml11_safe);
        let Some(place) = place else {
            match form {
                Form::Single => write_single(&mut self.buf, text),
                Form::Double => write_double(&mut self.buf, text),
                Form::Plain | Form::Literal { .. } => self.buf.extend_from_slice(text),
            }
            return;
        };
        match form {
            Form::Plain => {
                self.before_text(place);
                self.buf.extend_from_slice(text);
            }
            Form::Single => {
                self.before_text(place);
                write_single(&mut self.buf, text);
            }
            Form::Double => {
                self.before_text(place);
                write_double(&mut self.buf, text);
            }
            Form::Literal { indicator } => self.literal(text, place, indicator),
        }
    }

    /// Writes `text` as a literal block scalar.
    #[cold]
    fn literal(&mut self, text: &[u8], place: &Place, indicator: bool) {
        // The header may stand on the line of the key or indicator, unless comments must come between.
        let own_line = !(place.inline && self.pending.iter().all(|p| p.trailing));
        if own_line {
            self.flush_trailing();
            self.line(place.col);
        } else {
            self.space();
        }
        // Content is indented from the enclosing collection (by at most 9, the largest indicator), and deeper
        // than a header on a line of its own.
        let content_col = match place.parent {
            None => self.indent,
            Some(p) if own_line => (place.col + self.indent).min(p + 9),
            Some(p) => p + self.indent.min(9),
        };
        let newlines = text.iter().rev().take_while(|&&b| b == b'\n').count();
        self.buf.push(b'|');
        if indicator && let Some(p) = place.parent {
            self.buf.push(b'0' + (content_col - p) as u8);
        }
        match newlines {
            0 => self.buf.push(b'-'),
            1 => {}
            _ => self.buf.push(b'+'),
        }
        // A comment that came after the key stays on the header line; else one may come on the next event.
        self.flush_trailing();
        if self.appendable {
            self.block_header = Some(self.buf.len());
        }
        let body = if newlines > 0 { &text[..text.len() - 1] } else { text };
        let mut from = 0;
        loop {
            let end = find_byte(body, from, b'\n').unwrap_or(body.len());
            self.buf.push(b'\n');
            if end > from {
                self.spaces(content_col);
                self.buf.extend_from_slice(&body[from..end]);
            }
            if end == body.len() {
                break;
            }
            from = end + 1;
        }
        self.appendable = false;
        if newlines > 1 {
            self.keep_block = true;
            self.blank = false;
        }
    }

    /// Positions the cursor for a node written on one line at `place`: right there, or on a line of its own
    /// when comments must come first.
    #[inline]
    fn before_text(&mut self, place: &Place) {
        if place.inline && self.pending.is_empty() {
            self.space();
            self.blank = false;
        } else {
            self.flush_trailing();
            self.line(place.col);
        }
    }
}

impl<O: Output> Sink for Writer<O> {
    // Inlined into the reader, each call site's event kind is known and the dispatch folds away.
    #[inline(always)]
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        if !matches!(event.kind, EventKind::Comment(_)) {
            self.block_header = None;
        }
        match event.kind {
            EventKind::Scalar(scalar) => self.scalar(&scalar),
            EventKind::MappingStart(props) => self.open(true, &props),
            EventKind::SequenceStart(props) => self.open(false, &props),
            EventKind::MappingEnd | EventKind::SequenceEnd => self.close(),
            EventKind::Alias(name) => self.alias(name),
            EventKind::Comment(comment) => {
                if self.comments {
                    self.comment(&comment);
                }
            }
            EventKind::BlankLine => self.blank_line(),
            EventKind::DocumentStart { explicit } => self.document_start(explicit),
            EventKind::DocumentEnd { explicit } => self.document_end(explicit),
            EventKind::StreamStart => {}
            EventKind::StreamEnd => {
                self.end_of_text();
                return self.flush().map_err(|e| e.placed(event.span));
            }
        }
        if self.buf.len() >= FLUSH_AT {
            self.flush().map_err(|e| e.placed(event.span))?;
        }
        Ok(())
    }
}

/// What a string's text allows, found in one pass.
#[derive(Clone, Copy, Debug)]
struct Shape {
    /// Safe as a plain scalar, before the question of what a plain scalar resolves to.
    plain: bool,
    /// Fits in single quotes: printable, no line break.
    single: bool,
    /// Fits in a literal block: printable, no white space at the end of a line, at least one non-empty line.
    literal: bool,
    /// Holds a line feed.
    lines: bool,
    /// The first non-empty line starts with white space, which a literal block must announce.
    indented: bool,
}

/// Bytes that need a look in [`shape`]: controls, `#`, `:`, DEL, and the lead bytes of the non-ASCII
/// characters that must be escaped (C1 controls, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF).
static NOTABLE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'#' as usize] = true;
    table[b':' as usize] = true;
    table[0x7f] = true;
    table[0xc2] = true;
    table[0xe2] = true;
    table[0xef] = true;
    table
};

/// The length of the character at `text[i..]` when it must be escaped in any YAML scalar: a C1 control
/// (U+0080 to U+009F, including NEL, a line break to YAML 1.1), the line and paragraph separators U+2028 and
/// U+2029 (line breaks to YAML 1.1), the byte order mark U+FEFF, and the non-characters U+FFFE and U+FFFF.
#[inline]
fn escaped_char_len(text: &[u8], i: usize) -> Option<usize> {
    match (text.get(i), text.get(i + 1), text.get(i + 2)) {
        (Some(0xc2), Some(0x80..=0x9f), _) => Some(2),
        (Some(0xe2), Some(0x80), Some(0xa8 | 0xa9)) => Some(3),
        (Some(0xef), Some(0xbb), Some(0xbf)) | (Some(0xef), Some(0xbf), Some(0xbe | 0xbf)) => Some(3),
        _ => None,
    }
}

/// High bit set in each byte of `w` that is below `n` (at most 0x80); exact for every byte.
#[inline(always)]
fn bytes_below(w: u64, n: u8) -> u64 {
    !((w & LOW7) + ONES * u64::from(0x80 - n)) & !w & HIGHS
}

/// High bit set in each byte of `w` that equals `b`; exact for every byte.
#[inline(always)]
fn bytes_equal(w: u64, b: u8) -> u64 {
    !nonzero_bytes(w ^ (ONES * u64::from(b))) & HIGHS
}

/// High bit set in each byte of `w` that leads a character [`escaped_char_len`] may flag; zero for ASCII.
#[inline(always)]
fn escape_leads(w: u64) -> u64 {
    if w & HIGHS == 0 { 0 } else { bytes_equal(w, 0xc2) | bytes_equal(w, 0xe2) | bytes_equal(w, 0xef) }
}

/// High bit set in each byte of `w` that [`NOTABLE`] flags.
#[inline(always)]
fn notable_bytes(w: u64) -> u64 {
    bytes_below(w, 0x20) | bytes_equal(w, b'#') | bytes_equal(w, b':') | bytes_equal(w, 0x7f) | escape_leads(w)
}

/// High bit set in each byte of `w` that [`write_double`] escapes, or that starts a character it may escape.
#[inline(always)]
fn double_bytes(w: u64) -> u64 {
    bytes_below(w, 0x20) | bytes_equal(w, b'"') | bytes_equal(w, b'\\') | bytes_equal(w, 0x7f) | escape_leads(w)
}

fn shape(text: &[u8]) -> Shape {
    let mut plain = true;
    let mut printable = true;
    let mut lines = false;
    let mut trailing_space = false;
    let mut i = 0;
    while i < text.len() {
        // Runs of ordinary bytes, the bulk of most text, are passed eight at a time.
        if i + 8 <= text.len() {
            let notable = notable_bytes(word(text, i));
            if notable == 0 {
                i += 8;
                continue;
            }
            i += first(notable);
        }
        let b = text[i];
        i += 1;
        if !NOTABLE[usize::from(b)] {
            continue;
        }
        let i = i - 1;
        match b {
            b'\n' => {
                lines = true;
                if i > 0 && matches!(text[i - 1], b' ' | b'\t') {
                    trailing_space = true;
                }
            }
            b'\t' => plain = false,
            b'#' => {
                if i > 0 && text[i - 1] == b' ' {
                    plain = false;
                }
            }
            b':' => {
                if matches!(text.get(i + 1), None | Some(b' ')) {
                    plain = false;
                }
            }
            0xc2 | 0xe2 | 0xef => {
                if escaped_char_len(text, i).is_some() {
                    printable = false;
                }
            }
            _ => printable = false,
        }
    }
    let last = text.last().copied();
    plain &= printable && !lines;
    plain &= match text.first() {
        None | Some(b' ') => false,
        Some(b'-' | b'?' | b':') => !matches!(text.get(1), None | Some(b' ')),
        Some(&b) => !INDICATOR[usize::from(b)],
    };
    plain &= last != Some(b' ') && !text.starts_with(b"---") && !text.starts_with(b"...");
    let first_content = text.iter().find(|&&b| b != b'\n').copied();
    trailing_space |= matches!(last, Some(b' ' | b'\t'));
    Shape {
        plain,
        single: printable && !lines,
        literal: printable && !trailing_space && first_content.is_some(),
        lines,
        indented: matches!(first_content, Some(b' ' | b'\t')),
    }
}

/// The indicators that a plain scalar cannot start with (`-`, `?` and `:` can, before a non-space).
static INDICATOR: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b",[]{}#&*!|>'\"%@`";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// First bytes of the texts that [`special_in_yaml11`] may flag: numbers, `~`, the words of YAML 1.1's nulls and
/// bools, `<<` and `=`.
static MAYBE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let firsts = b"0123456789+-.~nNtTfFyYoO<=";
    let mut i = 0;
    while i < firsts.len() {
        table[firsts[i] as usize] = true;
        i += 1;
    }
    table
};

/// [`special_in_yaml11`], with the common case decided fast: a text that starts with a letter is special only as
/// one of YAML 1.1's words for null and the booleans (`null`, `yes`, `off`, `False`...), none longer than five.
#[inline]
fn maybe_special(text: &[u8]) -> bool {
    let Some(&first) = text.first() else { return true };
    MAYBE_SPECIAL[usize::from(first)] && (text.len() <= 5 || !first.is_ascii_alphabetic()) && special_in_yaml11(text)
}

/// The form of a string: the user's quotes or block when they fit, else plain when that reads back as the
/// same string under YAML 1.1 and 1.2, else a literal block for several lines, else double quotes.
fn choose_form(text: &[u8], style: ScalarStyle, key: bool, nested: bool, yaml11_safe: bool) -> Form {
    let shape = shape(text);
    // The root has no indentation to count an indicator from that every parser agrees on.
    let literal_ok = !key && shape.literal && (nested || !shape.indented);
    let literal = Form::Literal { indicator: shape.indented };
    match style {
        ScalarStyle::SingleQuoted if shape.single => return Form::Single,
        ScalarStyle::DoubleQuoted => return Form::Double,
        ScalarStyle::Literal | ScalarStyle::Folded if literal_ok => return literal,
        // A merge key stays one: quoted, it would be an ordinary key.
        ScalarStyle::Plain if text == b"<<" && shape.plain => return Form::Plain,
        // A string its author wrote plain stays plain where YAML 1.2 still reads it as this string (`on`, `0755`).
        ScalarStyle::Plain if !yaml11_safe && shape.plain && core_kind(text) == ScalarKind::String => {
            return Form::Plain;
        }
        _ => {}
    }
    if shape.plain && !maybe_special(text) {
        Form::Plain
    } else if shape.lines && literal_ok {
        literal
    } else {
        // Double quotes, as JSON writes strings: `"yes"`, `"0755"`.
        Form::Double
    }
}

/// Writes `&anchor` and the tag, separated by a space.
fn write_props(buf: &mut Vec<u8>, props: &Props<'_>) {
    if let Some(anchor) = props.anchor {
        buf.push(b'&');
        buf.extend_from_slice(anchor);
        if props.tag.is_some() {
            buf.push(b' ');
        }
    }
    if let Some(tag) = props.tag {
        write_tag(buf, tag);
    }
}

/// Writes a resolved tag: `!!x` for YAML's own `tag:yaml.org,2002:x`, a local tag (`!x`, or `!` alone, the
/// non-specific tag) as it is, any other in the verbatim form `!<...>`.
fn write_tag(buf: &mut Vec<u8>, tag: &[u8]) {
    const YAML: &[u8] = b"tag:yaml.org,2002:";
    // The characters a tag shorthand may hold: URI characters, but neither `!` nor a flow indicator.
    let shorthand = |b: &u8| b.is_ascii_alphanumeric() || b"-#;/?:@&=+$_.~*'()%".contains(b);
    if let Some(suffix) = tag.strip_prefix(YAML)
        && !suffix.is_empty()
        && suffix.iter().all(shorthand)
    {
        buf.extend_from_slice(b"!!");
        buf.extend_from_slice(suffix);
    } else if tag.first() == Some(&b'!') {
        buf.extend_from_slice(tag);
    } else {
        buf.extend_from_slice(b"!<");
        buf.extend_from_slice(tag);
        buf.push(b'>');
    }
}

/// Writes `text` in single quotes, each `'` doubled.
fn write_single(buf: &mut Vec<u8>, text: &[u8]) {
    buf.push(b'\'');
    let mut from = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\'' {
            buf.extend_from_slice(&text[from..=i]);
            buf.push(b'\'');
            from = i + 1;
        }
    }
    buf.extend_from_slice(&text[from..]);
    buf.push(b'\'');
}

/// Writes `text` in double quotes: `\"`, `\\`, `\n`, `\t`, `\r`, `\xXX` for the other C0 controls, DEL and the
/// C1 controls (NEL included), `\uXXXX` for U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF.
fn write_double(buf: &mut Vec<u8>, text: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    buf.push(b'"');
    let mut from = 0;
    let mut i = 0;
    while i < text.len() {
        if i + 8 <= text.len() {
            let escapes = double_bytes(word(text, i));
            if escapes == 0 {
                i += 8;
                continue;
            }
            i += first(escapes);
        }
        let b = text[i];
        let len = match b {
            b'"' | b'\\' | 0..=0x1f | 0x7f => 1,
            0xc2 | 0xe2 | 0xef => match escaped_char_len(text, i) {
                Some(len) => len,
                None => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&text[from..i]);
        match (b, len) {
            (b'"', _) => buf.extend_from_slice(b"\\\""),
            (b'\\', _) => buf.extend_from_slice(b"\\\\"),
            (b'\n', _) => buf.extend_from_slice(b"\\n"),
            (b'\t', _) => buf.extend_from_slice(b"\\t"),
            (b'\r', _) => buf.extend_from_slice(b"\\r"),
            (_, 3) => {
                let code =
                    (u32::from(b & 0x0f) << 12) | (u32::from(text[i + 1] & 0x3f) << 6) | u32::from(text[i + 2] & 0x3f);
                buf.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    buf.push(HEX[((code >> shift) & 0xf) as usize]);
                }
            }
            _ => {
                // One byte, or a C1 control: U+0080 to U+009F, whose second byte carries the low six bits.
                let code = if len == 2 { 0x80 | (text[i + 1] & 0x3f) } else { b };
                buf.extend_from_slice(b"\\x");
                buf.push(HEX[usize::from(code >> 4)]);
                buf.push(HEX[usize::from(code & 0xf)]);
            }
        }
        i += len;
        from = i;
    }
    buf.extend_from_slice(&text[from..]);
    buf.push(b'"');
}

/// Writes a float with an exponent as YAML 1.1 reads it, and YAML 1.2 the same: a point in the mantissa (`1` →
/// `1.0`) and a sign in the exponent (`e5` → `e+5`); underscores (TOML's) are dropped. Returns false, having
/// written nothing, for any other text (no exponent, `inf`, `nan`, an unexpected spelling).
fn write_yaml11_float(buf: &mut Vec<u8>, text: &[u8]) -> bool {
    let Some(e) = text.iter().position(|&b| b == b'e' || b == b'E') else { return false };
    let (mantissa, exponent) = (&text[..e], &text[e + 1..]);
    let unsigned = |t: &[u8]| t.first().is_some_and(u8::is_ascii_digit);
    let digits_or = |t: &[u8], other: u8| t.iter().all(|&b| b.is_ascii_digit() || b == b'_' || b == other);
    let body = mantissa.strip_prefix(b"-").or_else(|| mantissa.strip_prefix(b"+")).unwrap_or(mantissa);
    let exp_body = exponent.strip_prefix(b"-").or_else(|| exponent.strip_prefix(b"+")).unwrap_or(exponent);
    let points = body.iter().filter(|&&b| b == b'.').count();
    if !unsigned(body) || points > 1 || !digits_or(body, b'.') || !unsigned(exp_body) || !digits_or(exp_body, b'_') {
        return false;
    }
    let needs_point = points == 0;
    let needs_sign = exp_body.len() == exponent.len();
    if !needs_point && !needs_sign && find_byte(text, 0, b'_').is_none() {
        buf.extend_from_slice(text);
        return true;
    }
    buf.extend(mantissa.iter().filter(|&&b| b != b'_'));
    if needs_point {
        buf.extend_from_slice(b".0");
    }
    buf.push(text[e]);
    if needs_sign {
        buf.push(b'+');
    }
    buf.extend(exponent.iter().filter(|&&b| b != b'_'));
    true
}

/// Writes the text of a number, bool or null. Text from YAML or JSON is already what YAML's core schema reads
/// as that kind; spellings of other formats that it would read as strings (TOML's `1_000`, `0b101`, `inf`,
/// `nan`) are respelled, and with `yaml11_safe` so are floats with an exponent ([`write_yaml11_float`]). A tagged
/// node keeps its text: the tag says what it is.
fn write_number(buf: &mut Vec<u8>, text: &[u8], kind: ScalarKind, tagged: bool, yaml11_safe: bool) {
    if yaml11_safe && kind == ScalarKind::Float && !tagged && write_yaml11_float(buf, text) {
        return;
    }
    // Neither YAML's nor JSON's numbers hold an underscore, start with `0b` or end in a letter other than the
    // digits of a hexadecimal or the `.inf` and `.nan` that need no change.
    let binary = |t: &[u8]| t.starts_with(b"0b") || t.get(1..).is_some_and(|t| t.starts_with(b"0b"));
    let other = matches!(kind, ScalarKind::Integer | ScalarKind::Float)
        && !tagged
        && (binary(text) || matches!(text, [.., b'f' | b'n']) || find_byte(text, 0, b'_').is_some());
    if !other || core_kind(text) == kind {
        buf.extend_from_slice(text);
        return;
    }
    let (sign, body) = match text.first() {
        Some(b'-' | b'+') => text.split_at(1),
        _ => (&text[..0], text),
    };
    if kind == ScalarKind::Float {
        match body {
            b"inf" => {
                buf.extend_from_slice(sign);
                buf.extend_from_slice(b".inf");
                return;
            }
            b"nan" => {
                buf.extend_from_slice(b".nan");
                return;
            }
            _ => {}
        }
    }
    if let Some(binary) = body.strip_prefix(b"0b") {
        let mut value: u64 = 0;
        let mut digits = 0;
        for &b in binary {
            match b {
                b'0' | b'1' if value.leading_zeros() > 0 => {
                    value = value << 1 | u64::from(b - b'0');
                    digits += 1;
                }
                b'_' => {}
                _ => {
                    digits = 0;
                    break;
                }
            }
        }
        if digits > 0 {
            let mut decimal = [0u8; 20];
            let mut at = decimal.len();
            loop {
                at -= 1;
                decimal[at] = b'0' + (value % 10) as u8;
                value /= 10;
                if value == 0 {
                    break;
                }
            }
            buf.extend_from_slice(sign);
            buf.extend_from_slice(&decimal[at..]);
            return;
        }
    }
    buf.extend(text.iter().filter(|&&b| b != b'_'));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::CommentStyle;
    use crate::source::Span;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;

    #[test]
    fn floats_with_an_exponent_are_spelled_for_yaml_1_1_readers() {
        for (text, want) in [
            ("1e-07", Some("1.0e-07")),
            ("1E5", Some("1.0E+5")),
            ("2.5e10", Some("2.5e+10")),
            ("-2.5e-10", Some("-2.5e-10")),
            ("+1e400", Some("+1.0e+400")),
            ("1_000.5e1_0", Some("1000.5e+10")),
            ("1.e5", Some("1.e+5")),
            ("1.5", None),
            ("10", None),
            ("inf", None),
            (".nan", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("1.2.3e4", None),
            ("0x1e5", None),
        ] {
            let mut buf = Vec::new();
            let wrote = write_yaml11_float(&mut buf, text.as_bytes());
            assert_eq!(wrote.then(|| String::from_utf8(buf.clone()).unwrap()).as_deref(), want, "{text}");
            if !wrote {
                assert!(buf.is_empty(), "{text}");
            }
        }
        // Through the writer: on by default, off for YAML formatted as YAML.
        let events = [SEQ, number("1e-07", ScalarKind::Float), number("1E5", ScalarKind::Float), SEND];
        assert_eq!(write_stream(&events, WriteOptions::default()), "- 1.0e-07\n- 1.0E+5\n");
        let as_written = WriteOptions { yaml11_safe: false, ..WriteOptions::default() };
        assert_eq!(write_stream(&events, as_written), "- 1e-07\n- 1E5\n");
        // A tag says what the node is: its text stays.
        let tagged = [SEQ, with_props(number("1e5", ScalarKind::Float), None, Some("!!float")), SEND];
        assert_eq!(write_stream(&tagged, WriteOptions::default()), "- !!float 1e5\n");
    }

    #[test]
    fn plain_strings_stay_plain_when_formatting_yaml() {
        let events = [MAP, plain("on"), plain("yes"), plain("t"), plain("12:30"), MEND];
        let as_written = WriteOptions { yaml11_safe: false, ..WriteOptions::default() };
        assert_eq!(write_stream(&events, as_written), "on: yes\nt: 12:30\n");
        // For YAML 1.1 readers (data from other formats), quoted.
        assert_eq!(write_stream(&events, WriteOptions::default()), "\"on\": \"yes\"\nt: \"12:30\"\n");
        // A plain string that YAML 1.2 reads as something else (`!!str 123`, a string by its tag only) is quoted
        // either way, and so is one whose characters cannot be plain.
        let tagged = [SEQ, with_props(styled("123", ScalarStyle::Plain), None, Some("tag:yaml.org,2002:str")), SEND];
        assert_eq!(write_stream(&tagged, as_written), "- !!str \"123\"\n");
        let odd = [SEQ, styled("a: b", ScalarStyle::Plain), SEND];
        assert_eq!(write_stream(&odd, as_written), "- \"a: b\"\n");
    }

    // Builders for hand-made event streams.

    fn plain(text: &str) -> EventKind<'_> {
        EventKind::Scalar(Scalar {
            text: text.as_bytes(),
            kind: core_kind(text.as_bytes()),
            style: ScalarStyle::Plain,
            props: Props::NONE,
        })
    }

    fn styled(text: &str, style: ScalarStyle) -> EventKind<'_> {
        EventKind::Scalar(Scalar { text: text.as_bytes(), kind: ScalarKind::String, style, props: Props::NONE })
    }

    fn string(text: &str) -> EventKind<'_> {
        styled(text, ScalarStyle::Decoded)
    }

    fn number(text: &str, kind: ScalarKind) -> EventKind<'_> {
        EventKind::Scalar(Scalar { text: text.as_bytes(), kind, style: ScalarStyle::Plain, props: Props::NONE })
    }

    fn with_props<'a>(event: EventKind<'a>, anchor: Option<&'a str>, tag: Option<&'a str>) -> EventKind<'a> {
        let props = Props { anchor: anchor.map(str::as_bytes), tag: tag.map(str::as_bytes) };
        match event {
            EventKind::Scalar(s) => EventKind::Scalar(Scalar { props, ..s }),
            EventKind::MappingStart(_) => EventKind::MappingStart(props),
            EventKind::SequenceStart(_) => EventKind::SequenceStart(props),
            other => other,
        }
    }

    const MAP: EventKind<'static> = EventKind::MappingStart(Props::NONE);
    const SEQ: EventKind<'static> = EventKind::SequenceStart(Props::NONE);
    const MEND: EventKind<'static> = EventKind::MappingEnd;
    const SEND: EventKind<'static> = EventKind::SequenceEnd;
    const BLANK: EventKind<'static> = EventKind::BlankLine;

    fn comment(text: &str) -> EventKind<'_> {
        EventKind::Comment(Comment { text: text.as_bytes(), style: CommentStyle::Line, trailing: false })
    }

    fn trailing(text: &str) -> EventKind<'_> {
        EventKind::Comment(Comment { text: text.as_bytes(), style: CommentStyle::Line, trailing: true })
    }

    /// Writes `events` as they are, between a stream start and end.
    fn write_stream(events: &[EventKind<'_>], options: WriteOptions) -> String {
        let mut writer = Writer::new(Vec::new(), options);
        let all = [EventKind::StreamStart].into_iter().chain(events.iter().copied()).chain([EventKind::StreamEnd]);
        for kind in all {
            writer.event(Event::new(kind, Span::at(0))).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    /// Writes `events` as one implicit document.
    fn write_doc(events: &[EventKind<'_>]) -> String {
        let mut all = vec![EventKind::DocumentStart { explicit: false }];
        all.extend_from_slice(events);
        all.push(EventKind::DocumentEnd { explicit: false });
        write_stream(&all, WriteOptions::default())
    }

    /// Writes one scalar as the value of a key `k`, and returns what follows `k:`.
    fn value(event: EventKind<'_>) -> String {
        let out = write_doc(&[MAP, plain("k"), event, MEND]);
        let value = out.strip_prefix("k: ").or_else(|| out.strip_prefix("k:")).unwrap();
        value.trim_end_matches('\n').into()
    }

    fn from_json_with(src: &str, dialect: crate::json::Dialect, options: WriteOptions) -> String {
        let mut writer = Writer::new(Vec::new(), options);
        let mut input = crate::SliceInput::new(src.as_bytes());
        crate::json::read(&mut input, dialect, &crate::Limits::DEFAULT, &mut writer).unwrap();
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    fn from_json(src: &str) -> String {
        from_json_with(src, crate::json::Dialect::Jsonc, WriteOptions::default())
    }

    fn from_yaml(src: &str) -> String {
        let mut writer = Writer::new(Vec::new(), WriteOptions::default());
        crate::yaml::read(src.as_bytes(), &crate::Limits::DEFAULT, &mut writer).unwrap();
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    /// A scalar's value as text: decoded, by kind.
    fn scalar_value(s: &Scalar<'_>) -> String {
        let text = s.decoded().into_owned();
        format!("{:?} {:?}", s.kind, String::from_utf8(text).unwrap())
    }

    /// The events of a YAML text with layout left out (spans, styles, blank lines, document markers, where
    /// comments stand): scalars by kind, value and properties, comments by text.
    fn yaml_data(src: &str) -> Vec<String> {
        let mut events = Vec::new();
        let mut sink = |event: Event<'_>| {
            let props = |p: Props<'_>| {
                let a = p.anchor.map(|a| String::from_utf8_lossy(a).into_owned());
                let t = p.tag.map(|t| String::from_utf8_lossy(t).into_owned());
                format!("{a:?} {t:?}")
            };
            events.push(match event.kind {
                EventKind::Scalar(s) => format!("={} {}", scalar_value(&s), props(s.props)),
                EventKind::MappingStart(p) => format!("+MAP {}", props(p)),
                EventKind::SequenceStart(p) => format!("+SEQ {}", props(p)),
                EventKind::Comment(c) => format!("#{}", String::from_utf8_lossy(c.text)),
                EventKind::DocumentStart { .. } => "+DOC".into(),
                EventKind::DocumentEnd { .. } => "-DOC".into(),
                EventKind::BlankLine => return Ok(()),
                other => format!("{other:?}"),
            });
            Ok(())
        };
        crate::yaml::read(src.as_bytes(), &crate::Limits::DEFAULT, &mut sink).unwrap();
        events
    }

    /// Formatting `src` keeps its data and comments, and formatting the result changes nothing.
    fn check_round_trip(src: &str) -> String {
        let once = from_yaml(src);
        assert_eq!(yaml_data(&once), yaml_data(src), "data changed:\n{src}\n=>\n{once}");
        assert_eq!(from_yaml(&once), once, "not idempotent:\n{src}");
        once
    }

    #[test]
    fn nested_collections_with_indented_sequences() {
        let src = r#"{"a":{"b":1,"c":[1,2,{"d":null,"e":[]}]},"f":[[1,[2,3]],[]],"g":{},"h":[{"i":{"j":[]}}]}"#;
        let expected = "\
a:
  b: 1
  c:
    - 1
    - 2
    - d: null
      e: []
f:
  - - 1
    - - 2
      - 3
  - []
g: {}
h:
  - i:
      j: []
";
        assert_eq!(from_json(src), expected);
    }

    #[test]
    fn nested_collections_with_compact_sequences_and_wide_indent() {
        let src = r#"{"a":{"b":1,"c":[1,2,{"d":null,"e":[]}]},"f":[[1,[2,3]],[]],"g":{},"h":[{"i":{"j":[]}}]}"#;
        let compact = WriteOptions { indent_sequences: false, ..WriteOptions::default() };
        let expected = "\
a:
  b: 1
  c:
  - 1
  - 2
  - d: null
    e: []
f:
- - 1
  - - 2
    - 3
- []
g: {}
h:
- i:
    j: []
";
        assert_eq!(from_json_with(src, crate::json::Dialect::Json, compact), expected);
        let wide = WriteOptions { indent: 4, ..WriteOptions::default() };
        let expected = "\
a:
    b: 1
    c:
        - 1
        - 2
        - d: null
          e: []
f:
    - - 1
      - - 2
        - 3
    - []
g: {}
h:
    - i:
          j: []
";
        assert_eq!(from_json_with(src, crate::json::Dialect::Json, wide), expected);
    }

    #[test]
    fn empty_collections_and_scalar_roots() {
        assert_eq!(from_json("{}"), "{}\n");
        assert_eq!(from_json("[]"), "[]\n");
        assert_eq!(from_json("[[], {}, [[]]]"), "- []\n- {}\n- - []\n");
        assert_eq!(from_json("\"text\""), "text\n");
        assert_eq!(from_json("12"), "12\n");
        assert_eq!(from_json("\"yes\""), "\"yes\"\n");
    }

    #[test]
    fn documents() {
        let ndjson = "{\"a\":1}\n2\n\"s\"\n[]\n{}\n[1]\n";
        let out = from_json_with(ndjson, crate::json::Dialect::Ndjson, WriteOptions::default());
        assert_eq!(out, "a: 1\n--- 2\n--- s\n--- []\n--- {}\n---\n- 1\n");
        let explicit = [
            EventKind::DocumentStart { explicit: true },
            MAP,
            plain("a"),
            plain("1"),
            MEND,
            EventKind::DocumentEnd { explicit: true },
            EventKind::DocumentStart { explicit: false },
            plain("b"),
            EventKind::DocumentEnd { explicit: false },
            EventKind::DocumentStart { explicit: true },
            string("multi\nline\n"),
            EventKind::DocumentEnd { explicit: true },
        ];
        let expected = "---\na: 1\n...\n--- b\n--- |\n  multi\n  line\n...\n";
        assert_eq!(write_stream(&explicit, WriteOptions::default()), expected);
        // An empty document keeps a `---`, without which it would vanish.
        assert_eq!(write_doc(&[number("", ScalarKind::Null)]), "---\n");
        assert_eq!(write_doc(&[comment(" only"), number("", ScalarKind::Null)]), "# only\n---\n");
    }

    #[test]
    fn plain_strings() {
        for text in [
            "hello world",
            "a#b",
            "a:b",
            "http://x.y/z?q=1#f",
            "-a",
            "?a",
            ":a",
            "a,b[c]{d}",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "é",
            "\u{a0}",
            "yesterday",
            "v1.2",
            "1 apple",
            "~a",
            "a - b",
            "a ? b",
        ] {
            assert_eq!(value(string(text)), text, "{text:?}");
        }
    }

    #[test]
    fn strings_that_would_read_as_something_else_are_quoted() {
        for text in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "n",
            "null",
            "Null",
            "~",
            "true",
            "False",
            "0755",
            "12:30",
            "1e3",
            "1_000",
            "0x1F",
            "0o17",
            "0b101",
            ".inf",
            "-.inf",
            ".nan",
            "1.5",
            "-1",
            "+1",
            "2001-12-14",
            "<<",
            "=",
            "",
        ] {
            assert_eq!(value(string(text)), format!("\"{text}\""), "{text:?}");
        }
    }

    #[test]
    fn the_fast_special_check_agrees_with_the_schema() {
        let mut texts: Vec<String> = ["nullable", "Trueish", "yesterday", "office", "Nothing", "false1", "onward"]
            .iter()
            .map(|s| String::from(*s))
            .collect();
        for first in "nNtTfFyYoO".chars() {
            for rest in
                ["", "o", "n", "es", "ff", "ull", "rue", "alse", "ULL", "RUE", "ALSE", "ES", "FF", "xxxxx", "ullx"]
            {
                texts.push(format!("{first}{rest}"));
            }
        }
        for text in texts {
            assert_eq!(maybe_special(text.as_bytes()), special_in_yaml11(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn strings_that_break_plain_syntax_are_quoted() {
        for (text, expected) in [
            (" lead", "\" lead\""),
            ("trail ", "\"trail \""),
            ("a: b", "\"a: b\""),
            ("a #b", "\"a #b\""),
            ("a:", "\"a:\""),
            ("-", "\"-\""),
            ("- a", "\"- a\""),
            ("?", "\"?\""),
            ("? a", "\"? a\""),
            (":", "\":\""),
            (": a", "\": a\""),
            ("---", "\"---\""),
            ("--- a", "\"--- a\""),
            ("...", "\"...\""),
            ("'a", "\"'a\""),
            ("\"a", "\"\\\"a\""),
            ("a\tb", "\"a\\tb\""),
        ] {
            assert_eq!(value(string(text)), expected, "{text:?}");
        }
        for indicator in [",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "%", "@", "`"] {
            let text = format!("{indicator}a");
            assert_eq!(value(string(&text)), format!("\"{text}\""));
        }
    }

    #[test]
    fn double_quotes_for_what_single_quotes_cannot_hold() {
        for (text, expected) in [
            ("a\u{1}b", r#""a\x01b""#),
            ("\u{7f}", r#""\x7F""#),
            ("\u{85}", r#""\x85""#),
            ("\u{9f}", r#""\x9F""#),
            ("a\u{2028}b\u{2029}", r#""a\u2028b\u2029""#),
            ("\u{feff}x", r#""\uFEFFx""#),
            ("\u{fffe}", r#""\uFFFE""#),
            ("a\r\nb", r#""a\r\nb""#),
            ("a \nb", r#""a \nb""#),
            ("\n", r#""\n""#),
            ("back\\slash\u{1}\"", r#""back\\slash\x01\"""#),
        ] {
            assert_eq!(value(string(text)), expected, "{text:?}");
        }
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(value(string("a\nb")), "|-\n  a\n  b");
        assert_eq!(value(string("a\nb\n")), "|\n  a\n  b");
        assert_eq!(value(string("a\nb\n\n")), "|+\n  a\n  b");
        assert_eq!(value(string("\nabc")), "|-\n\n  abc");
        assert_eq!(value(string("a\n\n  b\n")), "|\n  a\n\n    b");
        assert_eq!(value(string(" a\nb\n")), "|2\n   a\n  b");
        assert_eq!(value(string("\n  a\n")), "|2\n\n    a");
        assert_eq!(value(string("\ta\nb")), "|2-\n  \ta\n  b");
        assert_eq!(value(string("# not a comment\n--- nor a marker\n")), "|\n  # not a comment\n  --- nor a marker");
        // In sequences, nested, and at the root (which takes no indentation indicator).
        let nested = write_doc(&[SEQ, string("a\nb"), SEQ, string(" a\nb\n"), SEND, SEND]);
        assert_eq!(nested, "- |-\n  a\n  b\n- - |2\n     a\n    b\n");
        assert_eq!(write_doc(&[string("a\nb\n")]), "|\n  a\n  b\n");
        assert_eq!(write_doc(&[string(" a\nb\n")]), "\" a\\nb\\n\"\n");
        let compact = WriteOptions { indent_sequences: false, ..WriteOptions::default() };
        let events = [EventKind::DocumentStart { explicit: false }, MAP, plain("k"), SEQ, string(" a\nb"), SEND, MEND];
        assert_eq!(write_stream(&events, compact), "k:\n- |2-\n   a\n  b\n");
        // A key is never a block.
        assert_eq!(write_doc(&[MAP, string("a\nb"), plain("1"), MEND]), "\"a\\nb\": 1\n");
    }

    #[test]
    fn the_users_style_is_kept_where_it_fits() {
        assert_eq!(value(styled("abc", ScalarStyle::SingleQuoted)), "'abc'");
        assert_eq!(value(styled("it's", ScalarStyle::SingleQuoted)), "'it''s'");
        assert_eq!(value(styled("abc", ScalarStyle::DoubleQuoted)), "\"abc\"");
        assert_eq!(value(styled("abc", ScalarStyle::Literal)), "|-\n  abc");
        assert_eq!(value(styled("a b\n", ScalarStyle::Folded)), "|\n  a b");
        // Where the style cannot hold the value, the usual rules apply.
        assert_eq!(value(styled("a\nb", ScalarStyle::SingleQuoted)), "|-\n  a\n  b");
        assert_eq!(value(styled("a \nb", ScalarStyle::Literal)), "\"a \\nb\"");
        assert_eq!(value(styled("yes", ScalarStyle::Plain)), "\"yes\"");
        // A plain `<<` is a merge key, and stays one.
        assert_eq!(write_doc(&[MAP, plain("<<"), EventKind::Alias(b"base"), MEND]), "<<: *base\n");
    }

    #[test]
    fn numbers_bools_and_nulls_keep_their_text() {
        // Except a float's exponent, spelled for YAML 1.1 readers too.
        let out = from_json("[1, -2.5e3, 1E400, true, false, null]");
        assert_eq!(out, "- 1\n- -2.5e+3\n- 1.0E+400\n- true\n- false\n- null\n");
        for (text, kind) in [("~", ScalarKind::Null), ("0x1F", ScalarKind::Integer), ("1.0", ScalarKind::Float)] {
            assert_eq!(value(number(text, kind)), text);
        }
        assert_eq!(value(number("", ScalarKind::Null)), "");
        // Spellings that YAML would read as strings are respelled.
        for (text, kind, expected) in [
            ("1_000", ScalarKind::Integer, "1000"),
            ("0b1010_1010", ScalarKind::Integer, "170"),
            ("inf", ScalarKind::Float, ".inf"),
            ("-inf", ScalarKind::Float, "-.inf"),
            ("+nan", ScalarKind::Float, ".nan"),
            ("1_000.5", ScalarKind::Float, "1000.5"),
        ] {
            assert_eq!(value(number(text, kind)), expected);
        }
        // A quoted scalar tagged as a number stays quoted.
        let tagged = EventKind::Scalar(Scalar {
            text: b"12",
            kind: ScalarKind::Integer,
            style: ScalarStyle::DoubleQuoted,
            props: Props { anchor: None, tag: Some(b"tag:yaml.org,2002:int") },
        });
        assert_eq!(value(tagged), "!!int \"12\"");
    }

    #[test]
    fn json_strings_are_decoded() {
        assert_eq!(from_json(r#"{"k":"a\"b\u00e9\n"}"#), "k: |\n  a\"bé\n");
        assert_eq!(from_json(r#"{"tab\tkey":"\u0001", "q":"it's"}"#), "\"tab\\tkey\": \"\\x01\"\nq: it's\n");
        assert_eq!(from_json(r#"["\ud83d\ude00", "\/"]"#), "- 😀\n- /\n");
    }

    #[test]
    fn properties_and_aliases() {
        let events = [
            MAP,
            plain("key"),
            with_props(plain("value"), Some("a"), Some("tag:yaml.org,2002:str")),
            plain("item"),
            SEQ,
            with_props(MAP, Some("b"), None),
            plain("x"),
            plain("1"),
            MEND,
            with_props(SEQ, None, Some("!local")),
            SEND,
            EventKind::Alias(b"a"),
            SEND,
            plain("map"),
            with_props(MAP, None, Some("tag:yaml.org,2002:map")),
            plain("a"),
            plain("1"),
            MEND,
            plain("seq"),
            with_props(SEQ, Some("s"), None),
            plain("1"),
            SEND,
            EventKind::Alias(b"a"),
            EventKind::Alias(b"b"),
            with_props(plain("k"), Some("k"), None),
            with_props(string("v"), None, Some("!")),
            plain("other"),
            with_props(plain("v"), None, Some("tag:example.com,2000:app/foo")),
            plain("odd"),
            with_props(plain("v"), None, Some("tag:yaml.org,2002:a,b")),
            plain("empty"),
            with_props(number("", ScalarKind::Null), Some("e"), None),
            MEND,
        ];
        let expected = "\
key: &a !!str value
item:
  - &b
    x: 1
  - !local []
  - *a
map: !!map
  a: 1
seq: &s
  - 1
*a : *b
&k k: ! v
other: !<tag:example.com,2000:app/foo> v
odd: !<tag:yaml.org,2002:a,b> v
empty: &e
";
        assert_eq!(write_doc(&events), expected);
        assert_eq!(write_doc(&[with_props(MAP, Some("r"), None), plain("a"), plain("1"), MEND]), "&r\na: 1\n");
        let explicit = [
            EventKind::DocumentStart { explicit: true },
            with_props(MAP, None, Some("tag:yaml.org,2002:map")),
            plain("a"),
            plain("1"),
            MEND,
            EventKind::DocumentEnd { explicit: false },
        ];
        assert_eq!(write_stream(&explicit, WriteOptions::default()), "--- !!map\na: 1\n");
    }

    #[test]
    fn explicit_keys() {
        let events = [
            MAP,
            MAP,
            plain("a"),
            plain("1"),
            plain("b"),
            plain("2"),
            MEND,
            plain("v"),
            SEQ,
            plain("a"),
            SEND,
            MAP,
            plain("x"),
            plain("z"),
            MEND,
            MAP,
            MEND,
            SEQ,
            SEND,
            number("", ScalarKind::Null),
            plain("null key"),
            plain("after"),
            number("", ScalarKind::Null),
            MEND,
        ];
        let expected = "\
? a: 1
  b: 2
: v
? - a
: x: z
? {}
: []
?
: null key
after:
";
        assert_eq!(write_doc(&events), expected);
        let long = "x".repeat(1100);
        assert_eq!(write_doc(&[MAP, string(&long), plain("v"), MEND]), format!("? {long}\n: v\n"));
        assert_eq!(write_doc(&[SEQ, MAP, string(&long), plain("v"), MEND, SEND]), format!("- ? {long}\n  : v\n"));
        // Up to the limit, a key stays implicit.
        let key = "x".repeat(1024);
        assert_eq!(write_doc(&[MAP, string(&key), plain("v"), MEND]), format!("{key}: v\n"));
    }

    #[test]
    fn comments_from_jsonc() {
        let src = "\
// head
{
  \"a\": 1, // one
  // before b
  \"b\": { // open
    \"c\": [1, 2] // list
    // end of b
  },
  /* block
     comment */
  \"d\": [ /* in */ ],
  \"e\": [
    // first
    1
  ]
}
// tail
";
        let expected = "\
# head
a: 1 # one
# before b
b: # open
  c:
    - 1
    - 2 # list
  # end of b
# block
#     comment
d: [] # in
e:
  # first
  - 1
# tail
";
        assert_eq!(from_json(src), expected);
        let quiet = WriteOptions { comments: false, ..WriteOptions::default() };
        let out = from_json_with(src, crate::json::Dialect::Jsonc, quiet);
        assert_eq!(out, "a: 1\nb:\n  c:\n    - 1\n    - 2\nd: []\ne:\n  - 1\n");
    }

    #[test]
    fn comments_between_key_and_value() {
        // A trailing comment after a key whose value is a block, and whose value is a scalar.
        let out = write_doc(&[MAP, plain("a"), trailing(" note"), MAP, plain("b"), plain("1"), MEND, MEND]);
        assert_eq!(out, "a: # note\n  b: 1\n");
        let out =
            write_doc(&[MAP, plain("a"), trailing(" note"), with_props(SEQ, Some("x"), None), plain("1"), SEND, MEND]);
        assert_eq!(out, "a: &x # note\n  - 1\n");
        assert_eq!(write_doc(&[MAP, plain("a"), trailing(" note"), plain("v"), MEND]), "a: # note\n  v\n");
        assert_eq!(write_doc(&[MAP, plain("a"), trailing(" note"), string("x\ny\n"), MEND]), "a: | # note\n  x\n  y\n");
        assert_eq!(write_doc(&[MAP, plain("a"), trailing(" c"), MAP, MEND, MEND]), "a: # c\n  {}\n");
        assert_eq!(write_doc(&[MAP, plain("a"), MAP, trailing(" c"), MEND, MEND]), "a: {} # c\n");
        // Comments on lines of their own stay between key and value.
        assert_eq!(write_doc(&[MAP, plain("a"), comment(" c"), plain("v"), MEND]), "a:\n  # c\n  v\n");
        assert_eq!(write_doc(&[MAP, plain("a"), comment(" c"), string("x\n"), MEND]), "a:\n  # c\n  |\n    x\n");
        let out = write_doc(&[MAP, plain("a"), comment(" c"), MAP, plain("b"), plain("1"), MEND, MEND]);
        assert_eq!(out, "a:\n  # c\n  b: 1\n");
        // A comment after a sequence dash moves the item off the dash's line.
        let out = write_doc(&[SEQ, MAP, trailing(" c"), plain("a"), plain("1"), MEND, SEND]);
        assert_eq!(out, "- # c\n  a: 1\n");
        let out = write_doc(&[SEQ, MAP, comment(" c"), plain("a"), plain("1"), MEND, SEND]);
        assert_eq!(out, "-\n  # c\n  a: 1\n");
    }

    #[test]
    fn comments_at_the_ends() {
        let events = [
            comment(" top"),
            MAP,
            plain("a"),
            SEQ,
            plain("1"),
            trailing(" one"),
            comment(" end of a"),
            SEND,
            plain("b"),
            string("x\n"),
            trailing(" on the header"),
            comment(" end of map"),
            MEND,
            comment(" end of doc"),
        ];
        let expected = "\
# top
a:
  - 1 # one
  # end of a
b: | # on the header
  x
# end of map
# end of doc
";
        assert_eq!(write_doc(&events), expected);
        // Comments between documents and at the end of the stream.
        let events = [
            EventKind::DocumentStart { explicit: false },
            plain("a"),
            trailing(" after a"),
            EventKind::DocumentEnd { explicit: false },
            comment(" between"),
            EventKind::DocumentStart { explicit: true },
            trailing(" on the marker"),
            plain("b"),
            EventKind::DocumentEnd { explicit: true },
            trailing(" after the end"),
        ];
        let expected = "a # after a\n# between\n--- # on the marker\nb\n...\n# after the end\n";
        assert_eq!(write_stream(&events, WriteOptions::default()), expected);
        // A comment of several lines.
        let block =
            EventKind::Comment(Comment { text: b" one  \n two\r\n", style: CommentStyle::Block, trailing: true });
        assert_eq!(write_doc(&[SEQ, plain("a"), block, SEND]), "- a\n# one\n# two\n");
    }

    #[test]
    fn blank_lines() {
        let events = [
            BLANK,
            comment(" top"),
            BLANK,
            BLANK,
            MAP,
            plain("a"),
            plain("1"),
            BLANK,
            plain("b"),
            MAP,
            plain("c"),
            plain("1"),
            BLANK,
            MEND,
            plain("d"),
            string("kept\n\n"),
            BLANK,
            plain("e"),
            string("x\n"),
            BLANK,
            comment(" c"),
            BLANK,
            plain("f"),
            SEQ,
            plain("1"),
            BLANK,
            comment(" end"),
            SEND,
            BLANK,
            MEND,
        ];
        let expected = "\
# top

a: 1

b:
  c: 1

d: |+
  kept

e: |
  x

# c

f:
  - 1

# end
";
        assert_eq!(write_doc(&events), expected);
        // A comment ends a `|+` block, after which a blank line may come.
        let events = [MAP, plain("a"), string("x\n\n"), comment(" c"), BLANK, plain("b"), plain("1"), MEND];
        assert_eq!(write_doc(&events), "a: |+\n  x\n\n# c\n\nb: 1\n");
        let events = [MAP, plain("a"), string("x\n\n"), BLANK, comment(" c"), plain("b"), plain("1"), MEND];
        assert_eq!(write_doc(&events), "a: |+\n  x\n\n# c\nb: 1\n");
    }

    #[test]
    fn output_errors_propagate() {
        #[derive(Debug)]
        struct Full;
        impl Output for Full {
            fn write(&mut self, _: &[u8]) -> Result<(), Error> {
                Err(crate::output::output_error())
            }
        }
        let mut writer = Writer::new(Full, WriteOptions::default());
        let mut input = crate::SliceInput::new(b"[1, 2]");
        let error = crate::json::read(&mut input, crate::json::Dialect::Json, &crate::Limits::DEFAULT, &mut writer);
        assert_eq!(error.unwrap_err().code, crate::ErrorCode::Output);
        // Large output goes out before the stream ends.
        let big = format!("[{}]", vec!["\"abcdefghij\""; 20_000].join(","));
        let mut writer = Writer::new(Full, WriteOptions::default());
        let mut input = crate::SliceInput::new(big.as_bytes());
        let error = crate::json::read(&mut input, crate::json::Dialect::Json, &crate::Limits::DEFAULT, &mut writer);
        let error = error.unwrap_err();
        assert_eq!(error.code, crate::ErrorCode::Output);
        assert!(error.span.start > 0 && error.span.start < big.len() as u64 - 10, "{error:?}");
    }

    #[test]
    fn yaml_round_trips() {
        let src = r#"# Header comment
name: dfmt   # trailing
version: '1.0'
on: yes
list:
  - a
  - b: 1
    c: [1, 2]
  - - x
    - z

empty: {}
anchors:
  base: &base {x: 1}
  ref: *base
  merged:
    <<: *base
    z: 2
  tagged: !!str 123
  local: !thing value
  quoted_int: !!int "12"
text: |
  line one
   line two
folded: >-
  folded
  text
keep: |+
  kept

quoted: "tab\there"
single: 'it''s'
? [complex, key]
: value
? |
  block key
: v
...
---
second: doc
--- plain root
---
- |2-
    indented
  text
"#;
        let expected = r#"# Header comment
name: dfmt # trailing
version: '1.0'
"on": "yes"
list:
  - a
  - b: 1
    c:
      - 1
      - 2
  - - x
    - z

empty: {}
anchors:
  base: &base
    x: 1
  ref: *base
  merged:
    <<: *base
    z: 2
  tagged: !!str "123"
  local: !thing value
  quoted_int: !!int "12"
text: |
  line one
   line two
folded: |-
  folded text
keep: |+
  kept

quoted: "tab\there"
single: 'it''s'
? - complex
  - key
: value
"block key\n": v
...
---
second: doc
--- plain root
---
- |2-
    indented
  text
"#;
        assert_eq!(check_round_trip(src), expected);
    }

    #[test]
    fn yaml_round_trips_with_comments_in_odd_places() {
        // A comment on a block's header line, or before a tagged scalar, stays where it is.
        assert_eq!(check_round_trip("a: |  # header\n  text\nb: 1\n"), "a: | # header\n  text\nb: 1\n");
        assert_eq!(check_round_trip("--- # Bulb\n!!str light\n"), "--- # Bulb\n!!str light\n");
        assert_eq!(check_round_trip("--- !!str # Bulb\nlight\n"), "--- !!str light # Bulb\n");
        for src in [
            "a: # note\n  b: 1\n",
            "a: # note\n  - 1\n",
            "a:\n  # own line\n  b: 1\n",
            "a:\n  b: 1\n  # end of a\nc: 2\n",
            "- # dash\n  a: 1\n",
            "- a # one\n# between\n- b\n# end\n",
            "a: |  # header\n  text\n# after\nb: 1\n",
            "a: |+\n  text\n\n# after\n\nb: 1\n",
            "# only a comment\n",
            "--- # marker\na: 1\n... # end\n# between\n---\nb: 2\n",
            "k: v\n\n\n\n# spaced\n\nz: 1\n",
            "? a\n# between key and value\n: b\n",
            "seq:\n- 1\n# dedented\n- 2\n",
        ] {
            check_round_trip(src);
        }
    }

    #[test]
    fn json_to_yaml_keeps_the_data() {
        let src = r##"{"s": ["yes", "no", "0755", "12:30", "", " x", "a: b", "#c", "l1\nl2\n", "\u0085", "1e3", "-"],
            "n": [0, -1.5, 1e400, true, null], "nested": {"": {"?": [[]]}}, "k: ey": {"#": "\t"}}"##;
        let yaml = from_json(src);
        let mut from_json_reader = Vec::new();
        let mut sink = |event: Event<'_>| {
            if let EventKind::Scalar(s) = event.kind {
                from_json_reader.push(format!("={} None None", scalar_value(&s)));
            }
            Ok(())
        };
        let mut input = crate::SliceInput::new(src.as_bytes());
        crate::json::read(&mut input, crate::json::Dialect::Json, &crate::Limits::DEFAULT, &mut sink).unwrap();
        // Floats by value: their spelling changes for YAML 1.1 readers (`1e400` is written `1.0e+400`).
        let by_value = |line: String| match line.strip_prefix("=Float \"").and_then(|t| t.split_once('"')) {
            Some((text, rest)) => format!("=Float {:?}{rest}", text.parse::<f64>().unwrap()),
            None => line,
        };
        let scalars: Vec<String> = yaml_data(&yaml).into_iter().filter(|e| e.starts_with('=')).map(by_value).collect();
        let from_json_reader: Vec<String> = from_json_reader.into_iter().map(by_value).collect();
        assert_eq!(scalars, from_json_reader, "{yaml}");
        assert!(yaml.contains("- 1.0e+400\n"), "{yaml}");
        assert_eq!(from_yaml(&yaml), yaml);
    }
}
