//! Alias expansion and merge keys: the step that turns a YAML event stream into plain data.
//!
//! [`Resolve`] is a sink adapter in two stages.
//!
//! The first stage records every anchored node while it is open (copied into an arena, because events borrow the
//! reader's buffer) and replays the recording where an alias stands. An alias met inside an anchored node is
//! recorded as a reference to the recording it names, not as its expansion, so the arena grows with the input and
//! never with the expansion. Each recording also knows how many nodes it expands to, so an alias that would exceed
//! the budget fails before a single event of it is replayed: the "billion laughs" document fails at once, in flat
//! memory. Anchors are local to their document; the budget covers the whole input.
//!
//! The second stage applies merge keys (`<<`, <https://yaml.org/type/merge.html>). A mapping streams until a `<<`
//! key arrives; from there to its end it is buffered, because a key written after the `<<` entry still overrides
//! a merged one. Mappings nested in the buffered part are resolved in place as they close, so that when the
//! outermost one closes every mapping it merges is already resolved. Mappings without `<<` never buffer: without
//! anchors and merge keys, every event goes straight through.

use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::source::Span;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::ops::Range;

/// The tag of the merge key when it is written out (`!!merge <<`).
const MERGE_TAG: &[u8] = b"tag:yaml.org,2002:merge";

/// Expands aliases and applies merge keys, forwarding everything else unchanged.
///
/// Replayed events keep the spans of the node they copy, carry its tag and drop its anchor. Nodes produced by
/// expansion (each scalar, mapping and sequence of a replayed node, which includes everything a `<<` entry merges
/// through an alias) count against `max_nodes` for the whole input; an alias that would go past it fails with
/// [`ErrorCode::AliasLimit`] before any of it is replayed.
#[derive(Debug)]
pub struct Resolve<S> {
    merge: Merge<S>,
    max_nodes: u64,
    /// Nodes produced by expansion so far.
    expanded: u64,
    /// Bytes expansion may produce ([`crate::Limits::alias_bytes_for`]), and has produced so far: the text of
    /// each expanded node, and [`NODE_BYTES`] for its structure.
    max_bytes: u64,
    expanded_bytes: u64,
    /// Deepest nesting an expansion may reach, counted from the document's root.
    max_depth: u32,
    /// Bytes recorded into the arena so far, counted as [`Resolve::expanded_bytes`] counts them (a reference as
    /// the bytes it expands to).
    bytes: u64,
    /// The anchored nodes of the current document, and everything nested in them.
    arena: Arena,
    /// Nodes recorded into the arena so far, a reference counting as the nodes it expands to: the difference
    /// between two readings is the expanded size of what was recorded in between.
    weight: u64,
    /// The latest definition of each anchor in the current document.
    defs: BTreeMap<Vec<u8>, Def>,
    /// Anchored mappings and sequences still open, innermost last.
    open: Vec<Open>,
    /// Open mappings and sequences in the source.
    depth: u32,
    /// Pending ranges of a replay, so that references nested in references cost heap, not native stack.
    stack: Vec<(u32, u32)>,
}

/// A closed anchored node: its records, how many nodes and bytes it expands to, and how deep it nests (1 for
/// a mapping or sequence of scalars, 0 for a scalar).
#[derive(Clone, Copy, Debug)]
struct Def {
    start: u32,
    end: u32,
    weight: u64,
    bytes: u64,
    depth: u32,
}

/// What an expanded node costs besides its text, for the byte budget: about what its punctuation, indentation
/// and key take in the output.
const NODE_BYTES: u64 = 16;

/// An anchored mapping or sequence that has not ended yet.
#[derive(Clone, Copy, Debug)]
struct Open {
    /// Its start record.
    start: u32,
    /// The source depth inside it.
    depth: u32,
    /// [`Resolve::weight`] and [`Resolve::bytes`] before it.
    weight: u64,
    bytes: u64,
    /// The deepest source depth reached inside it, references counted with their own depth.
    deepest: u32,
}

impl<S: Sink> Resolve<S> {
    /// Forwards to `inner`, expanding aliases into at most `max_nodes` nodes (see
    /// [`crate::Limits::alias_nodes_for`]) and applying `<<` merge keys when `merge_keys`.
    pub fn new(inner: S, max_nodes: u64, merge_keys: bool) -> Self {
        Resolve {
            merge: Merge::new(inner, merge_keys),
            max_nodes,
            expanded: 0,
            max_bytes: u64::MAX,
            expanded_bytes: 0,
            max_depth: u32::MAX,
            bytes: 0,
            arena: Arena::default(),
            weight: 0,
            defs: BTreeMap::new(),
            open: Vec::new(),
            depth: 0,
            stack: Vec::new(),
        }
    }

    /// Also bounds expansion to `max_bytes` bytes ([`crate::Limits::alias_bytes_for`]) and to a nesting depth
    /// of `max_depth` counted from the root (an alias inside a deep node, of a deep node, nests the two), and
    /// the recordings to `max_held` bytes of memory ([`crate::Limits::max_held_bytes`]).
    pub fn bounded(mut self, max_bytes: u64, max_depth: u32, max_held: u64) -> Self {
        self.max_bytes = max_bytes;
        self.max_depth = max_depth;
        self.arena.max_held = max_held;
        self.merge.buf.max_held = max_held;
        self
    }

    /// The sink the resolved events go to.
    pub fn into_inner(self) -> S {
        self.merge.inner
    }

    /// Records one more node (or the end of one) while an anchored node is open.
    fn record(&mut self, event: &Event<'_>, node: bool) -> Result<u32, Error> {
        if node {
            self.weight = self.weight.saturating_add(1);
            let text = match event.kind {
                EventKind::Scalar(scalar) => scalar.text.len() as u64,
                _ => 0,
            };
            self.bytes = self.bytes.saturating_add(text + NODE_BYTES);
        }
        self.arena.record(event)
    }

    fn define(&mut self, start: u32, end: u32, weight: u64, bytes: u64, depth: u32) {
        let Some(name) = self.arena.recs.get(start as usize).and_then(|rec| rec.anchor) else { return };
        let name = self.arena.bytes(name);
        let def = Def { start, end, weight, bytes, depth };
        match self.defs.get_mut(name) {
            // An anchor redefined inside the node that closes now started later, so it stays the latest.
            Some(old) if old.start > start => {}
            Some(old) => *old = def,
            None => {
                self.defs.insert(name.to_vec(), def);
            }
        }
    }

    fn alias(&mut self, name: &[u8], span: Span) -> Result<(), Error> {
        let def = self.defs.get(name).copied();
        let open = self.open.iter().rev().find(|open| self.arena.anchor(open.start) == Some(name));
        if let Some(open) = open
            && def.is_none_or(|def| def.start < open.start)
        {
            return Err(Error::new(ErrorCode::YamlRecursiveAlias, span));
        }
        let Some(def) = def else {
            return Err(Error::new(ErrorCode::YamlUndefinedAlias, span));
        };
        if def.weight > self.max_nodes.saturating_sub(self.expanded) {
            return Err(Error::with(ErrorCode::AliasLimit, Detail::Limit(self.max_nodes), span));
        }
        if def.bytes > self.max_bytes.saturating_sub(self.expanded_bytes) {
            return Err(Error::with(ErrorCode::AliasBytesLimit, Detail::Limit(self.max_bytes), span));
        }
        // The alias stands where its node would: one level below the collection it is in.
        if self.depth.saturating_add(def.depth) > self.max_depth {
            return Err(Error::with(ErrorCode::DepthLimit, Detail::Limit(u64::from(self.max_depth)), span));
        }
        self.expanded += def.weight;
        self.expanded_bytes += def.bytes;
        if let Some(open) = self.open.last_mut() {
            open.deepest = open.deepest.max(self.depth.saturating_add(def.depth));
            self.arena.push(Kind::Ref { start: def.start, end: def.end }, span, b"", Props::NONE)?;
            self.weight = self.weight.saturating_add(def.weight);
            self.bytes = self.bytes.saturating_add(def.bytes);
        }
        replay(&self.arena, (def.start, def.end), &mut self.stack, &mut self.merge)
    }

    /// Anchors do not reach past their document.
    fn forget(&mut self) {
        self.arena.clear();
        self.defs.clear();
        self.open.clear();
        self.weight = 0;
        self.bytes = 0;
    }
}

impl<S: Sink> Sink for Resolve<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::Alias(name) => return self.alias(name, event.span),
            EventKind::MappingStart(props) | EventKind::SequenceStart(props) => {
                self.depth = self.depth.saturating_add(1);
                if props.anchor.is_some() {
                    let (weight, bytes, depth) = (self.weight, self.bytes, self.depth);
                    let start = self.record(&event, true)?;
                    self.open.push(Open { start, depth, weight, bytes, deepest: depth });
                } else if let Some(open) = self.open.last_mut() {
                    open.deepest = open.deepest.max(self.depth);
                    self.record(&event, true)?;
                }
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                if let Some(&open) = self.open.last() {
                    let end = self.record(&event, false)?;
                    if open.depth == self.depth {
                        self.open.pop();
                        if let Some(outer) = self.open.last_mut() {
                            outer.deepest = outer.deepest.max(open.deepest);
                        }
                        let (weight, bytes) = (self.weight - open.weight, self.bytes - open.bytes);
                        self.define(open.start, end + 1, weight, bytes, open.deepest - open.depth + 1);
                    }
                }
                self.depth = self.depth.saturating_sub(1);
            }
            EventKind::Scalar(scalar) => {
                if scalar.props.anchor.is_some() {
                    let bytes = self.bytes;
                    let start = self.record(&event, true)?;
                    self.define(start, start + 1, 1, self.bytes - bytes, 0);
                } else if !self.open.is_empty() {
                    self.record(&event, true)?;
                }
            }
            EventKind::DocumentStart { .. } | EventKind::DocumentEnd { .. } => self.forget(),
            EventKind::StreamStart | EventKind::StreamEnd | EventKind::Comment(_) | EventKind::BlankLine => {}
        }
        self.merge.event(event)
    }
}

/// Pushes the recorded events `range` into `sink`, following references, without anchors.
fn replay<S: Sink>(arena: &Arena, range: (u32, u32), stack: &mut Vec<(u32, u32)>, sink: &mut S) -> Result<(), Error> {
    stack.clear();
    stack.push(range);
    while let Some((start, end)) = stack.pop() {
        for i in start..end {
            let rec = &arena.recs[i as usize];
            if let Kind::Ref { start, end: ref_end } = rec.kind {
                // Resume after the reference once the recording it names is done.
                stack.push((i + 1, end));
                stack.push((start, ref_end));
                break;
            }
            sink.event(arena.event(rec, false))?;
        }
    }
    Ok(())
}

/// The merge-key stage.
#[derive(Debug)]
struct Merge<S> {
    inner: S,
    enabled: bool,
    /// Open mappings and sequences, streamed or buffered.
    frames: Vec<Frame>,
    /// The scalar keys of the open streamed mappings (each frame's from `keys_from`), which win over merged ones
    /// if a `<<` entry comes later.
    keys: Vec<Key>,
    key_text: Vec<u8>,
    /// The buffered events: from the first `<<` key of the streamed mapping `buffering` to its end.
    buf: Arena,
    /// The frame index of the streamed mapping whose rest is buffered.
    buffering: Option<usize>,
    /// The record ranges a resolved mapping consists of, in order.
    ranges: Vec<Range<u32>>,
    /// A resolved nested mapping on its way back into `buf`.
    scratch: Vec<Rec>,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    mapping: bool,
    /// The next node is a key.
    key_next: bool,
    /// A `<<` key came.
    merge: bool,
    keys_from: usize,
    text_from: usize,
    /// Its start record, when it is buffered.
    start: u32,
}

#[derive(Clone, Copy, Debug)]
struct Key {
    kind: ScalarKind,
    text: (usize, usize),
}

impl<S: Sink> Merge<S> {
    fn new(inner: S, enabled: bool) -> Self {
        Merge {
            inner,
            enabled,
            frames: Vec::new(),
            keys: Vec::new(),
            key_text: Vec::new(),
            buf: Arena::default(),
            buffering: None,
            ranges: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// A node begins: true when it is a mapping key.
    fn node_start(&mut self) -> bool {
        match self.frames.last_mut() {
            Some(top) if top.mapping => {
                let key = top.key_next;
                top.key_next = !key;
                key
            }
            _ => false,
        }
    }

    /// The buffered mapping closed: emits its resolved tail.
    fn flush(&mut self, frame: Frame) -> Result<(), Error> {
        self.ranges.clear();
        let prior = Prior { keys: &self.keys[frame.keys_from..], text: &self.key_text };
        plan(&self.buf, 0..self.buf.len(), prior, &mut self.ranges)?;
        for range in &self.ranges {
            for i in range.clone() {
                self.inner.event(self.buf.event(&self.buf.recs[i as usize], true))?;
            }
        }
        self.buf.clear();
        self.buffering = None;
        self.keys.truncate(frame.keys_from);
        self.key_text.truncate(frame.text_from);
        Ok(())
    }

    /// Replaces the buffered mapping `start..=end`, the last records of the buffer, by its resolved form.
    fn rewrite(&mut self, start: u32, end: u32) -> Result<(), Error> {
        self.ranges.clear();
        self.ranges.push(start..start + 1);
        plan(&self.buf, start + 1..end, Prior::NONE, &mut self.ranges)?;
        self.ranges.push(end..end + 1);
        self.scratch.clear();
        for range in &self.ranges {
            for i in range.clone() {
                let mut rec = self.buf.recs[i as usize];
                // Records move as whole nodes, so each end moves with its start.
                let to = start + self.scratch.len() as u32;
                rec.end = rec.end - i + to;
                self.scratch.push(rec);
            }
        }
        let last = start + self.scratch.len() as u32 - 1;
        if let Some(first) = self.scratch.first_mut() {
            first.end = last;
        }
        self.buf.recs.truncate(start as usize);
        self.buf.recs.append(&mut self.scratch);
        Ok(())
    }
}

impl<S: Sink> Sink for Merge<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        if !self.enabled {
            return self.inner.event(event);
        }
        match event.kind {
            EventKind::Scalar(scalar) => {
                let key = self.node_start();
                if key && is_merge_key(scalar.text, scalar.style, scalar.props.tag) {
                    if let Some(top) = self.frames.last_mut() {
                        top.merge = true;
                    }
                    if self.buffering.is_none() {
                        self.buffering = Some(self.frames.len() - 1);
                    }
                }
                if self.buffering.is_some() {
                    self.buf.record(&event)?;
                    return Ok(());
                }
                if key {
                    let from = self.key_text.len();
                    self.key_text.extend_from_slice(scalar.text);
                    self.keys.push(Key { kind: scalar.kind, text: (from, self.key_text.len()) });
                }
                self.inner.event(event)
            }
            EventKind::MappingStart(_) | EventKind::SequenceStart(_) => {
                self.node_start();
                let buffered = self.buffering.is_some();
                let start = if buffered { self.buf.record(&event)? } else { 0 };
                self.frames.push(Frame {
                    mapping: matches!(event.kind, EventKind::MappingStart(_)),
                    key_next: true,
                    merge: false,
                    keys_from: self.keys.len(),
                    text_from: self.key_text.len(),
                    start,
                });
                if buffered { Ok(()) } else { self.inner.event(event) }
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                let Some(frame) = self.frames.pop() else { return self.inner.event(event) };
                match self.buffering {
                    None => {
                        self.keys.truncate(frame.keys_from);
                        self.key_text.truncate(frame.text_from);
                        self.inner.event(event)
                    }
                    Some(at) if at == self.frames.len() => {
                        self.flush(frame)?;
                        self.inner.event(event)
                    }
                    Some(_) => {
                        let end = self.buf.record(&event)?;
                        if let Some(rec) = self.buf.recs.get_mut(frame.start as usize) {
                            rec.end = end;
                        }
                        if frame.merge { self.rewrite(frame.start, end) } else { Ok(()) }
                    }
                }
            }
            EventKind::Comment(_) | EventKind::BlankLine if self.buffering.is_some() => {
                self.buf.record(&event)?;
                Ok(())
            }
            _ => self.inner.event(event),
        }
    }
}

/// True for the merge key: a plain, untagged `<<`, or `<<` tagged `!!merge`.
fn is_merge_key(text: &[u8], style: ScalarStyle, tag: Option<&[u8]>) -> bool {
    text == b"<<"
        && match tag {
            None => style == ScalarStyle::Plain,
            Some(tag) => tag == MERGE_TAG,
        }
}

/// Keys of a streamed mapping that came before its buffered part.
#[derive(Clone, Copy)]
struct Prior<'a> {
    keys: &'a [Key],
    text: &'a [u8],
}

impl Prior<'_> {
    const NONE: Prior<'static> = Prior { keys: &[], text: &[] };
}

/// A merge key's identity: the scalar's kind and decoded text.
type KeyId<'a> = (u8, &'a [u8]);

fn key_id(kind: ScalarKind, text: &[u8]) -> KeyId<'_> {
    let kind = match kind {
        ScalarKind::Null => 0,
        ScalarKind::Bool => 1,
        ScalarKind::Integer => 2,
        ScalarKind::Float => 3,
        ScalarKind::String => 4,
        ScalarKind::DateTime => 5,
    };
    (kind, text)
}

/// Lists, into `out`, the record ranges that the mapping entries in `region` of `buf` resolve to: explicit entries
/// in place, and at each `<<` entry the entries it merges whose keys the mapping does not have yet (its own keys,
/// before or after, win; among merged ones the first wins).
///
/// The set of keys seen is built once per mapping that has a `<<` entry, which are rare; the common path never
/// gets here.
fn plan<'a>(buf: &'a Arena, region: Range<u32>, prior: Prior<'a>, out: &mut Vec<Range<u32>>) -> Result<(), Error> {
    let mut seen: BTreeSet<KeyId<'a>> = BTreeSet::new();
    for key in prior.keys {
        seen.insert(key_id(key.kind, &prior.text[key.text.0..key.text.1]));
    }
    for item in Entries::new(buf, region.clone()) {
        if let Item::Entry { key, .. } = item
            && !buf.is_merge_key(key)
            && let Some(id) = buf.key_id(key)
        {
            seen.insert(id);
        }
    }
    for item in Entries::new(buf, region) {
        match item {
            Item::Other(i) => out.push(i..i + 1),
            Item::Entry { key, value: Some(value), .. } if buf.is_merge_key(key) => {
                // Comments between `<<` and its value stay; the key goes.
                out.extend((key + 1..value).map(|i| i..i + 1));
                merge_value(buf, value, &mut seen, out)?;
            }
            Item::Entry { key, end, .. } => out.push(key..end),
        }
    }
    Ok(())
}

/// The entries a `<<` entry's value contributes.
fn merge_value<'a>(
    buf: &'a Arena,
    value: u32,
    seen: &mut BTreeSet<KeyId<'a>>,
    out: &mut Vec<Range<u32>>,
) -> Result<(), Error> {
    let rec = &buf.recs[value as usize];
    match rec.kind {
        Kind::MappingStart => merge_mapping(buf, value, seen, out),
        Kind::SequenceStart => {
            let mut i = value + 1;
            while i < rec.end {
                let item = &buf.recs[i as usize];
                match item.kind {
                    Kind::Comment(..) | Kind::BlankLine => out.push(i..i + 1),
                    Kind::MappingStart => merge_mapping(buf, i, seen, out)?,
                    _ => return Err(not_a_mapping(item.span)),
                }
                i = item.end.max(i) + 1;
            }
            Ok(())
        }
        _ => Err(not_a_mapping(rec.span)),
    }
}

fn merge_mapping<'a>(
    buf: &'a Arena,
    at: u32,
    seen: &mut BTreeSet<KeyId<'a>>,
    out: &mut Vec<Range<u32>>,
) -> Result<(), Error> {
    let end = buf.recs[at as usize].end;
    for item in Entries::new(buf, at + 1..end) {
        match item {
            Item::Other(i) => out.push(i..i + 1),
            Item::Entry { key, end, .. } => {
                if let Some(id) = buf.key_id(key)
                    && !seen.insert(id)
                {
                    continue;
                }
                out.push(key..end);
            }
        }
    }
    Ok(())
}

fn not_a_mapping(span: Span) -> Error {
    Error::new(ErrorCode::YamlInvalidMergeValue, span)
}

/// One step through a mapping's records.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A comment or blank line between entries.
    Other(u32),
    /// A key node at `key`, its value node at `value` (none if the mapping ends first), and the record after.
    Entry { key: u32, value: Option<u32>, end: u32 },
}

/// The entries of a buffered mapping's records.
#[derive(Debug)]
struct Entries<'a> {
    buf: &'a Arena,
    at: u32,
    end: u32,
}

impl<'a> Entries<'a> {
    fn new(buf: &'a Arena, region: Range<u32>) -> Self {
        Entries { buf, at: region.start, end: region.end }
    }

    fn is_other(&self, i: u32) -> bool {
        matches!(self.buf.recs[i as usize].kind, Kind::Comment(..) | Kind::BlankLine)
    }

    /// The record after the node at `i`.
    fn after(&self, i: u32) -> u32 {
        (self.buf.recs[i as usize].end.max(i) + 1).min(self.end)
    }
}

impl Iterator for Entries<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.at >= self.end {
            return None;
        }
        let key = self.at;
        if self.is_other(key) {
            self.at += 1;
            return Some(Item::Other(key));
        }
        let mut value = self.after(key);
        while value < self.end && self.is_other(value) {
            value += 1;
        }
        if value >= self.end {
            self.at = self.end;
            return Some(Item::Entry { key, value: None, end: self.end });
        }
        self.at = self.after(value);
        Some(Item::Entry { key, value: Some(value), end: self.at })
    }
}

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar(ScalarKind, ScalarStyle),
    Comment(CommentStyle, bool),
    BlankLine,
    /// An alias inside an anchored node: the records of the node it names.
    Ref {
        start: u32,
        end: u32,
    },
}

/// A text range in an arena.
type Text = (u32, u32);

/// One recorded event.
#[derive(Clone, Copy, Debug)]
struct Rec {
    kind: Kind,
    span: Span,
    text: Text,
    tag: Option<Text>,
    anchor: Option<Text>,
    /// For a mapping or sequence start in the merge buffer, the index of its end; otherwise its own index.
    end: u32,
}

/// Events copied out of the reader's buffer: one `Vec` of records, one of text, at most `max_held` bytes.
#[derive(Debug)]
struct Arena {
    recs: Vec<Rec>,
    text: Vec<u8>,
    max_held: u64,
}

impl Default for Arena {
    fn default() -> Self {
        Arena { recs: Vec::new(), text: Vec::new(), max_held: u64::MAX }
    }
}

impl Arena {
    fn len(&self) -> u32 {
        // `push` keeps the count within `u32`.
        self.recs.len() as u32
    }

    fn clear(&mut self) {
        self.recs.clear();
        self.text.clear();
    }

    fn bytes(&self, text: Text) -> &[u8] {
        &self.text[text.0 as usize..text.1 as usize]
    }

    fn copy(&mut self, bytes: &[u8], span: Span) -> Result<Text, Error> {
        let start = u32::try_from(self.text.len()).map_err(|_| too_large(span))?;
        let end = u32::try_from(self.text.len() + bytes.len()).map_err(|_| too_large(span))?;
        self.text.extend_from_slice(bytes);
        Ok((start, end))
    }

    fn push(&mut self, kind: Kind, span: Span, text: &[u8], props: Props<'_>) -> Result<u32, Error> {
        let held = (self.text.len() + text.len() + self.recs.len() * core::mem::size_of::<Rec>()) as u64;
        if held > self.max_held {
            return Err(Error::with(ErrorCode::HeldBytesLimit, Detail::Limit(self.max_held), span));
        }
        let index = u32::try_from(self.recs.len()).ok().filter(|&i| i < u32::MAX).ok_or_else(|| too_large(span))?;
        let text = self.copy(text, span)?;
        let tag = props.tag.map(|tag| self.copy(tag, span)).transpose()?;
        let anchor = props.anchor.map(|anchor| self.copy(anchor, span)).transpose()?;
        self.recs.push(Rec { kind, span, text, tag, anchor, end: index });
        Ok(index)
    }

    /// Records a node event, a node's end, a comment or a blank line; other events are not recorded.
    fn record(&mut self, event: &Event<'_>) -> Result<u32, Error> {
        let (kind, text, props): (Kind, &[u8], Props<'_>) = match event.kind {
            EventKind::MappingStart(props) => (Kind::MappingStart, b"", props),
            EventKind::MappingEnd => (Kind::MappingEnd, b"", Props::NONE),
            EventKind::SequenceStart(props) => (Kind::SequenceStart, b"", props),
            EventKind::SequenceEnd => (Kind::SequenceEnd, b"", Props::NONE),
            EventKind::Scalar(s) => (Kind::Scalar(s.kind, s.style), s.text, s.props),
            EventKind::Comment(c) => (Kind::Comment(c.style, c.trailing), c.text, Props::NONE),
            EventKind::BlankLine => (Kind::BlankLine, b"", Props::NONE),
            _ => return Ok(self.len()),
        };
        self.push(kind, event.span, text, props)
    }

    fn anchor(&self, i: u32) -> Option<&[u8]> {
        self.recs.get(i as usize).and_then(|rec| rec.anchor).map(|anchor| self.bytes(anchor))
    }

    fn is_merge_key(&self, i: u32) -> bool {
        let rec = &self.recs[i as usize];
        let Kind::Scalar(_, style) = rec.kind else { return false };
        is_merge_key(self.bytes(rec.text), style, rec.tag.map(|tag| self.bytes(tag)))
    }

    /// The identity of the key at `i` for merging: scalars only, as no other key ever matches.
    fn key_id(&self, i: u32) -> Option<KeyId<'_>> {
        let rec = &self.recs[i as usize];
        let Kind::Scalar(kind, _) = rec.kind else { return None };
        Some(key_id(kind, self.bytes(rec.text)))
    }

    /// The event of `rec`, with its anchor when `anchors`.
    fn event(&self, rec: &Rec, anchors: bool) -> Event<'_> {
        let props = Props {
            anchor: if anchors { rec.anchor.map(|anchor| self.bytes(anchor)) } else { None },
            tag: rec.tag.map(|tag| self.bytes(tag)),
        };
        let text = self.bytes(rec.text);
        let kind = match rec.kind {
            Kind::MappingStart => EventKind::MappingStart(props),
            Kind::MappingEnd => EventKind::MappingEnd,
            Kind::SequenceStart => EventKind::SequenceStart(props),
            Kind::SequenceEnd => EventKind::SequenceEnd,
            Kind::Scalar(kind, style) => EventKind::Scalar(Scalar { text, kind, style, props }),
            Kind::Comment(style, trailing) => EventKind::Comment(Comment { text, style, trailing }),
            Kind::BlankLine => EventKind::BlankLine,
            // A replay follows references instead of turning them into events.
            Kind::Ref { .. } => EventKind::Alias(b""),
        };
        Event::new(kind, rec.span)
    }
}

fn too_large(span: Span) -> Error {
    Error::new(ErrorCode::TooLargeToHold, span)
}

/// A compact text notation for event streams, shared by the tests of the YAML adapters.
///
/// Tokens are separated by spaces: `{` `}` `[` `]` open and close mappings and sequences; `&a` and `!tag` (`!!str`
/// for `tag:yaml.org,2002:str`) set the next node's anchor and tag; `*a` is an alias; `"text` (an optional closing
/// `"` is dropped) is a double-quoted scalar; `%` is an empty plain scalar; `#text` a comment; `_` a blank line;
/// `---` and `...` explicit document markers (without them the tokens make one implicit document); anything else
/// is a plain scalar resolved by the core schema. Each event's span is its token's place in the notation.
#[cfg(test)]
pub(super) mod notation {
    use crate::error::Error;
    use crate::event::{Comment, CommentStyle, Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
    use crate::source::Span;
    use crate::yaml::core_kind;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn tag(name: &str) -> &str {
        match name {
            "!!str" => "tag:yaml.org,2002:str",
            "!!int" => "tag:yaml.org,2002:int",
            "!!float" => "tag:yaml.org,2002:float",
            "!!bool" => "tag:yaml.org,2002:bool",
            "!!null" => "tag:yaml.org,2002:null",
            "!!map" => "tag:yaml.org,2002:map",
            "!!seq" => "tag:yaml.org,2002:seq",
            "!!merge" => "tag:yaml.org,2002:merge",
            "!!binary" => "tag:yaml.org,2002:binary",
            "!!timestamp" => "tag:yaml.org,2002:timestamp",
            "!!set" => "tag:yaml.org,2002:set",
            "!!omap" => "tag:yaml.org,2002:omap",
            other => other,
        }
    }

    /// The events of `src`, with stream events around them.
    pub(in crate::yaml) fn events(src: &str) -> Vec<Event<'_>> {
        let mut out = Vec::new();
        let mut props = Props::NONE;
        let explicit = src.split(' ').any(|t| t == "---");
        out.push(Event::new(EventKind::StreamStart, Span::at(0)));
        if !explicit {
            out.push(Event::new(EventKind::DocumentStart { explicit: false }, Span::at(0)));
        }
        let mut offset = 0;
        for token in src.split(' ') {
            let span = Span::new(offset as u64, (offset + token.len()) as u64);
            offset += token.len() + 1;
            let kind = match token {
                "" => continue,
                "{" => EventKind::MappingStart(core::mem::take(&mut props)),
                "[" => EventKind::SequenceStart(core::mem::take(&mut props)),
                "}" => EventKind::MappingEnd,
                "]" => EventKind::SequenceEnd,
                "_" => EventKind::BlankLine,
                "---" => EventKind::DocumentStart { explicit: true },
                "..." => EventKind::DocumentEnd { explicit: true },
                "%" => EventKind::Scalar(scalar(b"", ScalarKind::Null, ScalarStyle::Plain, &mut props)),
                _ if token.starts_with('&') => {
                    props.anchor = Some(&token.as_bytes()[1..]);
                    continue;
                }
                _ if token.starts_with('!') => {
                    props.tag = Some(tag(token).as_bytes());
                    continue;
                }
                _ if token.starts_with('*') => EventKind::Alias(&token.as_bytes()[1..]),
                _ if token.starts_with('#') => EventKind::Comment(Comment {
                    text: &token.as_bytes()[1..],
                    style: CommentStyle::Line,
                    trailing: false,
                }),
                _ if token.starts_with('"') => {
                    let text = token[1..].strip_suffix('"').unwrap_or(&token[1..]).as_bytes();
                    EventKind::Scalar(scalar(text, ScalarKind::String, ScalarStyle::DoubleQuoted, &mut props))
                }
                _ => EventKind::Scalar(scalar(
                    token.as_bytes(),
                    core_kind(token.as_bytes()),
                    ScalarStyle::Plain,
                    &mut props,
                )),
            };
            out.push(Event::new(kind, span));
        }
        let end = Span::at(src.len() as u64);
        if !explicit {
            out.push(Event::new(EventKind::DocumentEnd { explicit: false }, end));
        }
        out.push(Event::new(EventKind::StreamEnd, end));
        out
    }

    fn scalar<'a>(text: &'a [u8], kind: ScalarKind, style: ScalarStyle, props: &mut Props<'a>) -> Scalar<'a> {
        Scalar { text, kind, style, props: core::mem::take(props) }
    }

    /// Pushes the events of `src` into `sink`.
    pub(in crate::yaml) fn feed<S: Sink>(src: &str, sink: &mut S) -> Result<(), Error> {
        events(src).into_iter().try_for_each(|event| sink.event(event))
    }

    /// Renders events back into the notation (stream events and implicit document markers left out). A string
    /// that would read back as another kind, or that is not plain, is written `"text"`.
    #[derive(Debug, Default)]
    pub(in crate::yaml) struct Render(pub(in crate::yaml) String);

    impl Sink for Render {
        fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            let props = |p: Props<'_>| {
                let mut s = String::new();
                if let Some(anchor) = p.anchor {
                    s += &alloc::format!("&{} ", text(anchor));
                }
                if let Some(tag) = p.tag {
                    let tag = text(tag);
                    match tag.strip_prefix("tag:yaml.org,2002:") {
                        Some(short) => s += &alloc::format!("!!{short} "),
                        None => s += &alloc::format!("{tag} "),
                    }
                }
                s
            };
            let token = match event.kind {
                EventKind::StreamStart | EventKind::StreamEnd => return Ok(()),
                EventKind::DocumentStart { explicit: false } | EventKind::DocumentEnd { explicit: false } => {
                    return Ok(());
                }
                EventKind::DocumentStart { explicit: true } => "---".into(),
                EventKind::DocumentEnd { explicit: true } => "...".into(),
                EventKind::MappingStart(p) => props(p) + "{",
                EventKind::SequenceStart(p) => props(p) + "[",
                EventKind::MappingEnd => "}".into(),
                EventKind::SequenceEnd => "]".into(),
                EventKind::Alias(name) => alloc::format!("*{}", text(name)),
                EventKind::Comment(c) => alloc::format!("#{}", text(c.text)),
                EventKind::BlankLine => "_".into(),
                EventKind::Scalar(s) => {
                    let quoted = s.style != ScalarStyle::Plain
                        || (s.kind == ScalarKind::String && core_kind(s.text) != ScalarKind::String);
                    let body = match (quoted, s.text.is_empty()) {
                        (true, _) => alloc::format!("\"{}\"", text(s.text)),
                        (false, true) => "%".into(),
                        (false, false) => text(s.text),
                    };
                    props(s.props) + &body
                }
            };
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0 += &token;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::notation::{Render, feed};
    use super::*;
    use alloc::format;
    use alloc::string::String;

    fn run(src: &str, max_nodes: u64, merge_keys: bool) -> Result<String, Error> {
        let mut resolve = Resolve::new(Render::default(), max_nodes, merge_keys);
        feed(src, &mut resolve)?;
        Ok(resolve.into_inner().0)
    }

    #[track_caller]
    fn check(src: &str, expect: &str) {
        assert_eq!(run(src, 1000, true).as_deref(), Ok(expect), "{src}");
    }

    #[track_caller]
    fn check_error(src: &str, kind: ErrorCode, at: &str) {
        let err = run(src, 1000, true).expect_err(src);
        assert_eq!(err.code, kind, "{src}");
        let start = err.span.start as usize;
        assert_eq!(&src[start..err.span.end as usize], at, "{src}");
    }

    #[test]
    fn without_anchors_everything_goes_through() {
        check("{ a 1 #c b [ x _ y ] }", "{ a 1 #c b [ x _ y ] }");
        check("--- 1 ... --- \"2\" ...", "--- 1 ... --- \"2\" ...");
    }

    #[test]
    fn alias_of_scalar_mapping_sequence() {
        check("[ &a 1 *a ]", "[ &a 1 1 ]");
        check("[ &a !!str x *a ]", "[ &a !!str x !!str x ]");
        check("[ &m { k v } *m ]", "[ &m { k v } { k v } ]");
        check("[ &s [ 1 2 ] *s ]", "[ &s [ 1 2 ] [ 1 2 ] ]");
    }

    #[test]
    fn nested_anchors_and_aliases_inside_anchors() {
        check(
            "[ &outer { a &inner [ 1 #c 2 ] b *inner } *inner *outer ]",
            "[ &outer { a &inner [ 1 #c 2 ] b [ 1 2 ] } [ 1 2 ] { a [ 1 2 ] b [ 1 2 ] } ]",
        );
    }

    #[test]
    fn a_redefined_anchor_means_its_latest_node() {
        check("[ &a 1 *a &a 2 *a ]", "[ &a 1 1 &a 2 2 ]");
        // A reference keeps meaning what it meant when it was recorded.
        check("[ &a 1 &b [ *a ] &a 2 *b *a ]", "[ &a 1 &b [ 1 ] &a 2 [ 1 ] 2 ]");
        // A node that redefines its own anchor inside itself: definitions are ordered by where they start, as
        // in libyaml and PyYAML, so the inner one is the latest.
        check("[ &a [ &a 1 *a ] *a ]", "[ &a [ &a 1 1 ] 1 ]");
    }

    #[test]
    fn anchors_end_with_their_document() {
        check_error("--- &a 1 ... --- *a ...", ErrorCode::YamlUndefinedAlias, "*a");
    }

    #[test]
    fn undefined_and_recursive_aliases() {
        check_error("[ *nope ]", ErrorCode::YamlUndefinedAlias, "*nope");
        let recursive = ErrorCode::YamlRecursiveAlias;
        check_error("&a [ 1 *a ]", recursive, "*a");
        check_error("&a { k [ *a ] }", recursive, "*a");
        // An older definition does not make the open node's alias any less recursive.
        check_error("[ &a 1 &a [ *a ] ]", recursive, "*a");
    }

    /// Nine levels of ten aliases each: 10^9 nodes if expanded.
    fn billion_laughs() -> String {
        let mut src = String::from("{ a0 &a0 [ lol lol lol lol lol lol lol lol lol lol ]");
        for level in 1..=9 {
            src += &format!(" a{level} &a{level} [");
            for _ in 0..10 {
                src += &format!(" *a{}", level - 1);
            }
            src += " ]";
        }
        src + " }"
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let src = billion_laughs();
        #[cfg(feature = "std")]
        let started = std::time::Instant::now();
        let mut nodes = 0u64;
        let mut count = |event: Event<'_>| {
            if matches!(event.kind, EventKind::Scalar(_) | EventKind::MappingStart(_) | EventKind::SequenceStart(_)) {
                nodes += 1;
            }
            Ok(())
        };
        let mut resolve = Resolve::new(&mut count, 1_000_000, true);
        let err = feed(&src, &mut resolve).expect_err("the expansion is too large");
        assert_eq!((err.code, err.detail), (ErrorCode::AliasLimit, Detail::Limit(1_000_000)));
        // Levels 1 to 4 expand to 123,440 nodes; each `*a4` adds 111,111 more, and the eighth would pass the limit.
        assert_eq!(&src[err.span.start as usize..err.span.end as usize], "*a4");
        drop(resolve);
        // The source nodes before the failing alias: the mapping, six keys, `a0` with its ten items, five sequences.
        assert_eq!(nodes, 1 + 6 + 11 + 5 + 123_440 + 7 * 111_111);
        #[cfg(feature = "std")]
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        // The budget is checked before replaying: a small limit stops the first alias that would pass it.
        let err = run(&src, 50, true).expect_err("limit");
        assert_eq!((err.code, err.detail), (ErrorCode::AliasLimit, Detail::Limit(50)));
        assert_eq!(&src[err.span.start as usize..err.span.end as usize], "*a0");
    }

    #[test]
    fn the_budget_counts_every_expanded_node() {
        // `*m` expands to 3 nodes (the mapping, its key and value): 3 fit in 3, a second time does not.
        let src = "[ &m { k v } *m *m ]";
        assert_eq!(run(src, 6, false).as_deref(), Ok("[ &m { k v } { k v } { k v } ]"));
        assert_eq!(run(src, 5, false).map_err(|e| (e.code, e.detail)), Err((ErrorCode::AliasLimit, Detail::Limit(5))));
    }

    #[test]
    fn merge_a_mapping() {
        check("{ a 1 << { b 2 c 3 } d 4 }", "{ a 1 b 2 c 3 d 4 }");
        check("{ << { b 2 } }", "{ b 2 }");
        check("[ { << { } x y } ]", "[ { x y } ]");
    }

    #[test]
    fn merge_an_alias() {
        check("[ &base { a 1 b 2 } { << *base c 3 } ]", "[ &base { a 1 b 2 } { a 1 b 2 c 3 } ]");
        check("[ &base { a 1 } { !!merge << *base } ]", "[ &base { a 1 } { a 1 } ]");
    }

    #[test]
    fn merge_a_list_earlier_mappings_win() {
        check(
            "[ &p { x 1 y 1 } &q { y 2 z 2 } { << [ *p *q { z 3 w 3 } ] } ]",
            "[ &p { x 1 y 1 } &q { y 2 z 2 } { x 1 y 1 z 2 w 3 } ]",
        );
        check("{ << [ ] k v }", "{ k v }");
    }

    #[test]
    fn explicit_keys_win_before_and_after() {
        check("{ a 1 << { a 2 b 2 c 2 } c 3 }", "{ a 1 b 2 c 3 }");
        check("[ &p { a 2 } { << *p a 1 } ]", "[ &p { a 2 } { a 1 } ]");
        // Keys match by kind and decoded text: the string "1" is not the integer 1.
        check("{ \"1\" x << { 1 y \"1\" z } }", "{ \"1\" x 1 y }");
        // Non-scalar keys never match.
        check("{ [ k ] x << { [ k ] y } }", "{ [ k ] x [ k ] y }");
    }

    #[test]
    fn more_than_one_merge_key_earlier_wins() {
        check("{ << { a 1 } b 0 << { a 2 c 2 } }", "{ a 1 b 0 c 2 }");
    }

    #[test]
    fn nested_merges() {
        // The merged mapping has a merge of its own, resolved first.
        check(
            "[ &base { a 1 } &mid { << *base b 2 } { << *mid c 3 } ]",
            "[ &base { a 1 } &mid { a 1 b 2 } { a 1 b 2 c 3 } ]",
        );
        // A merge inside the buffered part of another.
        check("{ << { a 1 } x { << { b 2 } c 3 } y [ { << { d 4 } } ] }", "{ a 1 x { b 2 c 3 } y [ { d 4 } ] }");
        // A merge in a value of a mapping that merges, where the value comes first.
        check("{ k { << { a 1 } a 2 } << { m 1 } }", "{ k { a 2 } m 1 }");
    }

    #[test]
    fn comments_stay_where_they_were() {
        check("{ #c1 a 1 << #c2 { #c3 b 2 } #c4 c 3 }", "{ #c1 a 1 #c2 #c3 b 2 #c4 c 3 }");
        check("{ << [ #c1 { b 2 } _ ] }", "{ #c1 b 2 _ }");
    }

    #[test]
    fn invalid_merge_values() {
        let invalid = ErrorCode::YamlInvalidMergeValue;
        check_error("{ << 1 }", invalid, "1");
        check_error("{ << % }", invalid, "%");
        check_error("{ << [ { a 1 } x ] }", invalid, "x");
        check_error("{ << [ [ ] ] }", invalid, "[");
        check_error("[ &s [ 1 ] { << *s } ]", invalid, "1");
        check_error("[ &s 1 { << *s } ]", invalid, "1");
    }

    #[test]
    fn only_a_plain_untagged_or_merge_tagged_key_merges() {
        check("{ \"<< { a 1 } }", "{ \"<<\" { a 1 } }");
        check("{ !!str << { a 1 } }", "{ !!str << { a 1 } }");
        // `<<` as a value, or as a sequence item, is just a string.
        check("{ k << }", "{ k << }");
        check("[ << { a 1 } ]", "[ << { a 1 } ]");
    }

    #[test]
    fn merge_disabled() {
        assert_eq!(run("{ << { a 1 } a 2 }", 100, false).as_deref(), Ok("{ << { a 1 } a 2 }"));
        assert_eq!(run("{ << 1 }", 100, false).as_deref(), Ok("{ << 1 }"));
    }

    #[test]
    fn merge_keys_count_against_the_budget() {
        // Each `*p` expands to 5 nodes: the mapping and two entries.
        let src = "[ &p { a 1 b 2 } { << [ *p *p ] } ]";
        assert_eq!(run(src, 10, true).as_deref(), Ok("[ &p { a 1 b 2 } { a 1 b 2 } ]"));
        assert_eq!(run(src, 9, true).map_err(|e| (e.code, e.detail)), Err((ErrorCode::AliasLimit, Detail::Limit(9))));
    }
}
