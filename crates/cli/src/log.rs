//! The log of `dfmt serve`: lines collected in memory and written to standard error in batches.
//!
//! Every request logs one line. Writing each with its own system call, or handing each to a writer thread
//! (which then wakes once per line), costs a context switch per request, which on a busy service is a large part
//! of a small request (docs/benchmarks.md, "Load"). Here a line is appended to a shared buffer under a short lock; the buffer is
//! written when it passes [`BATCH`] bytes, by a flusher thread at least every [`INTERVAL`], and at exit. The
//! lines themselves are tracing-subscriber's default format.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// Buffered bytes that trigger a write from the logging thread itself.
const BATCH: usize = 32 << 10;
/// The longest a line waits in the buffer.
const INTERVAL: Duration = Duration::from_millis(200);

/// A handle to the shared buffer. tracing-subscriber asks for a writer per line and gets a reference: cloning
/// the handle per line was one more atomic that both I/O threads wrote on every request.
#[derive(Clone, Debug)]
pub(crate) struct Batched(Arc<Buffers>);

/// The buffer lines go to, and the one being written out. A flush swaps them, so that no buffer is allocated or
/// freed while serving: a fresh buffer per flush would be trimmed from the heap when freed and faulted back in
/// for the next.
#[derive(Debug)]
struct Buffers {
    lines: Mutex<Vec<u8>>,
    /// Also held for the whole write, which keeps two flushes in order.
    out: Mutex<Vec<u8>>,
}

impl Batched {
    /// A buffer and the thread that flushes it every [`INTERVAL`].
    pub(crate) fn start() -> Batched {
        let batched = Batched(Arc::new(Buffers {
            lines: Mutex::new(Vec::with_capacity(2 * BATCH)),
            out: Mutex::new(Vec::with_capacity(2 * BATCH)),
        }));
        let flusher = batched.clone();
        let _ = std::thread::Builder::new().name("dfmt-log".into()).spawn(move || {
            loop {
                std::thread::sleep(INTERVAL);
                flusher.flush_now();
            }
        });
        batched
    }

    /// Writes out what is buffered.
    pub(crate) fn flush_now(&self) {
        let Ok(mut out) = self.0.out.lock() else { return };
        match self.0.lines.lock() {
            Ok(mut lines) if !lines.is_empty() => std::mem::swap(&mut *lines, &mut *out),
            _ => return,
        }
        let _ = std::io::stderr().lock().write_all(&out);
        out.clear();
    }
}

impl<'a> MakeWriter<'a> for Batched {
    type Writer = &'a Batched;

    fn make_writer(&'a self) -> &'a Batched {
        self
    }
}

impl Write for &Batched {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut buf = self.0.lines.lock().map_err(|_| std::io::Error::other("log buffer poisoned"))?;
            buf.extend_from_slice(bytes);
            buf.len() >= BATCH
        };
        if full {
            self.flush_now();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_for_a_batch_then_go_out_whole() {
        let log = Batched(Arc::new(Buffers { lines: Mutex::new(Vec::new()), out: Mutex::new(Vec::new()) }));
        (&log).write_all(b"one line\n").unwrap();
        assert_eq!(log.0.lines.lock().unwrap().as_slice(), b"one line\n");
        (&log).write_all(&vec![b'x'; BATCH]).unwrap();
        // Passing the batch size wrote everything out (to standard error) and left both buffers empty.
        assert!(log.0.lines.lock().unwrap().is_empty());
        assert!(log.0.out.lock().unwrap().is_empty());
    }
}
