//! Any bytes, read as YAML with the default limits: no panic, no hang, bounded memory, and the events form a
//! well-formed stream.
//!
//! The sink checks that StreamStart comes first and StreamEnd last (and only after a successful read), that
//! documents do not nest and hold exactly one node, that every mapping and sequence end closes the innermost open
//! collection of its kind, that a mapping holds an even number of nodes (comments and blank lines do not count),
//! that no node stands outside a document, that spans lie within the input, and that text the events carry is
//! UTF-8. A second read fails from the sink at an event chosen from the input: the reader must stop there (no
//! event after the error), pass that very error on, and have sent the same events as the first read up to it.
#![no_main]

use dfmt_core::{Error, ErrorCode, Event, EventKind, Limits, Sink, Span, locate, yaml};
use libfuzzer_sys::fuzz_target;

/// The error the sink returns in the second read.
/// The error the fuzz target injects: one no reader returns.
const INJECTED: ErrorCode = ErrorCode::Stopped;

#[derive(Default)]
struct Check {
    len: u64,
    /// Events received so far.
    count: usize,
    stream_ended: bool,
    in_document: bool,
    /// Nodes at the top level of the current document.
    document_nodes: usize,
    /// Open collections, innermost last: (is a mapping, nodes in it so far).
    open: Vec<(bool, usize)>,
    /// Fail with [`INJECTED`] at this event (counted from 1).
    fail_at: Option<usize>,
    failed: bool,
    /// Each event's kind (a small number) and span, to compare two reads.
    trace: Vec<(u8, Span)>,
}

fn utf8(what: &str, bytes: &[u8], event: &Event<'_>) {
    assert!(std::str::from_utf8(bytes).is_ok(), "{what} is not UTF-8: {event:?}");
}

impl Check {
    fn new(len: usize, fail_at: Option<usize>) -> Self {
        Check { len: len as u64, fail_at, ..Check::default() }
    }

    /// A node begins (a scalar, an alias, a mapping or a sequence).
    fn node(&mut self, event: &Event<'_>) {
        assert!(self.in_document, "a node outside a document: {event:?}");
        match self.open.last_mut() {
            Some(top) => top.1 += 1,
            None => self.document_nodes += 1,
        }
    }

    fn close(&mut self, mapping: bool, event: &Event<'_>) {
        let Some((is_mapping, nodes)) = self.open.pop() else { panic!("an end without a start: {event:?}") };
        assert_eq!(is_mapping, mapping, "an end closes a collection of the other kind: {event:?}");
        assert!(!mapping || nodes % 2 == 0, "a mapping ends with an odd number of nodes ({nodes}): {event:?}");
    }
}

impl Sink for Check {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        assert!(!self.failed, "an event after the sink returned an error: {event:?}");
        assert!(!self.stream_ended, "an event after StreamEnd: {event:?}");
        self.count += 1;
        let span = event.span;
        assert!(span.start <= span.end && span.end <= self.len, "span outside the input ({}): {event:?}", self.len);
        let first = self.count == 1;
        assert_eq!(first, matches!(event.kind, EventKind::StreamStart), "StreamStart must come first, once: {event:?}");
        let code = match event.kind {
            EventKind::StreamStart => 0,
            EventKind::StreamEnd => {
                assert!(!self.in_document, "StreamEnd inside a document: {event:?}");
                self.stream_ended = true;
                1
            }
            EventKind::DocumentStart { .. } => {
                assert!(!self.in_document, "a document starts inside a document: {event:?}");
                self.in_document = true;
                self.document_nodes = 0;
                2
            }
            EventKind::DocumentEnd { .. } => {
                assert!(self.in_document, "a document ends outside a document: {event:?}");
                assert!(self.open.is_empty(), "a document ends with {} collections open: {event:?}", self.open.len());
                assert_eq!(self.document_nodes, 1, "a document must hold one node: {event:?}");
                self.in_document = false;
                3
            }
            EventKind::MappingStart(props) | EventKind::SequenceStart(props) => {
                self.node(&event);
                props.anchor.inspect(|a| utf8("an anchor", a, &event));
                props.tag.inspect(|t| utf8("a tag", t, &event));
                let mapping = matches!(event.kind, EventKind::MappingStart(_));
                self.open.push((mapping, 0));
                if mapping { 4 } else { 5 }
            }
            EventKind::MappingEnd => {
                self.close(true, &event);
                6
            }
            EventKind::SequenceEnd => {
                self.close(false, &event);
                7
            }
            EventKind::Scalar(scalar) => {
                self.node(&event);
                utf8("a scalar", scalar.text, &event);
                scalar.props.anchor.inspect(|a| utf8("an anchor", a, &event));
                scalar.props.tag.inspect(|t| utf8("a tag", t, &event));
                8
            }
            EventKind::Alias(name) => {
                self.node(&event);
                utf8("an alias", name, &event);
                9
            }
            EventKind::Comment(comment) => {
                utf8("a comment", comment.text, &event);
                10
            }
            EventKind::BlankLine => 11,
        };
        self.trace.push((code, span));
        if self.fail_at == Some(self.count) {
            self.failed = true;
            return Err(Error::new(INJECTED, Span::at(0)));
        }
        Ok(())
    }
}

/// FNV-1a, to pick the event the second read fails at.
fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::DEFAULT;
    let mut check = Check::new(data.len(), None);
    match yaml::read(data, &limits, &mut check) {
        Ok(()) => assert!(check.stream_ended, "the read succeeded without StreamEnd"),
        Err(e) => {
            assert!(!check.stream_ended, "the read failed after StreamEnd: {e:?}");
            assert_ne!(e.code, INJECTED);
            assert!(e.span.start <= e.span.end && e.span.end <= data.len() as u64, "error span outside: {e:?}");
            let _ = locate(data, e.span.start);
        }
    }
    if check.count == 0 {
        return;
    }
    let fail_at = (hash(data) % check.count as u64) as usize + 1;
    let mut second = Check::new(data.len(), Some(fail_at));
    let result = yaml::read(data, &limits, &mut second);
    assert_eq!(result, Err(Error::new(INJECTED, Span::at(0))), "the sink's error must come back (at event {fail_at})");
    assert_eq!(second.trace[..], check.trace[..fail_at], "the second read sent other events");
});
