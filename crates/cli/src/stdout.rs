//! A single input streamed to standard output.
//!
//! Output is held back until it passes [`HOLD`] bytes: an invalid input smaller than that prints nothing but
//! its diagnostic, and a larger one streams with flat memory (its exit code still says it failed).

use crate::inputs::Source;
use crate::region::Region;
use crate::task::{self, Settings, Status, Stop};
use dfmt_core::{Error, Output};
use std::io::Write;

/// Bytes of output held back before streaming starts.
const HOLD: usize = 8 << 20;

/// Standard output, with the hold-back above. Keeps the I/O error that stopped it.
struct HeldStdout {
    /// The output so far; `None` once it streams.
    held: Option<Region>,
    out: Box<dyn Write>,
    error: Option<std::io::Error>,
}

/// Standard output without `std`'s line buffering: the writer already hands over 64 KiB pieces, and a line
/// buffer would scan each for newlines and split it in two writes. Falls back to the locked handle if the
/// descriptor cannot be duplicated.
fn raw_stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    let owned = std::os::fd::AsFd::as_fd(&std::io::stdout()).try_clone_to_owned();
    #[cfg(windows)]
    let owned = std::os::windows::io::AsHandle::as_handle(&std::io::stdout()).try_clone_to_owned();
    match owned {
        Ok(handle) => Box::new(std::fs::File::from(handle)),
        Err(_) => Box::new(std::io::stdout().lock()),
    }
}

impl HeldStdout {
    /// Writes what is held and streams from then on.
    fn release(&mut self) -> Result<(), Error> {
        match self.held.take() {
            Some(held) => self.write_through(held.as_slice()),
            None => Ok(()),
        }
    }

    fn write_through(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.write_all(bytes).map_err(|e| {
            self.error = Some(e);
            Error::new(dfmt_core::ErrorCode::Output, dfmt_core::Span::default())
        })
    }
}

impl Output for HeldStdout {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match &mut self.held {
            Some(held) if bytes.len() <= held.spare() => {
                held.extend(bytes);
                Ok(())
            }
            Some(_) => {
                self.release()?;
                self.write_through(bytes)
            }
            None => self.write_through(bytes),
        }
    }
}

/// Runs the task on one input, streaming its output to standard output.
pub(crate) fn stream_one(source: &Source, settings: &Settings) -> Status {
    // Reserved, not touched: pages are mapped as output arrives (crate::region), and the buffer never moves.
    let mut out = HeldStdout { held: Some(Region::new(HOLD)), out: raw_stdout(), error: None };
    let result = task::stream(source, settings, &mut out);
    let status = match result {
        Ok(()) => match out.release().map(|()| out.out.flush()) {
            Ok(Ok(())) => Status::Ok,
            Ok(Err(e)) => {
                out.error = Some(e);
                Status::Failed
            }
            Err(_) => Status::Failed,
        },
        Err(Stop::Invalid(diagnostic)) => {
            let _ = out.out.flush();
            if settings.style.on_stdout() {
                let _ = out.out.write_all(diagnostic.as_bytes());
                let _ = out.out.flush();
            } else {
                eprint!("{diagnostic}");
            }
            Status::Invalid
        }
        Err(Stop::Io(error)) => {
            eprintln!("dfmt: error: {error:#}");
            Status::Failed
        }
        Err(Stop::Output) => Status::Failed,
    };
    match out.error {
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Some(e) => {
            eprintln!("dfmt: error: writing to standard output: {e}");
            Status::Failed
        }
        None => status,
    }
}
