//! Events recorded on the reader's thread and replayed into [`Build`] on the caller's: the hand-over between the
//! core reading a text (which needs no GIL) and Python objects being made (which does).
//!
//! `loads_all` records one document at a time ([`crate::stream`]); `loads` of a large text records it in chunks
//! of [`CHUNK`] events, so that objects are made from one chunk while the core reads the next
//! ([`read_pipelined`]). A scalar's text is kept as its position in the input when the reader handed over a slice
//! of the input (JSON strings and numbers, YAML plain scalars), and copied only when the reader decoded it.

use crate::objects::Build;
use dfmt_core::{
    Error, ErrorCode, Event, EventKind, Job, Props, Scalar, ScalarKind, ScalarStyle, Sink, SliceInput, Span,
};
use pyo3::prelude::*;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Events per chunk of a pipelined `loads`: large enough that handing a chunk over costs nothing measurable, small
/// enough that the two threads overlap from the start.
pub(crate) const CHUNK: usize = 4096;

/// One step of a recorded event stream.
#[derive(Clone, Copy)]
pub(crate) enum Item {
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    /// A scalar whose text is `start..end` of the input (`in_input`) or of its [`Recorded::text`].
    Scalar {
        kind: ScalarKind,
        style: ScalarStyle,
        start: usize,
        end: usize,
        in_input: bool,
    },
}

/// Events, owned: the structure as a list, the text of decoded scalars in one buffer.
#[derive(Default)]
pub(crate) struct Recorded {
    pub(crate) text: Vec<u8>,
    pub(crate) items: Vec<Item>,
}

impl Recorded {
    /// Records `event` if objects are made from it (structure and scalars); `input` is the text being read.
    pub(crate) fn push(&mut self, event: &Event<'_>, input: &[u8]) {
        let item = match event.kind {
            EventKind::MappingStart(_) => Item::MappingStart,
            EventKind::MappingEnd => Item::MappingEnd,
            EventKind::SequenceStart(_) => Item::SequenceStart,
            EventKind::SequenceEnd => Item::SequenceEnd,
            EventKind::Scalar(scalar) => {
                // Addresses compared as numbers: a slice of another buffer lies outside the input's range.
                let offset = (scalar.text.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
                let (start, in_input) = if offset <= input.len() && input.len() - offset >= scalar.text.len() {
                    (offset, true)
                } else {
                    let start = self.text.len();
                    self.text.extend_from_slice(scalar.text);
                    (start, false)
                };
                let end = start + scalar.text.len();
                Item::Scalar { kind: scalar.kind, style: scalar.style, start, end, in_input }
            }
            _ => return,
        };
        self.items.push(item);
    }

    /// Makes the objects of these events in `build`; `input` is the text they were read from.
    pub(crate) fn replay(&self, build: &mut Build<'_>, input: &[u8]) -> PyResult<()> {
        for &item in &self.items {
            let kind = match item {
                Item::MappingStart => EventKind::MappingStart(Props::NONE),
                Item::MappingEnd => EventKind::MappingEnd,
                Item::SequenceStart => EventKind::SequenceStart(Props::NONE),
                Item::SequenceEnd => EventKind::SequenceEnd,
                Item::Scalar { kind, style, start, end, in_input } => {
                    let text = if in_input { &input[start..end] } else { &self.text[start..end] };
                    EventKind::Scalar(Scalar { text, kind, style, props: Props::NONE })
                }
            };
            build.handle(Event::new(kind, Span::at(0)))?;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.text.clear();
        self.items.clear();
    }
}

/// The reader's sink of a pipelined `loads`: sends a chunk each [`CHUNK`] events, reusing the chunks sent back.
struct Chunks<'a> {
    current: Recorded,
    input: &'a [u8],
    to: SyncSender<Recorded>,
    spare: Receiver<Recorded>,
}

impl Chunks<'_> {
    fn send(&mut self) -> Result<(), ()> {
        let next = self.spare.try_recv().unwrap_or_default();
        self.to.send(std::mem::replace(&mut self.current, next)).map_err(drop)
    }
}

impl Sink for Chunks<'_> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.current.push(&event, self.input);
        if self.current.items.len() >= CHUNK {
            // The caller stopped taking chunks (a `parse_float` raised): stop reading.
            self.send().map_err(|()| Error::new(ErrorCode::Stopped, event.span))?;
        }
        Ok(())
    }
}

/// How a pipelined read ended badly.
pub(crate) enum Failed {
    /// The core refused the text.
    Read(Error),
    /// Making an object raised.
    Python(PyErr),
}

/// Reads `input` with `job` on a thread of its own, in chunks, while this thread makes their objects in `build`.
pub(crate) fn read_pipelined(job: &Job, input: &[u8], build: &mut Build<'_>) -> Result<(), Failed> {
    let (to, chunks) = sync_channel::<Recorded>(2);
    let (give_back, spare) = sync_channel::<Recorded>(4);
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("dfmt-loads".to_owned())
            .spawn_scoped(scope, move || {
                let sink = Chunks { current: Recorded::default(), input, to, spare };
                let mut sink = job.events(&mut SliceInput::new(input), sink)?;
                // The last, partial chunk; if the caller is gone, it stopped for a reason of its own.
                let _ = sink.send();
                Ok::<(), Error>(())
            })
            .map_err(|e| Failed::Python(pyo3::exceptions::PyOSError::new_err(format!("cannot start a thread: {e}"))))?;
        let mut made = Ok(());
        for mut chunk in chunks.iter() {
            if let Err(error) = chunk.replay(build, input) {
                made = Err(Failed::Python(error));
                break;
            }
            chunk.clear();
            let _ = give_back.try_send(chunk);
        }
        // The reader, if still reading, finds no one to send to and stops.
        drop(chunks);
        let read = reader
            .join()
            .map_err(|_| Failed::Python(pyo3::exceptions::PySystemError::new_err("the reader thread panicked")))?;
        made?;
        read.map_err(Failed::Read)
    })
}
