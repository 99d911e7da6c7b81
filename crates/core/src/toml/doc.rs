//! A TOML document as data: tables, arrays and scalars in an arena, with TOML's rules for what may be defined
//! where. The reader's pieces build it ([`Build`], a [`Visit`]); so do the events of any other format (the TOML
//! writer records them into one). It replays as the pipeline's events ([`Doc::emit`]), one mapping per table
//! however often the text reopened it.

use super::lex;
use super::read::{KeyPath, Value, Visit};
use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink};
use crate::keys::{KeyHasher, MAX_COMPARISONS};
use crate::limits::Limits;
use crate::source::Span;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use hashbrown::HashTable;

/// No node.
const NONE: u32 = u32::MAX;

/// Tables with more entries than this find keys through the hash index; smaller ones by a scan.
const SCAN_LIMIT: u32 = 8;

/// How a table came to be, which decides what may add to it later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Made {
    /// As a step on a header's path (`a` in `[a.b]`): a header of its own may still define it, once.
    Implicit,
    /// By its own `[header]`, or as an element of `[[header]]`.
    Header,
    /// By a dotted key (`a` in `a.b = 1`): more dotted keys in the same table may add to it; headers may add
    /// sub-tables but not define it.
    Dotted,
    /// Inline (`{ ... }`), complete when closed.
    Inline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Table(Made),
    /// An array value, or an array of tables (`[[a]]`), which headers append to.
    Array {
        of_tables: bool,
    },
    Scalar(ScalarKind),
}

/// A node: its key in its parent table (empty in arrays), its place in the tree, and a scalar's text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node {
    pub(super) kind: Kind,
    /// Where `key` and `text` are: in the source ([`Texts::source`]) or in the document's own bytes.
    key_in_source: bool,
    text_in_source: bool,
    parent: u32,
    key: (u32, u32),
    pub(super) key_span: Span,
    /// A scalar's value, or where a table or array was opened.
    pub(super) span: Span,
    text: (u32, u32),
    pub(super) first: u32,
    last: u32,
    pub(super) next: u32,
    pub(super) children: u32,
    depth: u32,
}

/// The document: node 0 is the root table.
///
/// A document read from a text finds its keys and scalars in that text where they are spelled there as they are
/// (bare keys, numbers, strings without escapes); only what had to be decoded is copied.
#[derive(Debug)]
pub struct Doc<'s> {
    nodes: Vec<Node>,
    texts: Texts<'s>,
    index: Index,
    /// Most bytes the document may hold: its own text and its nodes ([`Limits::max_held_bytes`]).
    max_held: u64,
}

/// The bytes of a document's keys and scalar values: a node's piece is in `source`, the text the document was
/// read from, or in `own`, a copy.
#[derive(Debug)]
struct Texts<'s> {
    own: Vec<u8>,
    source: &'s [u8],
}

impl Texts<'_> {
    fn get(&self, (start, end): (u32, u32), in_source: bool) -> &[u8] {
        let bytes = if in_source { self.source } else { &self.own[..] };
        &bytes[start as usize..end as usize]
    }

    /// Where `bytes`, spelled at `span` in the source, stand there as they are: `bytes` borrowed from the source
    /// (a scalar the reader did not decode), the whole span (a bare key), or the span within its quotes (a
    /// quoted key without escapes).
    fn in_source(&self, bytes: &[u8], span: Span) -> Option<(u32, u32)> {
        let fits = |start: usize, end: usize| u32::try_from(end).ok().map(|end| (start as u32, end));
        // Addresses compared as numbers: a slice of another buffer lies outside the source's range.
        let base = self.source.as_ptr() as usize;
        if let Some(start) = (bytes.as_ptr() as usize).checked_sub(base)
            && start + bytes.len() <= self.source.len()
            && !bytes.is_empty()
        {
            return fits(start, start + bytes.len());
        }
        let (start, end) = (usize::try_from(span.start).ok()?, usize::try_from(span.end).ok()?);
        let spelled = self.source.get(start..end)?;
        if spelled == bytes {
            return fits(start, end);
        }
        if spelled.len() == bytes.len() + 2 && &spelled[1..spelled.len() - 1] == bytes {
            return fits(start + 1, end - 1);
        }
        None
    }
}

impl Default for Doc<'static> {
    fn default() -> Self {
        Doc::new()
    }
}

impl Doc<'static> {
    /// A document holding an empty root table, with the default seed for its key index.
    pub fn new() -> Self {
        Doc::seeded(Limits::DEFAULT.hash_seed)
    }

    /// A document holding an empty root table, bounded and keyed by `limits` ([`Limits::max_held_bytes`],
    /// [`Limits::hash_seed`]).
    pub fn limited(limits: &Limits) -> Self {
        Doc::reading(&[], limits)
    }

    /// A document holding an empty root table, its key index keyed by `seed` ([`Limits::hash_seed`]).
    pub fn seeded(seed: u64) -> Self {
        Doc::reading(&[], &Limits { hash_seed: seed, max_held_bytes: u64::MAX, ..Limits::DEFAULT })
    }
}

impl<'s> Doc<'s> {
    /// A document holding an empty root table, to be built from `source`, bounded and keyed by `limits`.
    pub fn reading(source: &'s [u8], limits: &Limits) -> Self {
        let root = Node {
            kind: Kind::Table(Made::Header),
            key_in_source: false,
            text_in_source: false,
            parent: NONE,
            key: (0, 0),
            key_span: Span::at(0),
            span: Span::at(0),
            text: (0, 0),
            first: NONE,
            last: NONE,
            next: NONE,
            children: 0,
            depth: 0,
        };
        // Room for the nodes a text of this size usually makes (lock files: one per 57 bytes), within the limit:
        // nodes added past it move the vector, and a move holds the old and the new copy at once.
        let most = limits.max_held_bytes / core::mem::size_of::<Node>() as u64;
        let room = (source.len() / 32).min(usize::try_from(most).unwrap_or(usize::MAX));
        let mut nodes = Vec::with_capacity(room.max(1));
        nodes.push(root);
        Doc {
            nodes,
            texts: Texts { own: Vec::new(), source },
            index: Index::new(limits.hash_seed),
            max_held: limits.max_held_bytes,
        }
    }

    pub(super) fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    pub(super) fn key(&self, id: u32) -> &[u8] {
        let node = self.node(id);
        self.texts.get(node.key, node.key_in_source)
    }

    pub(super) fn text(&self, id: u32) -> &[u8] {
        let node = self.node(id);
        self.texts.get(node.text, node.text_in_source)
    }

    /// The children of `id`, in order.
    pub(super) fn children(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = self.node(id).first;
        core::iter::from_fn(move || {
            let id = next;
            (id != NONE).then(|| {
                next = self.node(id).next;
                id
            })
        })
    }

    /// Keeps `bytes` (the text of the thing at `span`): where they stand in the source, or a copy; true when in
    /// the source.
    fn store(&mut self, bytes: &[u8], span: Span) -> Result<((u32, u32), bool), Error> {
        if let Some(at) = self.texts.in_source(bytes, span) {
            return Ok((at, true));
        }
        let start = self.texts.own.len();
        let end = start + bytes.len();
        if end > u32::MAX as usize {
            return Err(Error::new(ErrorCode::TooLargeToHold, span));
        }
        if (end + self.nodes.len() * (core::mem::size_of::<Node>() + 8)) as u64 > self.max_held {
            return Err(Error::with(ErrorCode::HeldBytesLimit, Detail::Limit(self.max_held), span));
        }
        crate::bytes::extend_short(&mut self.texts.own, bytes);
        Ok(((start as u32, end as u32), false))
    }

    /// Adds a child to `parent` (with `key` when the parent is a table), checking the depth limit.
    pub(super) fn add(
        &mut self,
        parent: u32,
        key: Option<(&[u8], Span)>,
        kind: Kind,
        span: Span,
        limits: &Limits,
    ) -> Result<u32, Error> {
        let depth = self.node(parent).depth + 1;
        check_depth(depth, kind, span, limits)?;
        // Every node counts, keyed or not (array elements have no key): its own size, and its hash in the index.
        let held = self.texts.own.len() + (self.nodes.len() + 1) * (core::mem::size_of::<Node>() + 8);
        if held as u64 > self.max_held {
            return Err(Error::with(ErrorCode::HeldBytesLimit, Detail::Limit(self.max_held), span));
        }
        let id = self.nodes.len() as u32;
        let ((key, key_in_source), key_span) = match key {
            Some((text, at)) => (self.store(text, at)?, at),
            None => (((0, 0), false), span),
        };
        self.nodes.push(Node {
            kind,
            key_in_source,
            text_in_source: false,
            parent,
            key,
            key_span,
            span,
            text: (0, 0),
            first: NONE,
            last: NONE,
            next: NONE,
            children: 0,
            depth,
        });
        let p = &mut self.nodes[parent as usize];
        if p.last == NONE {
            p.first = id;
        } else {
            let last = p.last as usize;
            self.nodes[last].next = id;
        }
        let p = &mut self.nodes[parent as usize];
        p.last = id;
        p.children += 1;
        let children = p.children;
        if matches!(p.kind, Kind::Table(_)) {
            if children == SCAN_LIMIT + 1 {
                let existing: Vec<u32> = self.children(parent).collect();
                for child in existing {
                    self.index.insert(&self.nodes, &self.texts, child);
                }
            } else if children > SCAN_LIMIT + 1 {
                self.index.insert(&self.nodes, &self.texts, id);
            }
        }
        Ok(id)
    }

    /// The child of table `parent` called `key`.
    pub(super) fn find(&self, parent: u32, key: &[u8]) -> Option<u32> {
        if self.node(parent).children > SCAN_LIMIT {
            return self.index.find(&self.nodes, &self.texts, parent, key);
        }
        self.children(parent).find(|&c| self.key(c) == key)
    }

    /// Sets the text of scalar `id`.
    pub(super) fn set_text(&mut self, id: u32, text: &[u8]) -> Result<(), Error> {
        let (text, in_source) = self.store(text, self.nodes[id as usize].span)?;
        let node = &mut self.nodes[id as usize];
        node.text = text;
        node.text_in_source = in_source;
        Ok(())
    }

    /// Pushes the document into `sink` as one mapping per table, entries in the order they were first written.
    /// Non-finite floats are spelled `.inf`, `-.inf`, `.nan` for YAML, or refused with their position when
    /// `finite_only` (JSON has no spelling for them).
    pub fn emit<S: Sink + ?Sized>(&self, sink: &mut S, finite_only: bool) -> Result<(), Error> {
        sink.event(Event::new(EventKind::StreamStart, Span::at(0)))?;
        sink.event(Event::new(EventKind::DocumentStart { explicit: false }, Span::at(0)))?;
        sink.event(Event::new(EventKind::MappingStart(Props::NONE), Span::at(0)))?;
        // Each open container and its next child.
        let mut stack: Vec<(u32, u32)> = alloc::vec![(0, self.node(0).first)];
        while let Some(top) = stack.last_mut() {
            let (container, id) = *top;
            if id == NONE {
                stack.pop();
                let end = match self.node(container).kind {
                    Kind::Array { .. } => EventKind::SequenceEnd,
                    _ => EventKind::MappingEnd,
                };
                sink.event(Event::new(end, self.node(container).span))?;
                continue;
            }
            let node = *self.node(id);
            top.1 = node.next;
            if matches!(self.node(container).kind, Kind::Table(_)) {
                let key = Scalar {
                    text: self.key(id),
                    kind: ScalarKind::String,
                    style: ScalarStyle::Decoded,
                    props: Props::NONE,
                };
                sink.event(Event::new(EventKind::Scalar(key), node.key_span))?;
            }
            match node.kind {
                Kind::Table(_) => {
                    sink.event(Event::new(EventKind::MappingStart(Props::NONE), node.span))?;
                    stack.push((id, node.first));
                }
                Kind::Array { .. } => {
                    sink.event(Event::new(EventKind::SequenceStart(Props::NONE), node.span))?;
                    stack.push((id, node.first));
                }
                Kind::Scalar(kind) => {
                    let mut text = self.text(id);
                    if kind == ScalarKind::Float && matches!(text.last(), Some(b'f' | b'n')) {
                        if finite_only {
                            return Err(Error::new(ErrorCode::NonFinite, node.span));
                        }
                        text = match text {
                            b"inf" => b".inf",
                            b"-inf" => b"-.inf",
                            _ => b".nan",
                        };
                    }
                    let style = if kind == ScalarKind::String { ScalarStyle::Decoded } else { ScalarStyle::Plain };
                    let scalar = Scalar { text, kind, style, props: Props::NONE };
                    sink.event(Event::new(EventKind::Scalar(scalar), node.span))?;
                }
            }
        }
        sink.event(Event::new(EventKind::DocumentEnd { explicit: false }, Span::at(0)))?;
        sink.event(Event::new(EventKind::StreamEnd, Span::at(0)))
    }
}

/// Checks the depth limit for a node of `kind` at `depth` (the root table's children are at depth 1). The limit
/// counts nesting as every format does, the root table included: a table or array at depth `d` is `d + 1` levels
/// deep (`a = []` is `{"a": []}`, two levels), a scalar is as deep as its parent.
fn check_depth(depth: u32, kind: Kind, span: Span, limits: &Limits) -> Result<(), Error> {
    let levels = depth.saturating_add(u32::from(!matches!(kind, Kind::Scalar(_))));
    if levels > limits.max_depth {
        return Err(Error::with(ErrorCode::DepthLimit, Detail::Limit(u64::from(limits.max_depth)), span));
    }
    Ok(())
}

/// An error for a definition that conflicts with an earlier one at `first`.
fn conflict(code: ErrorCode, span: Span, first: Span) -> Error {
    Error::with(code, Detail::Earlier(first.start), span)
}

/// Builds a [`Doc`] from the reader's pieces, applying TOML's rules on defining tables and keys.
#[derive(Debug)]
pub struct Build<'l, 's> {
    doc: Doc<'s>,
    limits: &'l Limits,
    /// The table the current `[header]` opened; key/value pairs go here.
    section: u32,
    /// Open arrays and inline tables of the value being read.
    open: Vec<u32>,
    /// Where the next value goes: the placeholder node that `key` added under its key.
    pending: Option<u32>,
}

impl<'l, 's> Build<'l, 's> {
    /// A builder of an empty document, for the pieces of `source`.
    pub fn new(source: &'s [u8], limits: &'l Limits) -> Self {
        Build { doc: Doc::reading(source, limits), limits, section: 0, open: Vec::new(), pending: None }
    }

    /// The document built.
    pub fn finish(self) -> Doc<'s> {
        self.doc
    }

    /// Adds a value node where the reader is: under the pending key, or as the next element of the open array.
    fn place(&mut self, kind: Kind, span: Span) -> Result<u32, Error> {
        if let Some(key_node) = self.pending.take() {
            // `key_node` is a placeholder holding the key: turn it into the value.
            let node = &mut self.doc.nodes[key_node as usize];
            check_depth(node.depth, kind, span, self.limits)?;
            node.kind = kind;
            node.span = span;
            return Ok(key_node);
        }
        let parent = *self
            .open
            .last()
            .ok_or_else(|| lex::syntax(ErrorCode::TomlValueWithoutKey, span.start as usize, span.end as usize))?;
        self.doc.add(parent, None, kind, span, self.limits)
    }
}

impl Visit for Build<'_, '_> {
    fn header(&mut self, path: &KeyPath<'_>, array: bool, span: Span) -> Result<(), Error> {
        let doc = &mut self.doc;
        let mut table = 0;
        let last = path.len() - 1;
        for i in 0..last {
            let (key, at) = (path.text(i), path.span(i));
            table = match doc.find(table, key) {
                None => doc.add(table, Some((key, at)), Kind::Table(Made::Implicit), span, self.limits)?,
                Some(id) => match doc.node(id).kind {
                    Kind::Table(Made::Inline) => {
                        return Err(conflict(ErrorCode::TomlInlineTableExtended, at, doc.node(id).key_span));
                    }
                    Kind::Table(_) => id,
                    Kind::Array { of_tables: true } => doc.node(id).last,
                    _ => return Err(conflict(ErrorCode::TomlKeyHasValue, at, doc.node(id).key_span)),
                },
            };
        }
        let (key, at) = (path.text(last), path.span(last));
        let existing = doc.find(table, key);
        self.section = match (existing, array) {
            (None, false) => doc.add(table, Some((key, at)), Kind::Table(Made::Header), span, self.limits)?,
            (None, true) => {
                let list = doc.add(table, Some((key, at)), Kind::Array { of_tables: true }, span, self.limits)?;
                doc.add(list, None, Kind::Table(Made::Header), span, self.limits)?
            }
            (Some(id), false) if doc.node(id).kind == Kind::Table(Made::Implicit) => {
                let node = &mut doc.nodes[id as usize];
                node.kind = Kind::Table(Made::Header);
                node.key_span = at;
                id
            }
            (Some(id), true) if doc.node(id).kind == (Kind::Array { of_tables: true }) => {
                doc.add(id, None, Kind::Table(Made::Header), span, self.limits)?
            }
            (Some(id), _) => {
                let message = match doc.node(id).kind {
                    Kind::Table(_) if array => ErrorCode::TomlArrayNamesTable,
                    Kind::Table(Made::Header) => ErrorCode::TomlTableDefinedTwice,
                    Kind::Table(Made::Dotted) => ErrorCode::TomlTableDefinedByDottedKeys,
                    Kind::Array { of_tables: true } => ErrorCode::TomlTableNamesArray,
                    _ => ErrorCode::TomlKeyHasValue,
                };
                return Err(conflict(message, at, doc.node(id).key_span));
            }
        };
        Ok(())
    }

    fn key(&mut self, path: &KeyPath<'_>) -> Result<(), Error> {
        let doc = &mut self.doc;
        let mut table = self.open.last().copied().unwrap_or(self.section);
        let last = path.len() - 1;
        for i in 0..last {
            let (key, at) = (path.text(i), path.span(i));
            table = match doc.find(table, key) {
                None => doc.add(table, Some((key, at)), Kind::Table(Made::Dotted), at, self.limits)?,
                Some(id) if doc.node(id).kind == Kind::Table(Made::Dotted) => id,
                Some(id) => {
                    let message = match doc.node(id).kind {
                        Kind::Table(Made::Inline) => ErrorCode::TomlInlineTableExtended,
                        Kind::Table(_) => ErrorCode::TomlHeaderTableExtended,
                        _ => ErrorCode::TomlKeyHasValue,
                    };
                    return Err(conflict(message, at, doc.node(id).key_span));
                }
            };
        }
        let (key, at) = (path.text(last), path.span(last));
        if let Some(id) = doc.find(table, key) {
            return Err(Error::with(ErrorCode::DuplicateKey, Detail::Earlier(doc.node(id).key_span.start), at));
        }
        // A placeholder that the value fills in; added now so that the key's order is kept.
        let id = doc.add(table, Some((key, at)), Kind::Scalar(ScalarKind::Null), at, self.limits)?;
        self.pending = Some(id);
        Ok(())
    }

    fn scalar(&mut self, value: &Value<'_>) -> Result<(), Error> {
        let id = self.place(Kind::Scalar(value.kind), value.span)?;
        self.doc.set_text(id, value.text)
    }

    fn array_start(&mut self, at: usize) -> Result<(), Error> {
        let id = self.place(Kind::Array { of_tables: false }, Span::at(at as u64))?;
        self.open.push(id);
        Ok(())
    }

    fn array_end(&mut self, _at: usize) -> Result<(), Error> {
        self.open.pop();
        Ok(())
    }

    fn table_start(&mut self, at: usize) -> Result<(), Error> {
        // Open while its entries are read (dotted keys inside may add to its tables); inline once closed.
        let id = self.place(Kind::Table(Made::Dotted), Span::at(at as u64))?;
        self.open.push(id);
        Ok(())
    }

    fn table_end(&mut self, _at: usize) -> Result<(), Error> {
        if let Some(id) = self.open.pop() {
            self.doc.nodes[id as usize].kind = Kind::Table(Made::Inline);
        }
        Ok(())
    }
}

/// An index from (table, key) to the child node, for tables too large to scan: hashbrown's table, keyed by the
/// caller's seed, with each node's hash kept beside it. A lookup that compares more than [`MAX_COMPARISONS`]
/// keys (only keys crafted to collide do) moves the whole index to a tree.
#[derive(Debug)]
struct Index {
    table: HashTable<u32>,
    /// The hash of each node in the table, by node id (0 for nodes not in it).
    hashes: Vec<u64>,
    /// By table, then key: a lookup borrows its key (no copy per lookup).
    tree: Option<BTreeMap<u32, BTreeMap<Vec<u8>, u32>>>,
    hasher: KeyHasher,
    /// Key comparisons made in the hash table so far, lookups and insertions (tests bound it).
    compared: core::cell::Cell<u64>,
}

impl Index {
    fn new(seed: u64) -> Index {
        Index {
            table: HashTable::new(),
            hashes: Vec::new(),
            tree: None,
            hasher: KeyHasher::new(seed),
            compared: core::cell::Cell::new(0),
        }
    }

    fn key<'a>(nodes: &[Node], texts: &'a Texts<'_>, id: u32) -> &'a [u8] {
        let node = &nodes[id as usize];
        texts.get(node.key, node.key_in_source)
    }

    fn find(&self, nodes: &[Node], texts: &Texts<'_>, parent: u32, key: &[u8]) -> Option<u32> {
        if let Some(tree) = &self.tree {
            return tree.get(&parent)?.get(key).copied();
        }
        let hash = self.hasher.hash(parent, key);
        let eq = |&id: &u32| {
            self.compared.set(self.compared.get() + 1);
            nodes[id as usize].parent == parent && Index::key(nodes, texts, id) == key
        };
        self.table.find(hash, eq).copied()
    }

    fn insert(&mut self, nodes: &[Node], texts: &Texts<'_>, id: u32) {
        let node = &nodes[id as usize];
        let key = Index::key(nodes, texts, id);
        if let Some(tree) = &mut self.tree {
            tree.entry(node.parent).or_default().insert(key.to_vec(), id);
            return;
        }
        let hash = self.hasher.hash(node.parent, key);
        if self.hashes.len() <= id as usize {
            self.hashes.resize(nodes.len().max(id as usize + 1), 0);
        }
        self.hashes[id as usize] = hash;
        // Count the keys that share the hash's probe path: the cost of every later lookup of this key.
        let mut comparisons = 0;
        let _ = self.table.find(hash, |_| {
            comparisons += 1;
            false
        });
        self.compared.set(self.compared.get() + comparisons as u64);
        if comparisons > MAX_COMPARISONS {
            let mut tree: BTreeMap<u32, BTreeMap<Vec<u8>, u32>> = BTreeMap::new();
            for &other in self.table.iter() {
                let parent = nodes[other as usize].parent;
                tree.entry(parent).or_default().insert(Index::key(nodes, texts, other).to_vec(), other);
            }
            tree.entry(node.parent).or_default().insert(key.to_vec(), id);
            self.table = HashTable::new();
            self.tree = Some(tree);
            return;
        }
        let hashes = &self.hashes;
        self.table.insert_unique(hash, id, |&other| hashes[other as usize]);
    }
}

#[cfg(test)]
mod tests {
    use crate::keys::{DEGENERATE_SEED, MAX_COMPARISONS};
    use crate::limits::Limits;
    use alloc::format;
    use alloc::string::String;

    fn table(n: usize) -> String {
        (0..n).map(|i| format!("k{i} = {i}\n")).collect()
    }

    #[test]
    fn a_document_copies_only_what_it_decoded() {
        let text = "a = 1\n\"b c\" = 'lit'\n\"d\\te\" = \"x\\ny\"\n[t.'u']\nv = 0x1F\nw = \"plain\"\n";
        let doc = crate::toml::load(text.as_bytes(), &Limits::DEFAULT).unwrap();
        // The escaped key and string, and the hexadecimal number respelled in decimal: nothing else is copied.
        assert_eq!(doc.texts.own, b"d\tex\ny31");
        let mut scalars = alloc::vec::Vec::new();
        let mut sink = |event: crate::event::Event<'_>| {
            if let crate::event::EventKind::Scalar(scalar) = event.kind {
                scalars.push(String::from_utf8(scalar.text.to_vec()).unwrap());
            }
            Ok(())
        };
        doc.emit(&mut sink, true).unwrap();
        let expected = ["a", "1", "b c", "lit", "d\te", "x\ny", "t", "u", "v", "31", "w", "plain"];
        assert_eq!(scalars, expected);
    }

    #[test]
    fn keys_that_collide_move_to_a_tree_and_bound_the_comparisons() {
        let n = 150_000;
        let text = table(n);
        // Under the degenerate seed every key hashes alike: the worst any crafted key set can do.
        let limits = Limits { hash_seed: DEGENERATE_SEED, ..Limits::DEFAULT };
        let doc = crate::toml::load(text.as_bytes(), &limits).unwrap();
        assert!(doc.index.tree.is_some());
        let bound = (MAX_COMPARISONS as u64 + 2) * (MAX_COMPARISONS as u64 + 2);
        assert!(doc.index.compared.get() <= bound, "{} comparisons", doc.index.compared.get());
        let again = format!("{text}k77 = 0\n");
        let error = crate::toml::load(again.as_bytes(), &limits).unwrap_err();
        assert_eq!(error.code, crate::ErrorCode::DuplicateKey);

        // Random keys under a real seed: no tree, and few comparisons: a 7-bit tag in the probed group matches by
        // chance about once in ten lookups, and every new key is looked up twice (for a duplicate, then to insert).
        let doc = crate::toml::load(text.as_bytes(), &Limits { hash_seed: 42, ..Limits::DEFAULT }).unwrap();
        assert!(doc.index.tree.is_none());
        assert!(doc.index.compared.get() < n as u64 / 4, "{} comparisons", doc.index.compared.get());
    }
}
