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
#[derive(Debug)]
pub struct Doc {
    nodes: Vec<Node>,
    text: Vec<u8>,
    index: Index,
    /// Most bytes the document may hold: its text and its nodes ([`Limits::max_held_bytes`]).
    max_held: u64,
}

impl Default for Doc {
    fn default() -> Self {
        Doc::new()
    }
}

impl Doc {
    /// A document holding an empty root table, with the default seed for its key index.
    pub fn new() -> Doc {
        Doc::seeded(Limits::DEFAULT.hash_seed)
    }

    /// A document holding an empty root table, bounded and keyed by `limits` ([`Limits::max_held_bytes`],
    /// [`Limits::hash_seed`]).
    pub fn limited(limits: &Limits) -> Doc {
        Doc { max_held: limits.max_held_bytes, ..Doc::seeded(limits.hash_seed) }
    }

    /// A document holding an empty root table, its key index keyed by `seed` ([`Limits::hash_seed`]).
    pub fn seeded(seed: u64) -> Doc {
        let root = Node {
            kind: Kind::Table(Made::Header),
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
        Doc { nodes: alloc::vec![root], text: Vec::new(), index: Index::new(seed), max_held: u64::MAX }
    }

    pub(super) fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    pub(super) fn key(&self, id: u32) -> &[u8] {
        let (a, b) = self.node(id).key;
        &self.text[a as usize..b as usize]
    }

    pub(super) fn text(&self, id: u32) -> &[u8] {
        let (a, b) = self.node(id).text;
        &self.text[a as usize..b as usize]
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

    /// Copies `bytes` (the text of the thing at `span`) into the document's text.
    fn store(&mut self, bytes: &[u8], span: Span) -> Result<(u32, u32), Error> {
        let start = self.text.len();
        let end = start + bytes.len();
        if end > u32::MAX as usize {
            return Err(Error::new(ErrorCode::TooLargeToHold, span));
        }
        if (end + self.nodes.len() * (core::mem::size_of::<Node>() + 8)) as u64 > self.max_held {
            return Err(Error::with(ErrorCode::HeldBytesLimit, Detail::Limit(self.max_held), span));
        }
        crate::bytes::extend_short(&mut self.text, bytes);
        Ok((start as u32, end as u32))
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
        let held = self.text.len() + (self.nodes.len() + 1) * (core::mem::size_of::<Node>() + 8);
        if held as u64 > self.max_held {
            return Err(Error::with(ErrorCode::HeldBytesLimit, Detail::Limit(self.max_held), span));
        }
        let id = self.nodes.len() as u32;
        let (key, key_span) = match key {
            Some((text, at)) => (self.store(text, at)?, at),
            None => ((0, 0), span),
        };
        self.nodes.push(Node {
            kind,
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
                    self.index.insert(&self.nodes, &self.text, child);
                }
            } else if children > SCAN_LIMIT + 1 {
                self.index.insert(&self.nodes, &self.text, id);
            }
        }
        Ok(id)
    }

    /// The child of table `parent` called `key`.
    pub(super) fn find(&self, parent: u32, key: &[u8]) -> Option<u32> {
        if self.node(parent).children > SCAN_LIMIT {
            return self.index.find(&self.nodes, &self.text, parent, key);
        }
        self.children(parent).find(|&c| self.key(c) == key)
    }

    /// Sets the text of scalar `id`.
    pub(super) fn set_text(&mut self, id: u32, text: &[u8]) -> Result<(), Error> {
        let text = self.store(text, self.nodes[id as usize].span)?;
        self.nodes[id as usize].text = text;
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
pub struct Build<'l> {
    doc: Doc,
    limits: &'l Limits,
    /// The table the current `[header]` opened; key/value pairs go here.
    section: u32,
    /// Open arrays and inline tables of the value being read.
    open: Vec<u32>,
    /// Where the next value goes: the placeholder node that `key` added under its key.
    pending: Option<u32>,
}

impl<'l> Build<'l> {
    /// A builder of an empty document.
    pub fn new(limits: &'l Limits) -> Self {
        Build { doc: Doc::limited(limits), limits, section: 0, open: Vec::new(), pending: None }
    }

    /// The document built.
    pub fn finish(self) -> Doc {
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

impl Visit for Build<'_> {
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

    fn key<'a>(nodes: &[Node], text: &'a [u8], id: u32) -> &'a [u8] {
        let (a, b) = nodes[id as usize].key;
        &text[a as usize..b as usize]
    }

    fn find(&self, nodes: &[Node], text: &[u8], parent: u32, key: &[u8]) -> Option<u32> {
        if let Some(tree) = &self.tree {
            return tree.get(&parent)?.get(key).copied();
        }
        let hash = self.hasher.hash(parent, key);
        let eq = |&id: &u32| {
            self.compared.set(self.compared.get() + 1);
            nodes[id as usize].parent == parent && Index::key(nodes, text, id) == key
        };
        self.table.find(hash, eq).copied()
    }

    fn insert(&mut self, nodes: &[Node], text: &[u8], id: u32) {
        let node = &nodes[id as usize];
        let key = Index::key(nodes, text, id);
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
                tree.entry(parent).or_default().insert(Index::key(nodes, text, other).to_vec(), other);
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
