//! A document held in memory, for the jobs that need to see all of it before writing (sorting keys).
//!
//! The tree is an arena: every event is recorded into one `Vec`, every byte of text into another, and the
//! nesting is a table of indices. Building it is one pass; dropping it is two frees. Replaying it pushes the same
//! events into any sink, with mapping entries sorted by key when asked.

use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::source::Span;
use alloc::vec::Vec;
use core::ops::Range;

#[derive(Clone, Copy, Debug)]
enum Kind {
    StreamStart,
    StreamEnd,
    DocumentStart(bool),
    DocumentEnd(bool),
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar(ScalarKind, ScalarStyle),
    Alias,
    Comment(CommentStyle, bool),
    BlankLine,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    kind: Kind,
    span: Span,
    text: (u32, u32),
    /// For a start event, the index of its end event; otherwise its own index.
    end: u32,
}

/// A recorded event stream: build it by pushing events into it (it is a [`Sink`]), then [`Tree::replay`].
///
/// Anchors and tags are not recorded yet: JSON has none (the YAML reader will add them).
#[derive(Debug)]
pub struct Tree {
    nodes: Vec<Node>,
    text: Vec<u8>,
    open: Vec<u32>,
    max_held: u64,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    /// An empty tree, as large as memory allows (up to 4 GiB of text).
    pub fn new() -> Self {
        Tree::bounded(u64::MAX)
    }

    /// An empty tree that refuses to hold more than `max_held` bytes ([`crate::Limits::max_held_bytes`]: its
    /// text and 32 bytes per event).
    pub fn bounded(max_held: u64) -> Self {
        Tree { nodes: Vec::new(), text: Vec::new(), open: Vec::new(), max_held }
    }

    fn text(&self, node: &Node) -> &[u8] {
        &self.text[node.text.0 as usize..node.text.1 as usize]
    }

    fn event(&self, i: usize) -> Event<'_> {
        let node = &self.nodes[i];
        let text = self.text(node);
        let kind = match node.kind {
            Kind::StreamStart => EventKind::StreamStart,
            Kind::StreamEnd => EventKind::StreamEnd,
            Kind::DocumentStart(explicit) => EventKind::DocumentStart { explicit },
            Kind::DocumentEnd(explicit) => EventKind::DocumentEnd { explicit },
            Kind::MappingStart => EventKind::MappingStart(Props::NONE),
            Kind::MappingEnd => EventKind::MappingEnd,
            Kind::SequenceStart => EventKind::SequenceStart(Props::NONE),
            Kind::SequenceEnd => EventKind::SequenceEnd,
            Kind::Scalar(kind, style) => EventKind::Scalar(Scalar { text, kind, style, props: Props::NONE }),
            Kind::Alias => EventKind::Alias(text),
            Kind::Comment(style, trailing) => EventKind::Comment(Comment { text, style, trailing }),
            Kind::BlankLine => EventKind::BlankLine,
        };
        Event::new(kind, node.span)
    }

    /// Pushes the recorded events into `sink`, with the entries of every mapping sorted by key when `sort_keys`
    /// (by Unicode code point of the decoded key; entries with equal keys keep their order). A comment moves with
    /// the entry it precedes, or follows on the same line.
    pub fn replay<S: Sink>(&self, sink: &mut S, sort_keys: bool) -> Result<(), Error> {
        // An explicit stack of pending ranges, so that depth costs heap, not native stack.
        let mut work: Vec<Range<usize>> = Vec::new();
        work.push(0..self.nodes.len());
        while let Some(range) = work.pop() {
            let mut i = range.start;
            while i < range.end {
                let node = self.nodes[i];
                sink.event(self.event(i))?;
                if sort_keys && matches!(node.kind, Kind::MappingStart) {
                    let end = node.end as usize;
                    // Resume after the mapping once its sorted entries are done.
                    work.push(end..range.end);
                    let entries = self.sorted_entries(i + 1, end);
                    for entry in entries.into_iter().rev() {
                        work.push(entry);
                    }
                    break;
                }
                i += 1;
            }
        }
        Ok(())
    }

    /// The entries of the mapping whose contents are `start..end` (the end event included last), sorted by key.
    fn sorted_entries(&self, start: usize, end: usize) -> Vec<Range<usize>> {
        let mut entries: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
        let mut i = start;
        let mut entry_start = start;
        while i < end {
            if let Kind::Comment(..) = self.nodes[i].kind {
                i += 1;
                continue;
            }
            let key = i;
            let value = self.nodes[key].end as usize + 1;
            if value >= end {
                break; // malformed: a key without a value; leave the rest in place
            }
            let mut next = self.nodes[value].end as usize + 1;
            while next < end && matches!(self.nodes[next].kind, Kind::Comment(_, true)) {
                next += 1;
            }
            let key_node = &self.nodes[key];
            let order = match key_node.kind {
                Kind::Scalar(_, style) => crate::event::decoded(self.text(key_node), style).into_owned(),
                _ => self.text(key_node).to_vec(),
            };
            entries.push((entry_start..next, order));
            entry_start = next;
            i = next;
        }
        entries.sort_by(|a, b| a.1.cmp(&b.1));
        let mut ranges: Vec<Range<usize>> = entries.into_iter().map(|(r, _)| r).collect();
        // What follows the last entry (comments before the closing bracket, and the bracket) stays last.
        ranges.push(entry_start..end);
        ranges
    }
}

impl Sink for Tree {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let (kind, text): (Kind, &[u8]) = match event.kind {
            EventKind::StreamStart => (Kind::StreamStart, b""),
            EventKind::StreamEnd => (Kind::StreamEnd, b""),
            EventKind::DocumentStart { explicit } => (Kind::DocumentStart(explicit), b""),
            EventKind::DocumentEnd { explicit } => (Kind::DocumentEnd(explicit), b""),
            EventKind::MappingStart(_) => (Kind::MappingStart, b""),
            EventKind::MappingEnd => (Kind::MappingEnd, b""),
            EventKind::SequenceStart(_) => (Kind::SequenceStart, b""),
            EventKind::SequenceEnd => (Kind::SequenceEnd, b""),
            EventKind::Scalar(s) => (Kind::Scalar(s.kind, s.style), s.text),
            EventKind::Alias(name) => (Kind::Alias, name),
            EventKind::Comment(c) => (Kind::Comment(c.style, c.trailing), c.text),
            EventKind::BlankLine => (Kind::BlankLine, b""),
        };
        let held = self.text.len() + text.len() + self.nodes.len() * core::mem::size_of::<Node>();
        if held as u64 > self.max_held {
            return Err(Error::with(ErrorCode::HeldBytesLimit, Detail::Limit(self.max_held), event.span));
        }
        let index = u32::try_from(self.nodes.len()).map_err(|_| too_large(event.span))?;
        let start = u32::try_from(self.text.len()).map_err(|_| too_large(event.span))?;
        self.text.extend_from_slice(text);
        let end = u32::try_from(self.text.len()).map_err(|_| too_large(event.span))?;
        self.nodes.push(Node { kind, span: event.span, text: (start, end), end: index });
        match kind {
            Kind::MappingStart | Kind::SequenceStart | Kind::DocumentStart(_) => self.open.push(index),
            Kind::MappingEnd | Kind::SequenceEnd | Kind::DocumentEnd(_) => {
                if let Some(open) = self.open.pop() {
                    self.nodes[open as usize].end = index;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn too_large(span: Span) -> Error {
    Error::new(ErrorCode::TooLargeToHold, span)
}
