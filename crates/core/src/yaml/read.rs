//! The YAML parser: a state machine over the scanner's tokens that pushes the pipeline's events.
//!
//! It follows the YAML 1.2 grammar as a stack of states (no recursion, so nesting depth costs heap, and is
//! bounded by [`Limits::max_depth`]). Plain scalars resolve by the core schema. Comments and blank lines that the
//! scanner set aside are pushed, in source order, before the first event that starts after them.

use super::scan::{Aside, Scanner, Style, Tok, Token};
use super::schema::core_kind;
use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::limits::Limits;
use crate::source::Span;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

/// Reads the YAML stream `src` and pushes its events, comments and blank lines included, into `sink`.
///
/// The input must be UTF-8 (a byte order mark is skipped). Errors carry the span of the offending text.
pub fn read<S: Sink + ?Sized>(src: &[u8], limits: &Limits, sink: &mut S) -> Result<(), Error> {
    read_checked(&check(src)?, limits, sink)
}

/// A YAML text that passed the character check, and what the check learned on the way.
#[derive(Clone, Copy, Debug)]
pub struct CheckedText<'a> {
    src: &'a [u8],
    merge_keys: bool,
    anchors: bool,
}

impl CheckedText<'_> {
    /// False when the text holds no `<<`, so no merge key can occur in it.
    pub fn may_have_merge_keys(&self) -> bool {
        self.merge_keys
    }

    /// False when the text holds no `&`, so it has no anchors (and therefore no aliases: an alias must name an
    /// anchor, which the reader checks).
    pub fn may_have_anchors(&self) -> bool {
        self.anchors
    }
}

/// Checks that `src` is UTF-8 and holds only characters YAML allows, in one pass over it.
pub fn check(src: &[u8]) -> Result<CheckedText<'_>, Error> {
    let (merge_keys, anchors) = check_text(src)?;
    Ok(CheckedText { src, merge_keys, anchors })
}

/// Reads a checked text, as [`read`] does.
pub fn read_checked<S: Sink + ?Sized>(text: &CheckedText<'_>, limits: &Limits, sink: &mut S) -> Result<(), Error> {
    let src = text.src;
    let mut parser = Parser {
        scanner: Scanner::new(src, limits),
        src,
        states: Vec::new(),
        state: State::StreamStart,
        tags: Vec::new(),
        anchors: BTreeSet::new(),
        tag: Vec::new(),
        indicator_end: usize::MAX,
    };
    parser.run(sink)
}

/// Rejects input that is not UTF-8, or that holds characters YAML does not allow (C0 controls other than tab
/// and line breaks, DEL, C1 controls other than NEL, and the noncharacters U+FFFE and U+FFFF). Returns whether
/// whether the text holds `<<` (a merge key needs it) and `&` (an anchor needs it), found in the same pass.
fn check_text(src: &[u8]) -> Result<(bool, bool), Error> {
    if src.starts_with(&[0xff, 0xfe]) || src.starts_with(&[0xfe, 0xff]) {
        return Err(Error::new(ErrorCode::NotUtf8Encoding, Span::new(0, 2)));
    }
    // Most chunks hold no suspect byte; the vectorisable test over a whole chunk rules them out in bulk.
    const CHUNK: usize = 64;
    let suspect = |b: u8| {
        (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
            | (b == 0x7f)
            | (b == 0xc2)
            | (b == 0xef)
            | (b == b'<')
            | (b == b'&')
    };
    let bad_at = |i: usize| match src[i] {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1f | 0x7f => true,
        0xc2 => src.get(i + 1).is_some_and(|&n| (0x80..=0x9f).contains(&n) && n != 0x85),
        0xef => src.get(i + 1) == Some(&0xbf) && matches!(src.get(i + 2), Some(0xbe | 0xbf)),
        _ => false,
    };
    let mut bad = None;
    let mut merge = false;
    let mut anchors = false;
    for (c, chunk) in src.chunks(CHUNK).enumerate() {
        if chunk.iter().fold(false, |any, &b| any | (b >= 0x80)) {
            // Validate UTF-8 over the chunk widened to whole characters (ASCII chunks are valid as they are).
            let continuation = |i: usize| src.get(i).is_some_and(|&b| b & 0xc0 == 0x80);
            let mut start = c * CHUNK;
            while start > 0 && continuation(start) && start + 3 > c * CHUNK {
                start -= 1;
            }
            let mut end = c * CHUNK + chunk.len();
            while continuation(end) {
                end += 1;
            }
            if let Err(e) = core::str::from_utf8(&src[start..end]) {
                let at = (start + e.valid_up_to()) as u64;
                return Err(Error::new(ErrorCode::InvalidUtf8, Span::new(at, at + 1)));
            }
        }
        if chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            let base = c * CHUNK;
            if let Some(i) = (base..base + chunk.len()).find(|&i| bad_at(i)) {
                bad = Some(i);
                break;
            }
            merge = merge
                || chunk.windows(2).any(|w| w == b"<<")
                || (chunk.last() == Some(&b'<') && src.get(base + chunk.len()) == Some(&b'<'));
            anchors = anchors || chunk.contains(&b'&');
        }
    }
    match bad {
        Some(at) => Err(Error::with(
            ErrorCode::ControlCharacter,
            Detail::CodePoint(u32::from(src[at])),
            Span::new(at as u64, at as u64 + 1),
        )),
        None => Ok((merge, anchors)),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    /// A document may start without `---` (first document, or after `...`).
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

const CORE_TAG_PREFIX: &[u8] = b"tag:yaml.org,2002:";

struct Parser<'a> {
    scanner: Scanner<'a>,
    src: &'a [u8],
    states: Vec<State>,
    state: State,
    /// The `%TAG` directives of the current document: handle and prefix ranges of the source.
    tags: Vec<((usize, usize), (usize, usize))>,
    /// Anchors defined so far in the current document.
    anchors: BTreeSet<&'a [u8]>,
    /// The resolved tag of the node being emitted.
    tag: Vec<u8>,
    /// Where the block indicator (`-`, `?`, `:`) before the node being parsed ends; `usize::MAX` when none.
    indicator_end: usize,
}

/// Anchor and tag of a node, before it is emitted.
#[derive(Default)]
struct NodeProps {
    anchor: Option<(usize, usize)>,
    tag: bool,
    start: Option<usize>,
}

fn syntax(code: ErrorCode, at: usize) -> Error {
    Error::new(code, Span::at(at as u64))
}

fn is(token: &Token, f: fn(&Tok) -> bool) -> bool {
    f(&token.tok)
}

impl<'a> Parser<'a> {
    fn run<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<(), Error> {
        while self.state != State::End {
            self.step(sink)?;
        }
        Ok(())
    }

    /// Pushes the comments and blank lines that stand before `at`; with a `floor`, stops at the first one
    /// indented less than it (it belongs after the block that is closing).
    fn flush_asides<S: Sink + ?Sized>(&mut self, sink: &mut S, at: usize, floor: Option<usize>) -> Result<(), Error> {
        self.flush_asides_while(sink, |aside| aside.at < at && !floor.is_some_and(|f| aside.blank || aside.column < f))
    }

    /// Emits the waiting comments and blank lines, from the first, as long as `emit` says so.
    fn flush_asides_while<S: Sink + ?Sized>(
        &mut self,
        sink: &mut S,
        mut emit: impl FnMut(&Aside) -> bool,
    ) -> Result<(), Error> {
        while let Some(aside) = self.scanner.asides.front().copied() {
            if !emit(&aside) {
                break;
            }
            self.scanner.asides.pop_front();
            push_aside(self.src, aside, sink)?;
        }
        Ok(())
    }

    fn emit<S: Sink + ?Sized>(
        &mut self,
        sink: &mut S,
        kind: EventKind<'_>,
        start: usize,
        end: usize,
    ) -> Result<(), Error> {
        if !self.scanner.asides.is_empty() {
            self.flush_asides(sink, start, None)?;
        }
        sink.event(Event::new(kind, Span::new(start as u64, end as u64)))
    }

    /// Ends a block collection whose `BlockEnd` token is `token`.
    fn emit_block_end<S: Sink + ?Sized>(
        &mut self,
        sink: &mut S,
        kind: EventKind<'_>,
        token: &Token,
    ) -> Result<(), Error> {
        if !self.scanner.asides.is_empty() {
            // Comments indented at least as deep as the closing block stay inside it.
            let floor = match token.tok {
                Tok::BlockEnd { indent } => indent,
                _ => 0,
            };
            self.flush_asides(sink, token.start, Some(floor))?;
        }
        sink.event(Event::new(kind, Span::at(token.start as u64)))
    }

    fn step<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<(), Error> {
        match self.state {
            State::StreamStart => {
                let token = self.scanner.next()?;
                self.state = State::ImplicitDocumentStart;
                self.emit(sink, EventKind::StreamStart, token.start, token.start)
            }
            State::ImplicitDocumentStart => self.document_start(sink, true),
            State::DocumentStart => self.document_start(sink, false),
            State::DocumentContent => {
                let token = self.scanner.peek()?;
                if is(token, |t| {
                    matches!(
                        t,
                        Tok::VersionDirective
                            | Tok::TagDirective { .. }
                            | Tok::ReservedDirective
                            | Tok::DocumentStart
                            | Tok::DocumentEnd
                            | Tok::StreamEnd
                    )
                }) {
                    let at = token.start;
                    self.state = self.pop();
                    self.empty_scalar(sink, at, NodeProps::default())
                } else {
                    self.node(sink, true, false)
                }
            }
            State::DocumentEnd => {
                let token = self.scanner.peek()?;
                let (start, end) = (token.start, token.end);
                let explicit = matches!(token.tok, Tok::DocumentEnd);
                if explicit {
                    self.scanner.skip();
                    self.state = State::ImplicitDocumentStart;
                } else {
                    if matches!(token.tok, Tok::VersionDirective | Tok::TagDirective { .. } | Tok::ReservedDirective) {
                        return Err(syntax(ErrorCode::YamlDirectiveAfterDocument, start));
                    }
                    if !matches!(token.tok, Tok::DocumentStart | Tok::StreamEnd) {
                        return Err(syntax(ErrorCode::YamlExpectedDocumentEnd, start));
                    }
                    self.state = State::DocumentStart;
                }
                self.tags.clear();
                self.anchors.clear();
                let (s, e) = if explicit { (start, end) } else { (start, start) };
                self.emit(sink, EventKind::DocumentEnd { explicit }, s, e)
            }
            State::BlockNode => self.node(sink, true, false),
            State::BlockSequenceEntry => self.block_sequence_entry(sink),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(sink),
            State::BlockMappingKey => self.block_mapping_key(sink),
            State::BlockMappingValue => self.block_mapping_value(sink),
            State::FlowSequenceFirstEntry => self.flow_sequence_entry(sink, true),
            State::FlowSequenceEntry => self.flow_sequence_entry(sink, false),
            State::FlowSequenceEntryMappingKey => {
                let token = self.scanner.peek()?;
                if is(token, |t| matches!(t, Tok::Value | Tok::FlowEntry | Tok::FlowSequenceEnd)) {
                    let at = token.start;
                    self.state = State::FlowSequenceEntryMappingValue;
                    self.empty_scalar(sink, at, NodeProps::default())
                } else {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    self.node(sink, false, false)
                }
            }
            State::FlowSequenceEntryMappingValue => {
                let token = self.scanner.peek()?;
                if matches!(token.tok, Tok::Value) {
                    let at = token.end;
                    self.scanner.skip();
                    let token = self.scanner.peek()?;
                    if !is(token, |t| matches!(t, Tok::FlowEntry | Tok::FlowSequenceEnd)) {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.node(sink, false, false);
                    }
                    self.state = State::FlowSequenceEntryMappingEnd;
                    return self.empty_scalar(sink, at, NodeProps::default());
                }
                let at = token.start;
                self.state = State::FlowSequenceEntryMappingEnd;
                self.empty_scalar(sink, at, NodeProps::default())
            }
            State::FlowSequenceEntryMappingEnd => {
                let at = self.scanner.peek()?.start;
                self.state = State::FlowSequenceEntry;
                self.emit(sink, EventKind::MappingEnd, at, at)
            }
            State::FlowMappingFirstKey => self.flow_mapping_key(sink, true),
            State::FlowMappingKey => self.flow_mapping_key(sink, false),
            State::FlowMappingValue => self.flow_mapping_value(sink, false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(sink, true),
            State::End => Ok(()),
        }
    }

    fn pop(&mut self) -> State {
        self.states.pop().unwrap_or(State::End)
    }

    fn document_start<S: Sink + ?Sized>(&mut self, sink: &mut S, implicit: bool) -> Result<(), Error> {
        // Extra `...` lines between documents are allowed.
        while matches!(self.scanner.peek()?.tok, Tok::DocumentEnd) {
            self.scanner.skip();
        }
        let token = self.scanner.peek()?;
        let start = token.start;
        if matches!(token.tok, Tok::StreamEnd) {
            let end = token.end;
            self.scanner.skip();
            self.flush_asides(sink, usize::MAX, None)?;
            self.state = State::End;
            return self.emit(sink, EventKind::StreamEnd, start, end);
        }
        let bare = !matches!(
            token.tok,
            Tok::VersionDirective | Tok::TagDirective { .. } | Tok::ReservedDirective | Tok::DocumentStart
        );
        if implicit && bare {
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            // A document without `---` begins with the comments and blank lines before its first node: they go
            // after this event, inside the document, where a writer keeps them with their blank lines.
            return sink.event(Event::new(EventKind::DocumentStart { explicit: false }, Span::at(start as u64)));
        }
        if !implicit && bare {
            return Err(syntax(ErrorCode::YamlExpectedDocumentStart, start));
        }
        self.directives()?;
        let token = self.scanner.next()?;
        if !matches!(token.tok, Tok::DocumentStart) {
            return Err(syntax(ErrorCode::YamlExpectedStartAfterDirectives, token.start));
        }
        self.states.push(State::DocumentEnd);
        self.state = State::DocumentContent;
        self.emit(sink, EventKind::DocumentStart { explicit: true }, token.start, token.end)
    }

    fn directives(&mut self) -> Result<(), Error> {
        let mut version = false;
        loop {
            let token = self.scanner.peek()?;
            match token.tok {
                Tok::VersionDirective => {
                    if version {
                        return Err(syntax(ErrorCode::YamlDuplicateVersionDirective, token.start));
                    }
                    version = true;
                }
                Tok::TagDirective { handle, prefix } => {
                    let name = &self.src[handle.0..handle.1];
                    if self.tags.iter().any(|(h, _)| &self.src[h.0..h.1] == name) {
                        return Err(syntax(ErrorCode::YamlDuplicateTagHandle, token.start));
                    }
                    self.tags.push((handle, prefix));
                }
                Tok::ReservedDirective => {}
                _ => return Ok(()),
            }
            self.scanner.skip();
        }
    }

    /// Parses a node's properties and content.
    fn node<S: Sink + ?Sized>(&mut self, sink: &mut S, block: bool, indentless: bool) -> Result<(), Error> {
        let indicator_end = core::mem::replace(&mut self.indicator_end, usize::MAX);
        let token = self.scanner.peek()?;
        if matches!(token.tok, Tok::Scalar { .. }) {
            // The common case: a scalar without properties.
            let token = self.scanner.next()?;
            self.state = self.pop();
            let start = token.start;
            return self.scalar(sink, token, NodeProps::default(), start);
        }
        if let Tok::Alias(s, e) = token.tok {
            let (start, end) = (token.start, token.end);
            self.scanner.skip();
            let name = &self.src[s..e];
            if !self.anchors.contains(name) {
                return Err(Error::new(ErrorCode::YamlUndefinedAlias, Span::new(start as u64, end as u64)));
            }
            self.state = self.pop();
            return self.emit(sink, EventKind::Alias(name), start, end);
        }
        let mut props = NodeProps::default();
        loop {
            let token = self.scanner.peek()?;
            match &token.tok {
                Tok::Anchor(s, e) => {
                    if props.anchor.is_some() {
                        return Err(syntax(ErrorCode::YamlTwoAnchors, token.start));
                    }
                    props.anchor = Some((*s, *e));
                    props.start.get_or_insert(token.start);
                    self.scanner.skip();
                }
                Tok::Tag { .. } => {
                    if props.tag {
                        return Err(syntax(ErrorCode::YamlTwoTags, token.start));
                    }
                    let start = token.start;
                    let token = self.scanner.next()?;
                    self.resolve_tag(&token)?;
                    props.tag = true;
                    props.start.get_or_insert(start);
                }
                _ => break,
            }
        }
        if let Some((s, e)) = props.anchor {
            self.anchors.insert(&self.src[s..e]);
        }
        let token = self.scanner.peek()?;
        let start = props.start.unwrap_or(token.start);
        let block_at = token.start;
        let opens = matches!(
            token.tok,
            Tok::BlockEntry
                | Tok::FlowSequenceStart
                | Tok::FlowMappingStart
                | Tok::BlockSequenceStart
                | Tok::BlockMappingStart
        );
        let opens_block = matches!(token.tok, Tok::BlockMappingStart | Tok::BlockSequenceStart);
        let opens_sequence = matches!(token.tok, Tok::BlockSequenceStart);
        if opens && !self.scanner.asides.is_empty() {
            if opens_block && props.start.is_none() {
                // Comments on their own lines, indented as deep as a nested block's first entry, are its first
                // lines (`-` / `  # c` / `  k: v`): they go inside it. Those less indented come before it.
                let column = start - self.src[..start].iter().rposition(|&b| b == b'\n').map_or(0, |nl| nl + 1);
                self.flush_asides_while(sink, |aside| {
                    let first_lines = column > 0 && !aside.blank && !aside.trailing && aside.column >= column;
                    // A comment on the indicator's line (`- # c`) and blank lines after the indicator also go inside,
                    // except before a sequence that is a mapping's key or value (`key: # c` / `  - a`): there they
                    // stay with the key, where the writer puts them, as for a sequence written at the key's column.
                    let after_indicator =
                        !(indentless && opens_sequence) && aside.at > indicator_end && (aside.blank || aside.trailing);
                    aside.at < start && !first_lines && !after_indicator
                })?;
            } else {
                self.flush_asides(sink, start, None)?;
                if opens_block && indentless {
                    // A mapping's value: a comment after the properties, on their line (`key: !t # c` / `  - a`),
                    // stays with the key, as it does when the properties are on the block's first line (`key: # c`
                    // / `  !t` / ...): formatting writes it there, and reading that back must not move it into the
                    // block. (`indentless` is set for mapping values only. Elsewhere, e.g. at the root, the writer
                    // puts a comment before a collection on a line of its own, so this one stays inside.)
                    self.flush_asides_while(sink, |aside| aside.trailing && !aside.blank && aside.at < block_at)?;
                }
            }
        }
        let token = self.scanner.peek()?;
        match &token.tok {
            Tok::BlockEntry if indentless => {
                self.state = State::IndentlessSequenceEntry;
                let at = token.start;
                let p = self.props(&props);
                sink.event(Event::new(EventKind::SequenceStart(p), Span::new(start as u64, at as u64)))
            }
            Tok::Scalar { .. } => {
                let token = self.scanner.next()?;
                self.state = self.pop();
                self.scalar(sink, token, props, start)
            }
            Tok::FlowSequenceStart => {
                let end = token.end;
                self.scanner.skip();
                self.state = State::FlowSequenceFirstEntry;
                let p = self.props(&props);
                sink.event(Event::new(EventKind::SequenceStart(p), Span::new(start as u64, end as u64)))
            }
            Tok::FlowMappingStart => {
                let end = token.end;
                self.scanner.skip();
                self.state = State::FlowMappingFirstKey;
                let p = self.props(&props);
                sink.event(Event::new(EventKind::MappingStart(p), Span::new(start as u64, end as u64)))
            }
            Tok::BlockSequenceStart if block => {
                let end = token.end;
                self.scanner.skip();
                self.state = State::BlockSequenceEntry;
                let p = self.props(&props);
                sink.event(Event::new(EventKind::SequenceStart(p), Span::new(start as u64, end as u64)))
            }
            Tok::BlockMappingStart if block => {
                let end = token.end;
                self.scanner.skip();
                self.state = State::BlockMappingKey;
                let p = self.props(&props);
                sink.event(Event::new(EventKind::MappingStart(p), Span::new(start as u64, end as u64)))
            }
            _ if props.start.is_some() => {
                let at = token.start;
                self.state = self.pop();
                self.empty_scalar(sink, at, props)
            }
            _ => Err(syntax(ErrorCode::YamlExpectedNode, token.start)),
        }
    }

    /// Props borrowing the source and the resolved tag.
    fn props(&self, props: &NodeProps) -> Props<'_> {
        Props { anchor: props.anchor.map(|(s, e)| &self.src[s..e]), tag: props.tag.then_some(self.tag.as_slice()) }
    }

    /// Resolves a tag token into `self.tag`: handle expanded through the `%TAG` directives, suffix decoded.
    fn resolve_tag(&mut self, token: &Token) -> Result<(), Error> {
        let Tok::Tag { handle, suffix } = &token.tok else { return Ok(()) };
        let suffix = self.scanner.text(*suffix);
        self.tag.clear();
        let name = &self.src[handle.0..handle.1];
        if name.is_empty() {
            self.tag.extend_from_slice(suffix);
            return Ok(());
        }
        let prefix = self.tags.iter().find(|(h, _)| &self.src[h.0..h.1] == name).map(|(_, p)| &self.src[p.0..p.1]);
        match (prefix, name) {
            (Some(prefix), _) => self.tag.extend_from_slice(prefix),
            (None, b"!") => self.tag.push(b'!'),
            (None, b"!!") => self.tag.extend_from_slice(CORE_TAG_PREFIX),
            (None, _) => {
                return Err(Error::new(
                    ErrorCode::YamlUndefinedTagHandle,
                    Span::new(token.start as u64, token.end as u64),
                ));
            }
        }
        self.tag.extend_from_slice(suffix);
        Ok(())
    }

    fn scalar<S: Sink + ?Sized>(
        &mut self,
        sink: &mut S,
        token: Token,
        props: NodeProps,
        start: usize,
    ) -> Result<(), Error> {
        let Tok::Scalar { text, style } = &token.tok else { return Ok(()) };
        if !self.scanner.asides.is_empty() {
            self.flush_asides(sink, start, None)?;
        }
        let bytes = self.scanner.text(*text);
        let kind = if props.tag {
            match self.tag.strip_prefix(CORE_TAG_PREFIX) {
                Some(b"str") => ScalarKind::String,
                Some(b"int") => ScalarKind::Integer,
                Some(b"float") => ScalarKind::Float,
                Some(b"bool") => ScalarKind::Bool,
                Some(b"null") => ScalarKind::Null,
                _ if self.tag == b"!" => ScalarKind::String,
                _ if *style == Style::Plain => core_kind(bytes),
                _ => ScalarKind::String,
            }
        } else if *style == Style::Plain {
            core_kind(bytes)
        } else {
            ScalarKind::String
        };
        let style = match style {
            Style::Plain => ScalarStyle::Plain,
            Style::Single => ScalarStyle::SingleQuoted,
            Style::Double => ScalarStyle::DoubleQuoted,
            Style::Literal => ScalarStyle::Literal,
            Style::Folded => ScalarStyle::Folded,
        };
        let props =
            Props { anchor: props.anchor.map(|(s, e)| &self.src[s..e]), tag: props.tag.then_some(self.tag.as_slice()) };
        let scalar = Scalar { text: bytes, kind, style, props };
        sink.event(Event::new(EventKind::Scalar(scalar), Span::new(start as u64, token.end as u64)))
    }

    fn empty_scalar<S: Sink + ?Sized>(&mut self, sink: &mut S, at: usize, props: NodeProps) -> Result<(), Error> {
        let start = props.start.unwrap_or(at);
        if !self.scanner.asides.is_empty() {
            self.flush_asides(sink, start, None)?;
        }
        let kind = if props.tag && self.tag.strip_prefix(CORE_TAG_PREFIX) != Some(b"null") {
            ScalarKind::String
        } else {
            ScalarKind::Null
        };
        let props =
            Props { anchor: props.anchor.map(|(s, e)| &self.src[s..e]), tag: props.tag.then_some(self.tag.as_slice()) };
        let scalar = Scalar { text: b"", kind, style: ScalarStyle::Plain, props };
        sink.event(Event::new(EventKind::Scalar(scalar), Span::new(start as u64, at.max(start) as u64)))
    }

    fn block_sequence_entry<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<(), Error> {
        let token = self.scanner.next()?;
        match token.tok {
            Tok::BlockEntry => {
                let next = self.scanner.peek()?;
                if is(next, |t| matches!(t, Tok::BlockEntry | Tok::BlockEnd { .. })) {
                    let at = token.end;
                    self.empty_scalar(sink, at, NodeProps::default())
                } else {
                    self.states.push(State::BlockSequenceEntry);
                    self.indicator_end = token.end;
                    self.node(sink, true, false)
                }
            }
            Tok::BlockEnd { .. } => {
                self.state = self.pop();
                self.emit_block_end(sink, EventKind::SequenceEnd, &token)
            }
            _ => Err(syntax(ErrorCode::YamlExpectedSequenceEntry, token.start)),
        }
    }

    fn indentless_sequence_entry<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<(), Error> {
        let token = self.scanner.peek()?;
        if !matches!(token.tok, Tok::BlockEntry) {
            // The sequence ends where its mapping goes on (a key at the entries' column: comments before it
            // belong to that key) or closes (comments indented at least as deep as the mapping stay inside).
            let at = token.start;
            let floor = match token.tok {
                Tok::BlockEnd { indent } => indent,
                _ => usize::MAX,
            };
            self.state = self.pop();
            if !self.scanner.asides.is_empty() {
                self.flush_asides(sink, at, Some(floor))?;
            }
            return sink.event(Event::new(EventKind::SequenceEnd, Span::at(at as u64)));
        }
        let end = token.end;
        self.scanner.skip();
        let next = self.scanner.peek()?;
        if is(next, |t| matches!(t, Tok::BlockEntry | Tok::Key | Tok::Value | Tok::BlockEnd { .. })) {
            self.empty_scalar(sink, end, NodeProps::default())
        } else {
            self.states.push(State::IndentlessSequenceEntry);
            self.indicator_end = end;
            self.node(sink, true, false)
        }
    }

    fn block_mapping_key<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<(), Error> {
        let token = self.scanner.peek()?;
        match token.tok {
            Tok::Key => {
                let end = token.end;
                self.scanner.skip();
                let next = self.scanner.peek()?;
                if is(next, |t| matches!(t, Tok::Key | Tok::Value | Tok::BlockEnd { .. })) {
                    self.state = State::BlockMappingValue;
                    self.empty_scalar(sink, end, NodeProps::default())
                } else {
                    self.states.push(State::BlockMappingValue);
                    self.indicator_end = end;
                    self.node(sink, true, true)
                }
            }
            Tok::Value => {
                let at = token.start;
                self.state = State::BlockMappingValue;
                self.empty_scalar(sink, at, NodeProps::default())
            }
            Tok::BlockEnd { .. } => {
                let token = self.scanner.next()?;
                self.state = self.pop();
                self.emit_block_end(sink, EventKind::MappingEnd, &token)
            }
            _ => Err(syntax(ErrorCode::YamlExpectedMappingKey, token.start)),
        }
    }

    fn block_mapping_value<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<(), Error> {
        let token = self.scanner.peek()?;
        if !matches!(token.tok, Tok::Value) {
            let at = token.start;
            self.state = State::BlockMappingKey;
            return self.empty_scalar(sink, at, NodeProps::default());
        }
        let end = token.end;
        self.scanner.skip();
        let next = self.scanner.peek()?;
        if is(next, |t| matches!(t, Tok::Key | Tok::Value | Tok::BlockEnd { .. })) {
            self.state = State::BlockMappingKey;
            self.empty_scalar(sink, end, NodeProps::default())
        } else {
            self.states.push(State::BlockMappingKey);
            self.indicator_end = end;
            self.node(sink, true, true)
        }
    }

    fn flow_sequence_entry<S: Sink + ?Sized>(&mut self, sink: &mut S, first: bool) -> Result<(), Error> {
        let token = self.scanner.peek()?;
        if !matches!(token.tok, Tok::FlowSequenceEnd) {
            self.flow_separator(first, ErrorCode::YamlExpectedFlowSequenceSeparator)?;
            let token = self.scanner.peek()?;
            match token.tok {
                Tok::Key => {
                    let (start, end) = (token.start, token.end);
                    self.scanner.skip();
                    self.state = State::FlowSequenceEntryMappingKey;
                    return self.emit(sink, EventKind::MappingStart(Props::NONE), start, end);
                }
                Tok::Value => {
                    let start = token.start;
                    self.state = State::FlowSequenceEntryMappingKey;
                    return self.emit(sink, EventKind::MappingStart(Props::NONE), start, start);
                }
                Tok::FlowSequenceEnd => {}
                _ => {
                    self.states.push(State::FlowSequenceEntry);
                    return self.node(sink, false, false);
                }
            }
        }
        let token = self.scanner.next()?;
        self.state = self.pop();
        self.emit(sink, EventKind::SequenceEnd, token.start, token.end)
    }

    /// Between the entries of a flow collection: a `,` (none before the first entry).
    fn flow_separator(&mut self, first: bool, code: ErrorCode) -> Result<(), Error> {
        if first {
            return Ok(());
        }
        let token = self.scanner.peek()?;
        if !matches!(token.tok, Tok::FlowEntry) {
            return Err(syntax(code, token.start));
        }
        self.scanner.skip();
        Ok(())
    }

    fn flow_mapping_key<S: Sink + ?Sized>(&mut self, sink: &mut S, first: bool) -> Result<(), Error> {
        let token = self.scanner.peek()?;
        if !matches!(token.tok, Tok::FlowMappingEnd) {
            self.flow_separator(first, ErrorCode::YamlExpectedFlowMappingSeparator)?;
            let token = self.scanner.peek()?;
            match token.tok {
                Tok::Key => {
                    let end = token.end;
                    self.scanner.skip();
                    let next = self.scanner.peek()?;
                    if is(next, |t| matches!(t, Tok::Value | Tok::FlowEntry | Tok::FlowMappingEnd)) {
                        self.state = State::FlowMappingValue;
                        return self.empty_scalar(sink, end, NodeProps::default());
                    }
                    self.states.push(State::FlowMappingValue);
                    return self.node(sink, false, false);
                }
                Tok::Value => {
                    let at = token.start;
                    self.state = State::FlowMappingValue;
                    return self.empty_scalar(sink, at, NodeProps::default());
                }
                Tok::FlowMappingEnd => {}
                _ => {
                    self.states.push(State::FlowMappingEmptyValue);
                    return self.node(sink, false, false);
                }
            }
        }
        let token = self.scanner.next()?;
        self.state = self.pop();
        self.emit(sink, EventKind::MappingEnd, token.start, token.end)
    }

    fn flow_mapping_value<S: Sink + ?Sized>(&mut self, sink: &mut S, empty: bool) -> Result<(), Error> {
        let token = self.scanner.peek()?;
        let at = token.start;
        if empty {
            self.state = State::FlowMappingKey;
            return self.empty_scalar(sink, at, NodeProps::default());
        }
        if matches!(token.tok, Tok::Value) {
            let end = token.end;
            self.scanner.skip();
            let next = self.scanner.peek()?;
            if !is(next, |t| matches!(t, Tok::FlowEntry | Tok::FlowMappingEnd)) {
                self.states.push(State::FlowMappingKey);
                return self.node(sink, false, false);
            }
            self.state = State::FlowMappingKey;
            return self.empty_scalar(sink, end, NodeProps::default());
        }
        self.state = State::FlowMappingKey;
        self.empty_scalar(sink, at, NodeProps::default())
    }
}

fn push_aside<S: Sink + ?Sized>(src: &[u8], aside: Aside, sink: &mut S) -> Result<(), Error> {
    let span = Span::new(aside.at as u64, aside.end as u64);
    if aside.blank {
        return sink.event(Event::new(EventKind::BlankLine, span));
    }
    let text = &src[aside.at + 1..aside.end];
    let comment = Comment { text, style: CommentStyle::Line, trailing: aside.trailing };
    sink.event(Event::new(EventKind::Comment(comment), span))
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::error::{Detail, ErrorCode};
    use crate::event::{Event, EventKind};
    use crate::limits::Limits;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    /// The events of `src` in a compact notation: scalars as their text, comments as `#text` (`#>` when
    /// trailing), blank lines as `_`, collections as `{` `}` `[` `]`.
    fn events(src: &str) -> String {
        let mut out = Vec::new();
        read(src.as_bytes(), &Limits::DEFAULT, &mut |e: Event<'_>| {
            out.push(match e.kind {
                EventKind::Scalar(s) => String::from_utf8_lossy(s.text).into_owned(),
                EventKind::Comment(c) => {
                    format!("#{}{}", if c.trailing { ">" } else { "" }, String::from_utf8_lossy(c.text))
                }
                EventKind::BlankLine => "_".into(),
                EventKind::MappingStart(_) => "{".into(),
                EventKind::MappingEnd => "}".into(),
                EventKind::SequenceStart(_) => "[".into(),
                EventKind::SequenceEnd => "]".into(),
                EventKind::DocumentStart { .. } | EventKind::DocumentEnd { .. } => return Ok(()),
                EventKind::StreamStart | EventKind::StreamEnd => return Ok(()),
                EventKind::Alias(a) => format!("*{}", String::from_utf8_lossy(a)),
            });
            Ok(())
        })
        .unwrap();
        out.join(" ")
    }

    #[test]
    fn comments_and_blank_lines_in_order() {
        assert_eq!(events("# head\na: 1 # one\n\n\nb: 2\n"), "# head { a 1 #> one _ b 2 }");
        assert_eq!(events("a:\n  b: 1\n  # inner\n# outer\nc: 2\n"), "{ a { b 1 # inner } # outer c 2 }");
        assert_eq!(events("- x\n\n# about y\n- y\n"), "[ x _ # about y y ]");
        assert_eq!(events("a: |\n  text\n# after\nb: 1\n"), "{ a text\n # after b 1 }");
        assert_eq!(events("k: v # c\n# own\n"), "{ k v #> c # own }");
        // A sequence level with its key ends before a comment at the next key's column or less.
        assert_eq!(events("a:\n  b:\n  - x\n# c\nd: 1\n"), "{ a { b [ x ] } # c d 1 }");
        assert_eq!(events("b:\n- x\n# c\nd: 1\n"), "{ b [ x ] # c d 1 }");
    }

    #[test]
    fn text_checks() {
        let ok =
            |src: &[u8]| read(src, &Limits::DEFAULT, &mut |_: Event<'_>| Ok(())).map_err(|e| (e.code, e.span.start));
        let long = "é".repeat(100);
        assert!(ok(format!("a: {long}\n").as_bytes()).is_ok());
        let mut bad = format!("a: {long}").into_bytes();
        bad[40] = 0xff;
        assert_eq!(ok(&bad), Err((ErrorCode::InvalidUtf8, 39)));
        let mut cut = format!("a: {}", "x".repeat(61)).into_bytes();
        cut.extend_from_slice(&"é".as_bytes()[..1]);
        cut.extend_from_slice(b"bc\n");
        assert_eq!(ok(&cut), Err((ErrorCode::InvalidUtf8, 64)));
        assert_eq!(ok(b"a: b\x01\n"), Err((ErrorCode::ControlCharacter, 4)));
        assert_eq!(ok("a: \u{85}\n".as_bytes()).map_err(|e| e.1), Ok(()));
        assert_eq!(ok("a: \u{9f}\n".as_bytes()).map_err(|e| e.1), Err(3));
    }

    #[test]
    fn merge_keys_are_spotted_in_the_text_check() {
        let merge = |src: &str| super::check(src.as_bytes()).unwrap().may_have_merge_keys();
        assert!(!merge("a: 1\nb: <c>\n"));
        assert!(merge("a:\n  <<: *b\n"));
        // A `<<` across the check's 64-byte chunks.
        let straddle = format!("{}<<: *b\n", "x".repeat(63));
        assert!(merge(&straddle));
        assert!(!merge(&format!("{}<x<", "y".repeat(63))));
        let anchors = |src: &str| super::check(src.as_bytes()).unwrap().may_have_anchors();
        assert!(!anchors("a: 1\n"));
        assert!(anchors(&format!("{}a: &x 1\n", "#".repeat(100))));
    }

    #[test]
    fn depth_limit() {
        let deep = "[".repeat(100_000);
        let err = read(deep.as_bytes(), &Limits::DEFAULT, &mut |_: Event<'_>| Ok(())).unwrap_err();
        assert_eq!((err.code, err.detail), (ErrorCode::DepthLimit, Detail::Limit(1024)));
        let mut block = String::new();
        for i in 0..2000 {
            block.push_str(&" ".repeat(i));
            block.push_str("- \n");
        }
        let err = read(block.as_bytes(), &Limits::DEFAULT, &mut |_: Event<'_>| Ok(())).unwrap_err();
        assert_eq!(err.code, ErrorCode::DepthLimit, "{err:?}");
    }
}
