//! Events to the validator's values, one document at a time, with the source position of every node kept beside
//! the value so that a violation's instance path leads back to a line and column.

use dfmt_core::{Error, ErrorCode, Event, EventKind, Scalar, ScalarKind, Sink, Span};
use jsonschema::paths::LocationSegment;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::str::FromStr;

/// Where each node of one document stands in the source: an arena in document order.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    nodes: Vec<Node>,
    /// The children of every container, each container's in one run (`Node::children`).
    children: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    /// The node's own bytes (a container: from its start to its end).
    span: Span,
    /// The key of the mapping entry this node is the value of.
    key: Option<Span>,
    /// The range of `Spans::children` holding this container's children, in order.
    children: (u32, u32),
}

impl Spans {
    /// The node that `path` leads to from the root of `value` (the document these spans describe), or the
    /// deepest node on the way when the path leaves the document. Mapping entries are found through `lookup`,
    /// which caches the key positions of large mappings, so that many violations in one mapping cost no more
    /// than one pass over its keys.
    pub(crate) fn find(&self, value: &Value, path: &[LocationSegment<'_>], lookup: &mut Lookup) -> NodeRef {
        let mut at = 0usize;
        let mut value = value;
        for step in path {
            let Some(node) = self.nodes.get(at) else { break };
            let (start, end) = node.children;
            let child = match (step, value) {
                (LocationSegment::Index(i), Value::Array(items)) => items.get(*i).map(|v| (*i, v)),
                (LocationSegment::Property(k), Value::Object(map)) => {
                    lookup.position(at, map, k).and_then(|i| Some((i, map.get(k.as_ref())?)))
                }
                _ => None,
            };
            let Some((i, next)) = child else { break };
            let Some(&id) = self.children.get(start as usize + i).filter(|_| start as usize + i < end as usize) else {
                break;
            };
            at = id as usize;
            value = next;
        }
        let node = self.nodes.get(at).copied().unwrap_or(Node { span: Span::default(), key: None, children: (0, 0) });
        NodeRef { span: node.span, key: node.key }
    }
}

/// A node found by [`Spans::find`]: its span, and its key's when it is a mapping's value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef {
    pub(crate) span: Span,
    pub(crate) key: Option<Span>,
}

/// Entries of mappings found by key: mappings of more than a few keys get a table, built on first use.
#[derive(Debug, Default)]
pub(crate) struct Lookup {
    tables: HashMap<usize, HashMap<String, usize>>,
}

impl Lookup {
    fn position(&mut self, node: usize, map: &Map<String, Value>, key: &str) -> Option<usize> {
        if map.len() <= 16 {
            return map.keys().position(|k| k == key);
        }
        let table =
            self.tables.entry(node).or_insert_with(|| map.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect());
        table.get(key).copied()
    }
}

/// A document read into a value, with its node positions.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) value: Value,
    pub(crate) spans: Spans,
    /// The document's bytes.
    pub(crate) span: Span,
}

/// A container being built.
enum Frame {
    Mapping { map: Map<String, Value>, key: Option<(String, Span)>, node: u32, first_child: usize },
    Sequence { items: Vec<Value>, node: u32, first_child: usize },
}

/// A sink that builds each document's value and hands it to `done` when the document ends.
pub(crate) struct Builder<F> {
    frames: Vec<Frame>,
    spans: Spans,
    /// The children of open containers, innermost last; moved into `spans.children` when a container ends.
    pending: Vec<u32>,
    root: Option<Value>,
    doc_start: u64,
    scratch: Vec<u8>,
    /// False to make values only, without `Spans` (a pass that only asks whether the data matches).
    positions: bool,
    done: F,
}

impl<F: FnMut(Document) -> Result<(), Error>> Builder<F> {
    pub(crate) fn new(done: F) -> Self {
        Builder {
            frames: Vec::new(),
            spans: Spans::default(),
            pending: Vec::new(),
            root: None,
            doc_start: 0,
            scratch: Vec::new(),
            positions: true,
            done,
        }
    }

    /// A builder that makes values only: their positions are not recorded (`Document::spans` stays empty).
    pub(crate) fn without_positions(done: F) -> Self {
        Builder { positions: false, ..Builder::new(done) }
    }

    /// Records a node; its key is the pending key of the mapping it goes into.
    fn node(&mut self, span: Span) -> u32 {
        if !self.positions {
            return 0;
        }
        let key = match self.frames.last() {
            Some(Frame::Mapping { key: Some((_, key)), .. }) => Some(*key),
            _ => None,
        };
        let id = u32::try_from(self.spans.nodes.len()).unwrap_or(u32::MAX);
        self.spans.nodes.push(Node { span, key, children: (0, 0) });
        if !self.frames.is_empty() {
            self.pending.push(id);
        }
        id
    }

    /// Puts a finished value into its parent (or makes it the document's root).
    fn place(&mut self, value: Value, span: Span) -> Result<(), Error> {
        match self.frames.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => {
                let Some((key, _)) = key.take() else {
                    return Err(Error::new(ErrorCode::JsonKeyNotString, span));
                };
                // Keys are unique here: the pipeline refuses a repeated key before it reaches this sink.
                map.insert(key, value);
            }
        }
        Ok(())
    }

    fn scalar(&mut self, scalar: Scalar<'_>, span: Span) -> Result<(), Error> {
        // A mapping awaiting its key: this scalar is the key.
        if let Some(Frame::Mapping { key: key @ None, .. }) = self.frames.last_mut() {
            let text = scalar.decode_into(&mut self.scratch);
            *key = Some((String::from_utf8_lossy(text).into_owned(), span));
            return Ok(());
        }
        let value = match scalar.kind {
            ScalarKind::Null => Value::Null,
            ScalarKind::Bool => Value::Bool(scalar.text == b"true"),
            ScalarKind::Integer | ScalarKind::Float => Value::Number(number(scalar.text, span)?),
            ScalarKind::String | ScalarKind::DateTime => {
                Value::String(String::from_utf8_lossy(scalar.decode_into(&mut self.scratch)).into_owned())
            }
        };
        self.node(span);
        self.place(value, span)
    }

    /// Ends the innermost container: its children's positions move into the arena in one run.
    fn end(&mut self, span: Span) -> Result<(), Error> {
        let Some(frame) = self.frames.pop() else { return Ok(()) };
        let (value, node, first_child) = match frame {
            Frame::Mapping { map, node, first_child, .. } => (Value::Object(map), node, first_child),
            Frame::Sequence { items, node, first_child } => (Value::Array(items), node, first_child),
        };
        if !self.positions {
            return self.place(value, span);
        }
        let start = u32::try_from(self.spans.children.len()).unwrap_or(u32::MAX);
        self.spans.children.extend(self.pending.drain(first_child..));
        let end = u32::try_from(self.spans.children.len()).unwrap_or(u32::MAX);
        if let Some(n) = self.spans.nodes.get_mut(node as usize) {
            n.children = (start, end);
            n.span.end = span.end.max(n.span.start);
        }
        let whole = self.spans.nodes.get(node as usize).map_or(span, |n| n.span);
        self.place(value, whole)
    }
}

impl<F: FnMut(Document) -> Result<(), Error>> Sink for Builder<F> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let span = event.span;
        match event.kind {
            EventKind::DocumentStart { .. } => {
                self.doc_start = span.start;
                self.spans = Spans::default();
                self.root = None;
            }
            EventKind::DocumentEnd { .. } => {
                let value = self.root.take().unwrap_or(Value::Null);
                let spans = std::mem::take(&mut self.spans);
                let span = Span::new(self.doc_start, span.end.max(self.doc_start));
                (self.done)(Document { value, spans, span })?;
            }
            EventKind::MappingStart(_) => {
                let node = self.node(span);
                let first_child = self.pending.len();
                self.frames.push(Frame::Mapping { map: Map::new(), key: None, node, first_child });
            }
            EventKind::SequenceStart(_) => {
                let node = self.node(span);
                let first_child = self.pending.len();
                self.frames.push(Frame::Sequence { items: Vec::new(), node, first_child });
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => self.end(span)?,
            EventKind::Scalar(scalar) => self.scalar(scalar, span)?,
            EventKind::Alias(_) => return Err(Error::new(ErrorCode::UnexpandedAlias, span)),
            EventKind::StreamStart | EventKind::StreamEnd | EventKind::Comment(_) | EventKind::BlankLine => {}
        }
        Ok(())
    }
}

/// A number's literal as an exact JSON number. Readers hand JSON's grammar for data, except TOML's spellings,
/// which are respelled here: `+1`, `1_000`, `0x1F`, `0o17`, `0b11`. `inf` and `nan` have no JSON form.
fn number(text: &[u8], span: Span) -> Result<Number, Error> {
    let not_finite = || Error::new(ErrorCode::NonFinite, span);
    let text = std::str::from_utf8(text).map_err(|_| not_finite())?;
    if let Ok(n) = Number::from_str(text) {
        return Ok(n);
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, &plain[..]),
    };
    let radix = match body.get(..2) {
        Some("0x") => Some(16),
        Some("0o") => Some(8),
        Some("0b") => Some(2),
        _ => None,
    };
    let respelled = match radix {
        Some(radix) => {
            let n = u128::from_str_radix(&body[2..], radix).map_err(|_| not_finite())?;
            format!("{}{n}", if negative { "-" } else { "" })
        }
        None => format!("{}{body}", if negative { "-" } else { "" }),
    };
    Number::from_str(&respelled).map_err(|_| not_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_spelling() {
        let n = |t: &str| number(t.as_bytes(), Span::default()).map(|n| n.to_string());
        assert_eq!(n("12").unwrap(), "12");
        assert_eq!(n("1e400").unwrap(), "1e+400");
        assert_eq!(n("123456789012345678901234567890").unwrap(), "123456789012345678901234567890");
        assert_eq!(n("+1_000").unwrap(), "1000");
        assert_eq!(n("0x1F").unwrap(), "31");
        assert_eq!(n("-0o17").unwrap(), "-15");
        assert_eq!(n("0b101").unwrap(), "5");
        assert_eq!(n("1_0.5e1_0").unwrap(), n("10.5e10").unwrap());
        assert!(n("inf").is_err() && n("nan").is_err() && n("0x").is_err());
    }
}
