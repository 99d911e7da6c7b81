//! The log of `dfmt serve`: lines collected in memory and written to standard error in batches.
//!
//! Every request logs one line. Writing each with its own system call, or handing each to a writer thread
//! (which then wakes once per line), cost 11–18 % of small-request throughput in `bench/load` on 2 cores: the
//! time went to context switches. Here a line is appended to a shared buffer under a short lock; the buffer is
//! written when it passes [`BATCH`] bytes, by a flusher thread at least every [`INTERVAL`], and at exit.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Buffered bytes that trigger a write from the logging thread itself.
const BATCH: usize = 32 << 10;
/// The longest a line waits in the buffer.
const INTERVAL: Duration = Duration::from_millis(200);

/// A handle to the shared buffer; tracing-subscriber makes one per line.
#[derive(Clone, Debug)]
pub(crate) struct Batched(Arc<Mutex<Vec<u8>>>);

impl Batched {
    /// A buffer and the thread that flushes it every [`INTERVAL`].
    pub(crate) fn start() -> Batched {
        let batched = Batched(Arc::new(Mutex::new(Vec::with_capacity(2 * BATCH))));
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
        let pending = match self.0.lock() {
            Ok(mut buf) if !buf.is_empty() => std::mem::replace(&mut *buf, Vec::with_capacity(2 * BATCH)),
            _ => return,
        };
        let _ = std::io::stderr().lock().write_all(&pending);
    }
}

impl Write for Batched {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut buf = self.0.lock().map_err(|_| std::io::Error::other("log buffer poisoned"))?;
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
