//! `loads_all`: the documents of a YAML stream or the lines of NDJSON, one at a time.
//!
//! The core reads the text once, on a thread of its own, and records each document's events ([`Recorded`]); a
//! channel with room for one document hands them to the
//! iterator, which makes the Python objects of one document per `next()`. So the objects of at most one document
//! exist at a time, and the recorded events of at most two; the reader waits while the consumer is behind. A
//! reader error arrives as the last message; dropping the iterator closes the channel, which stops the reader.

use crate::objects::{Build, CollectorPaused, callable_or_none, data_job};
use crate::recorded::Recorded;
use crate::{Text, decode_error, format_of};
use dfmt_core::{Diagnostic, Error, ErrorCode, Event, EventKind, Job, Sink, SliceInput};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

enum Message {
    Document(Recorded),
    Failed(Box<Diagnostic>),
}

/// The reader's sink: records a document, sends it at its end.
struct Record<'a> {
    current: Recorded,
    input: &'a [u8],
    to: SyncSender<Message>,
}

impl Sink for Record<'_> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::DocumentStart { .. } => self.current = Recorded::default(),
            EventKind::DocumentEnd { .. } => {
                let document = std::mem::take(&mut self.current);
                // The iterator is gone: stop reading.
                return self
                    .to
                    .send(Message::Document(document))
                    .map_err(|_| Error::new(ErrorCode::Stopped, event.span));
            }
            _ => self.current.push(&event, self.input),
        }
        Ok(())
    }
}

/// Reads `bytes` with `job`, sending each document; a failure is the last message.
fn read(job: Job, bytes: &[u8], to: SyncSender<Message>) {
    let record = Record { current: Recorded::default(), input: bytes, to: to.clone() };
    if let Err(error) = job.events(&mut SliceInput::new(bytes), record)
        && error.code != ErrorCode::Stopped
    {
        let _ = to.send(Message::Failed(Box::new(job.diagnose_in(&error, bytes))));
    }
}

/// The iterator `loads_all` returns: each `next()` makes the next document's objects.
#[pyclass(module = "dfmt._dfmt")]
pub(crate) struct Documents {
    /// `None` once the stream ended or failed.
    from: Arc<Mutex<Option<Receiver<Message>>>>,
    /// The input, for the position of an error (characters for a `str`).
    bytes: Arc<[u8]>,
    was_str: bool,
    parse_float: Option<Py<PyAny>>,
}

#[pymethods]
impl Documents {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let from = Arc::clone(&self.from);
        // Waiting for the reader lets other Python threads run.
        let message = py.detach(move || {
            let guard = from.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            guard.as_ref().and_then(|receiver| receiver.recv().ok())
        });
        let message = match message {
            Some(message) => message,
            None => {
                self.close();
                return Ok(None);
            }
        };
        match message {
            Message::Document(document) => {
                let parse_float = self.parse_float.as_ref().map(|f| f.bind(py).clone());
                let mut build = Build::new(py, parse_float, document.items.len());
                // As in `loads`: a large document's objects are made with the cyclic collector paused.
                let _paused = (document.items.len() > 4096).then(|| CollectorPaused::new(py)).transpose()?;
                document.replay(&mut build, &self.bytes)?;
                Ok(build.documents.pop().map(Bound::unbind))
            }
            Message::Failed(diagnostic) => {
                self.close();
                Err(decode_error(py, &diagnostic, &Text::from_parts(&self.bytes, self.was_str)))
            }
        }
    }
}

impl Documents {
    fn close(&self) {
        *self.from.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// Reads every document of a YAML stream, or every line of NDJSON (other formats hold one document), and returns
/// an iterator that makes each document's objects when it is asked for the next: the objects of one document at a
/// time, read on a thread of dfmt's while the caller works on the one before. Invalid input raises
/// `dfmt.DecodeError` when the iteration reaches it. Arguments as for `loads` (the format is sniffed when not
/// given).
#[pyfunction]
#[pyo3(signature = (data, format=None, *, parse_float=None, path=None))]
pub(crate) fn loads_all<'py>(
    data: &'py Bound<'py, PyAny>,
    format: Option<&str>,
    parse_float: Option<Bound<'py, PyAny>>,
    path: Option<PathBuf>,
) -> PyResult<Documents> {
    callable_or_none(&parse_float)?;
    let text = Text::of(data)?;
    let from = format_of(format, path.as_ref(), text.bytes())?;
    let (bytes, was_str) = text.into_owned();
    let bytes: Arc<[u8]> = bytes.into();
    let (to, receiver) = sync_channel(1);
    let job = data_job(from);
    let input = Arc::clone(&bytes);
    std::thread::Builder::new()
        .name("dfmt-loads-all".to_owned())
        .spawn(move || read(job, &input, to))
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("cannot start the reader thread: {e}")))?;
    Ok(Documents {
        from: Arc::new(Mutex::new(Some(receiver))),
        bytes,
        was_str,
        parse_float: parse_float.map(Bound::unbind),
    })
}
