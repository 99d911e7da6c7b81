//! Adapters that change the shape of a stream between JSON and NDJSON.

use crate::error::Error;
use crate::event::{Event, EventKind, Props, Sink};
use crate::source::Span;

/// Joins the documents of a stream into one document holding an array of them (NDJSON → JSON).
#[derive(Debug)]
pub struct DocumentsToArray<S> {
    inner: S,
    opened: bool,
}

impl<S: Sink> DocumentsToArray<S> {
    /// Forwards to `inner`.
    pub fn new(inner: S) -> Self {
        DocumentsToArray { inner, opened: false }
    }

    /// The wrapped sink.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn open(&mut self, span: Span) -> Result<(), Error> {
        if !self.opened {
            self.opened = true;
            self.inner.event(Event::new(EventKind::DocumentStart { explicit: false }, span))?;
            self.inner.event(Event::new(EventKind::SequenceStart(Props::NONE), span))?;
        }
        Ok(())
    }
}

impl<S: Sink> Sink for DocumentsToArray<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::DocumentStart { .. } => self.open(event.span),
            EventKind::DocumentEnd { .. } => Ok(()),
            EventKind::StreamEnd => {
                self.open(event.span)?;
                self.inner.event(Event::new(EventKind::SequenceEnd, event.span))?;
                self.inner.event(Event::new(EventKind::DocumentEnd { explicit: false }, event.span))?;
                self.inner.event(event)
            }
            _ => self.inner.event(event),
        }
    }
}

/// Splits a top-level array into one document per element (JSON → NDJSON). A top-level value that is not an
/// array stays one document.
#[derive(Debug)]
pub struct ArrayToDocuments<S> {
    inner: S,
    /// Nesting depth inside the current document.
    depth: u32,
    /// The document's top-level array is being split.
    splitting: bool,
}

impl<S: Sink> ArrayToDocuments<S> {
    /// Forwards to `inner`.
    pub fn new(inner: S) -> Self {
        ArrayToDocuments { inner, depth: 0, splitting: false }
    }

    /// The wrapped sink.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Sink> Sink for ArrayToDocuments<S> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let start = |s: &mut Self| s.inner.event(Event::new(EventKind::DocumentStart { explicit: false }, event.span));
        let end = |s: &mut Self| s.inner.event(Event::new(EventKind::DocumentEnd { explicit: false }, event.span));
        match event.kind {
            EventKind::DocumentStart { .. } | EventKind::DocumentEnd { .. } if self.depth == 0 => {
                self.splitting = false;
                Ok(())
            }
            EventKind::SequenceStart(props) if self.depth == 0 && props == Props::NONE => {
                self.depth = 1;
                self.splitting = true;
                Ok(())
            }
            EventKind::SequenceEnd if self.splitting && self.depth == 1 => {
                self.depth = 0;
                Ok(())
            }
            EventKind::MappingStart(_) | EventKind::SequenceStart(_) => {
                if self.depth == u32::from(self.splitting) {
                    start(self)?;
                }
                self.depth += 1;
                self.inner.event(event)
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                self.depth -= 1;
                self.inner.event(event)?;
                if self.depth == u32::from(self.splitting) { end(self) } else { Ok(()) }
            }
            EventKind::Scalar(_) | EventKind::Alias(_) if self.depth == u32::from(self.splitting) => {
                start(self)?;
                self.inner.event(event)?;
                end(self)
            }
            _ => self.inner.event(event),
        }
    }
}
