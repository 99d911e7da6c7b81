//! Where writers put their bytes.

use crate::error::Error;
use alloc::vec::Vec;

/// A destination for output bytes. Writers buffer and call it with large pieces.
pub trait Output {
    /// Takes the next bytes of output.
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error>;
}

impl Output for Vec<u8> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

impl<O: Output + ?Sized> Output for &mut O {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        (**self).write(bytes)
    }
}

/// Discards everything: for validating, where only the reader's verdict matters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl Output for Discard {
    #[inline]
    fn write(&mut self, _bytes: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}

/// The error an output adapter returns when its destination fails; the adapter keeps the details.
#[cfg(feature = "std")]
pub(crate) const fn output_error() -> Error {
    Error::new(crate::error::ErrorKind::Output, crate::source::Span::at(0))
}

#[cfg(feature = "std")]
mod io {
    use super::{Output, output_error};
    use crate::error::Error;

    /// Adapts any [`std::io::Write`], keeping the first error it meets.
    #[derive(Debug)]
    pub struct IoOutput<W> {
        writer: W,
        error: Option<std::io::Error>,
    }

    impl<W: std::io::Write> IoOutput<W> {
        /// Wraps `writer`. Writers already buffer, so `writer` need not.
        pub fn new(writer: W) -> Self {
            IoOutput { writer, error: None }
        }

        /// The I/O error that stopped writing, if any.
        pub fn take_error(&mut self) -> Option<std::io::Error> {
            self.error.take()
        }

        /// The wrapped writer.
        pub fn into_inner(self) -> W {
            self.writer
        }

        /// The wrapped writer.
        pub fn get_mut(&mut self) -> &mut W {
            &mut self.writer
        }
    }

    impl<W: std::io::Write> Output for IoOutput<W> {
        fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
            self.writer.write_all(bytes).map_err(|e| {
                self.error = Some(e);
                output_error()
            })
        }
    }
}

#[cfg(feature = "std")]
pub use io::IoOutput;
