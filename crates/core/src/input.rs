//! Where readers get their bytes: a whole slice, or a window that slides over a stream.

use crate::error::{Detail, Error, ErrorCode};
use crate::source::{Located, Span, locate, locate_in};

/// A source of bytes that a reader consumes front to back through a window.
///
/// The reader works on [`Input::buffer`]; when it needs bytes beyond the window it calls [`Input::refill`],
/// saying how much of the front it no longer needs. Memory therefore stays proportional to the longest token
/// (plus the chunk size), not to the input.
pub trait Input {
    /// The bytes currently available. Byte `i` is at absolute offset [`Input::offset`] `+ i`.
    fn buffer(&self) -> &[u8];

    /// The absolute offset of `buffer()[0]`.
    fn offset(&self) -> u64;

    /// Makes more bytes available. The first `consumed` bytes may be dropped; the input may keep some of them
    /// (to show the start of the current line in a diagnostic), and [`Input::offset`] tells how many went.
    ///
    /// Returns `Ok(false)` at the end of input, when no more bytes came.
    fn refill(&mut self, consumed: usize) -> Result<bool, Error>;

    /// Line, column and source line of an absolute offset that is still in the window (or just past it).
    fn locate(&self, offset: u64) -> Located<'_>;

    /// The whole input, when the window holds all of it (a slice; a stream read to its end without dropping
    /// anything), for work that needs the whole text, such as naming the key path of an error.
    fn whole(&self) -> Option<&[u8]> {
        None
    }
}

/// A whole input in memory. Never refills; nothing is copied.
#[derive(Clone, Copy, Debug)]
pub struct SliceInput<'a> {
    bytes: &'a [u8],
}

impl<'a> SliceInput<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        SliceInput { bytes }
    }
}

impl Input for SliceInput<'_> {
    #[inline]
    fn buffer(&self) -> &[u8] {
        self.bytes
    }

    #[inline]
    fn offset(&self) -> u64 {
        0
    }

    #[inline]
    fn refill(&mut self, _consumed: usize) -> Result<bool, Error> {
        Ok(false)
    }

    fn locate(&self, offset: u64) -> Located<'_> {
        locate(self.bytes, offset)
    }

    fn whole(&self) -> Option<&[u8]> {
        Some(self.bytes)
    }
}

/// A window over a stream read in chunks, for any source that can fill a byte slice.
///
/// It counts the lines and characters it drops, so that positions stay exact however far the window slid, and
/// it keeps up to [`ChunkedInput::KEEP_LINE`] bytes of the current line for diagnostics.
#[derive(Debug)]
pub struct ChunkedInput<R> {
    source: R,
    buf: alloc::vec::Vec<u8>,
    /// Bytes in `buf` that hold data.
    len: usize,
    /// Absolute offset of `buf[0]`.
    offset: u64,
    /// Line feeds dropped so far.
    lines_dropped: u64,
    /// Characters of the current line dropped so far (0 when `buf` starts at a line start).
    chars_dropped: u64,
    at_line_start: bool,
    eof: bool,
    max_token: u64,
}

/// Something that fills a slice with the next bytes of a stream, returning how many it wrote (0 at the end).
pub trait Fill {
    /// Fills the front of `buf`; `Err(())` means the source failed (it keeps the details itself).
    #[allow(clippy::result_unit_err)]
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, ()>;
}

impl<R: Fill> ChunkedInput<R> {
    /// How much of the current line is kept when the window slides, for diagnostics.
    pub const KEEP_LINE: usize = 4096;
    /// The size of one read.
    pub const CHUNK: usize = 256 * 1024;

    /// Reads from `source`, holding at most `max_token` bytes of one token (see [`crate::Limits`]).
    pub fn new(source: R, max_token: u64) -> Self {
        ChunkedInput {
            source,
            buf: alloc::vec::Vec::new(),
            len: 0,
            offset: 0,
            lines_dropped: 0,
            chars_dropped: 0,
            at_line_start: true,
            eof: false,
            max_token,
        }
    }

    /// The source, e.g. to take the error it kept.
    pub fn source_mut(&mut self) -> &mut R {
        &mut self.source
    }

    /// Drops `n` bytes from the front, keeping the line and character counts.
    fn drop_front(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let dropped = &self.buf[..n];
        let lines = crate::source::count_lines(dropped);
        if lines == 0 {
            self.chars_dropped += crate::source::count_chars(dropped);
        } else {
            self.lines_dropped += lines;
            let nl = crate::bytes::last_newline(dropped).unwrap_or(0);
            self.chars_dropped = crate::source::count_chars(&dropped[nl + 1..]);
        }
        self.at_line_start = dropped.last() == Some(&b'\n');
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
        self.offset += n as u64;
    }
}

impl<R: Fill> Input for ChunkedInput<R> {
    #[inline]
    fn buffer(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    #[inline]
    fn offset(&self) -> u64 {
        self.offset
    }

    fn refill(&mut self, consumed: usize) -> Result<bool, Error> {
        if self.eof {
            return Ok(false);
        }
        // Keep the start of the current line when it is near, so that a diagnostic can show it.
        let consumed = consumed.min(self.len);
        let near = consumed.saturating_sub(Self::KEEP_LINE);
        let drop = match self.buf[near..consumed].iter().rposition(|&b| b == b'\n') {
            Some(nl) => near + nl + 1,
            None if near == 0 => 0,
            None => consumed,
        };
        self.drop_front(drop);
        let kept = self.len - (consumed - drop);
        if (kept as u64) > self.max_token {
            let at = self.offset + (consumed - drop) as u64;
            return Err(Error::with(ErrorCode::TokenTooLong, Detail::Limit(self.max_token), Span::at(at)));
        }
        if self.buf.len() < self.len + Self::CHUNK {
            self.buf.resize(self.len + Self::CHUNK, 0);
        }
        // Pipes hand out a few kilobytes per read; gather at least half a chunk, so that the per-refill work
        // (sliding the window, counting what it drops) stays small next to the bytes it serves.
        let end = self.buf.len();
        let mut got = 0;
        while got < Self::CHUNK / 2 {
            let n = self
                .source
                .fill(&mut self.buf[self.len..end])
                .map_err(|()| Error::new(ErrorCode::Input, Span::at(self.offset + self.len as u64)))?;
            if n == 0 {
                self.eof = true;
                break;
            }
            self.len += n;
            got += n;
        }
        Ok(got > 0)
    }

    fn locate(&self, offset: u64) -> Located<'_> {
        let at = offset.saturating_sub(self.offset);
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        locate_in(self.buffer(), at, self.lines_dropped, self.chars_dropped, self.at_line_start)
    }

    fn whole(&self) -> Option<&[u8]> {
        (self.eof && self.offset == 0).then(|| self.buffer())
    }
}

#[cfg(feature = "std")]
mod io {
    use super::Fill;

    /// Adapts any [`std::io::Read`] for [`super::ChunkedInput`], keeping the first error it meets.
    #[derive(Debug)]
    pub struct IoFill<R> {
        reader: R,
        error: Option<std::io::Error>,
    }

    impl<R: std::io::Read> IoFill<R> {
        /// Wraps `reader`.
        pub fn new(reader: R) -> Self {
            IoFill { reader, error: None }
        }

        /// The I/O error that stopped reading, if any.
        pub fn take_error(&mut self) -> Option<std::io::Error> {
            self.error.take()
        }
    }

    impl<R: std::io::Read> Fill for IoFill<R> {
        fn fill(&mut self, buf: &mut [u8]) -> Result<usize, ()> {
            loop {
                match self.reader.read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.error = Some(e);
                        return Err(());
                    }
                }
            }
        }
    }
}

#[cfg(feature = "std")]
pub use io::IoFill;

/// A `Fill` over a slice handed out in pieces of a fixed size: lets tests drive the streaming paths.
#[derive(Debug)]
pub struct PieceFill<'a> {
    rest: &'a [u8],
    piece: usize,
}

impl<'a> PieceFill<'a> {
    /// Hands out `bytes` at most `piece` bytes at a time.
    pub fn new(bytes: &'a [u8], piece: usize) -> Self {
        PieceFill { rest: bytes, piece: piece.max(1) }
    }
}

impl Fill for PieceFill<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, ()> {
        let n = self.rest.len().min(self.piece).min(buf.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Position;

    #[test]
    fn a_token_longer_than_the_limit_is_an_error_not_an_allocation() {
        let text = alloc::format!("[\"{}\"]", "x".repeat(1 << 20));
        let mut input = ChunkedInput::new(PieceFill::new(text.as_bytes(), 1000), 4096);
        let sink = &mut |_: crate::Event<'_>| Ok(());
        let error = crate::json::read(&mut input, crate::json::Dialect::Json, &crate::Limits::DEFAULT, sink);
        let error = error.unwrap_err();
        assert_eq!((error.code, error.detail), (ErrorCode::TokenTooLong, Detail::Limit(4096)));
        // The same input within the limit reads fine.
        let mut input = ChunkedInput::new(PieceFill::new(text.as_bytes(), 1000), 2 << 20);
        assert!(crate::json::read(&mut input, crate::json::Dialect::Json, &crate::Limits::DEFAULT, sink).is_ok());
    }

    #[test]
    fn chunked_positions_survive_sliding() {
        let text = b"aaaa\nbbbb\ncc x";
        let mut input = ChunkedInput::new(PieceFill::new(text, 3), u64::MAX);
        let mut consumed = 0;
        while input.refill(consumed).unwrap() {
            consumed = input.buffer().len();
        }
        let loc = input.locate(13);
        assert_eq!(loc.position, Position { line: 3, column: 4 });
        assert_eq!(loc.line, b"cc x");
    }
}
