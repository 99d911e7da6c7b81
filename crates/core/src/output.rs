//! Where writers put their bytes.

use crate::error::Error;
use alloc::vec::Vec;

/// A destination for output bytes. Writers buffer and call it with large pieces.
pub trait Output {
    /// Takes the next bytes of output.
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error>;

    /// Takes the next bytes of output in a vector the writer has no more use for. An output that collects into
    /// a vector of its own can keep this one rather than copy it (a small document's whole output is the
    /// writer's one buffer); by default the bytes are written like any others.
    #[inline]
    fn write_vec(&mut self, bytes: Vec<u8>) -> Result<(), Error> {
        self.write(&bytes)
    }
}

impl Output for Vec<u8> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    /// Nothing written yet: `bytes` becomes the vector, without a copy.
    #[inline]
    fn write_vec(&mut self, bytes: Vec<u8>) -> Result<(), Error> {
        if self.is_empty() {
            *self = bytes;
        } else {
            self.extend_from_slice(&bytes);
        }
        Ok(())
    }
}

impl<O: Output + ?Sized> Output for &mut O {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        (**self).write(bytes)
    }

    #[inline]
    fn write_vec(&mut self, bytes: Vec<u8>) -> Result<(), Error> {
        (**self).write_vec(bytes)
    }
}

/// An output that refuses to grow past a number of bytes ([`crate::Limits::max_output_bytes`]): the write that
/// would pass it fails with [`crate::ErrorCode::OutputLimit`], and writers give that error the position of the
/// event they were writing. Writers hand over their output in pieces of 64 KiB, so the check comes while the
/// output grows, not at its end.
#[derive(Debug)]
pub struct Bounded<O> {
    inner: O,
    written: u64,
    max: u64,
}

impl<O> Bounded<O> {
    /// `inner`, taking at most `max` bytes.
    pub fn new(inner: O, max: u64) -> Self {
        Bounded { inner, written: 0, max }
    }

    /// The output inside.
    pub fn into_inner(self) -> O {
        self.inner
    }

    fn take(&mut self, n: usize) -> Result<(), Error> {
        let after = self.written.saturating_add(n as u64);
        if after > self.max {
            let code = crate::error::ErrorCode::OutputLimit;
            return Err(Error::with(code, crate::error::Detail::Limit(self.max), crate::source::Span::at(0)));
        }
        self.written = after;
        Ok(())
    }
}

impl<O: Output> Output for Bounded<O> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.take(bytes.len())?;
        self.inner.write(bytes)
    }

    #[inline]
    fn write_vec(&mut self, bytes: Vec<u8>) -> Result<(), Error> {
        self.take(bytes.len())?;
        self.inner.write_vec(bytes)
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
    Error::new(crate::error::ErrorCode::Output, crate::source::Span::at(0))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{Indent, WriteOptions, Writer};
    use crate::{Format, Options, SliceInput};

    #[test]
    fn an_empty_vec_takes_the_writers_buffer_and_a_filled_one_appends() {
        let bytes = alloc::vec![b'x'; 3];
        let at = bytes.as_ptr();
        let mut out = Vec::new();
        out.write_vec(bytes).unwrap();
        assert_eq!(out.as_ptr(), at, "moved, not copied");
        <&mut Vec<u8> as Output>::write_vec(&mut &mut out, alloc::vec![b'y']).unwrap();
        assert_eq!(out, b"xxxy");
    }

    #[test]
    fn small_and_large_documents_arrive_whole_in_any_output() {
        for n in [1, 10, 50_000] {
            let text = alloc::format!("[{}1]", "1, ".repeat(n));
            let options = Options { indent: Indent::Compact, ..Options::default() };
            let expected = text.replace(' ', "") + "\n";
            let fresh = crate::format(&mut SliceInput::new(text.as_bytes()), Format::Json, &options, Vec::new());
            let fresh = fresh.unwrap();
            assert_eq!(fresh, expected.as_bytes());
            if n < 1000 {
                // The writer's own staging buffer (2 KiB at least), not a copy sized to the text.
                assert!(fresh.capacity() >= 2048, "{} bytes of capacity: copied", fresh.capacity());
            }
            let started = crate::format(&mut SliceInput::new(text.as_bytes()), Format::Json, &options, b"> ".to_vec());
            assert_eq!(started.unwrap(), [b"> ", expected.as_bytes()].concat());
            let mut writer = Writer::new(Vec::new(), WriteOptions::default());
            crate::Sink::event(&mut writer, crate::Event::new(crate::EventKind::StreamStart, Default::default()))
                .unwrap();
            assert!(writer.finish().unwrap().is_empty());
            // A writer that goes on after the end of a stream starts a new buffer and loses nothing.
            let mut writer = Writer::new(Vec::new(), options.write_options(Format::Json));
            for _ in 0..2 {
                crate::json::read(
                    &mut SliceInput::new(text.as_bytes()),
                    crate::json::Dialect::Json,
                    &Default::default(),
                    &mut writer,
                )
                .unwrap();
            }
            assert_eq!(writer.finish().unwrap(), expected.repeat(2).as_bytes());
        }
    }
}
