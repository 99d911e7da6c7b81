//! Spans and positions: where in the input a thing stands.
//!
//! Readers record byte offsets only; line and column are computed when an error is reported, because counting
//! lines on the hot path would cost every successful run for the benefit of the failing ones.

/// A half-open byte range `start..end` in the input, as absolute offsets from its first byte.
///
/// Offsets are `u64` so that streamed inputs larger than memory (or than 4 GiB on 32-bit targets) still point
/// at the right place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u64,
    /// Offset one past the last byte.
    pub end: u64,
}

impl Span {
    /// A span from `start` to `end`.
    #[inline]
    pub const fn new(start: u64, end: u64) -> Self {
        Span { start, end }
    }

    /// An empty span at `offset`.
    #[inline]
    pub const fn at(offset: u64) -> Self {
        Span { start: offset, end: offset }
    }
}

/// A 1-based line and column; the column counts characters (Unicode scalar values), not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line number, from 1.
    pub line: u64,
    /// Column number in characters, from 1.
    pub column: u64,
}

/// The source line around an offset, for a diagnostic snippet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located<'a> {
    /// Line and column of the offset.
    pub position: Position,
    /// The bytes of that line that are still available (without its line break). For streamed input the start
    /// of a very long line may already be gone; `line_is_partial` says so.
    pub line: &'a [u8],
    /// Byte index of the offset within `line` (at most `line.len()`).
    pub byte_in_line: usize,
    /// True when `line` does not start at the real start of the line.
    pub line_is_partial: bool,
}

/// Counts characters in `bytes`, as UTF-8 (every byte that is not a continuation byte starts one); invalid
/// sequences count one per stray byte, which is what a caret under them should do.
pub(crate) fn count_chars(bytes: &[u8]) -> u64 {
    crate::bytes::count_char_starts(bytes)
}

/// Counts line feeds in `bytes`.
pub(crate) fn count_lines(bytes: &[u8]) -> u64 {
    crate::bytes::count_byte(bytes, b'\n')
}

/// Locates `offset` in a whole input held in memory.
pub fn locate(input: &[u8], offset: u64) -> Located<'_> {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(input.len());
    locate_in(input, offset, 0, 0, true)
}

/// Locates byte `at` of `window`, given the lines and characters already seen before the window began.
///
/// `lines_before` counts line feeds before the window; `chars_before` counts the characters of the current line
/// before the window (0 when the window starts at a line start, which `at_line_start` says).
pub(crate) fn locate_in(
    window: &[u8],
    at: usize,
    lines_before: u64,
    chars_before: u64,
    at_line_start: bool,
) -> Located<'_> {
    let at = at.min(window.len());
    let head = &window[..at];
    let (line_start, partial) = match memchr::memrchr(b'\n', head) {
        Some(nl) => (nl + 1, false),
        None => (0, !at_line_start),
    };
    let line_end = memchr::memchr(b'\n', &window[at..]).map_or(window.len(), |n| at + n);
    let mut line = &window[line_start..line_end];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    let column_chars = count_chars(&window[line_start..at]);
    let column = if line_start == 0 { chars_before + column_chars } else { column_chars };
    Located {
        position: Position { line: lines_before + count_lines(head) + 1, column: column + 1 },
        line,
        byte_in_line: (at - line_start).min(line.len()),
        line_is_partial: partial,
    }
}

/// Line and column of many offsets of one text: one pass over the text when the offsets come in increasing
/// order (each call counts only the bytes since the previous one), as [`locate`] gives them one at a time. An
/// offset before the previous one starts the count again.
#[derive(Clone, Debug)]
pub struct Locator<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
    line_start: usize,
    column: u64,
}

impl<'a> Locator<'a> {
    /// A locator at the start of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        Locator { text, at: 0, line: 1, line_start: 0, column: 1 }
    }

    /// The line and column of `offset` (the end of the text for an offset past it).
    pub fn position(&mut self, offset: u64) -> Position {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(self.text.len());
        if offset < self.at {
            *self = Locator::new(self.text);
        }
        let gap = &self.text[self.at..offset];
        match memchr::memrchr(b'\n', gap) {
            Some(last) => {
                self.line += count_lines(gap);
                self.line_start = self.at + last + 1;
                self.column = 1 + count_chars(&self.text[self.line_start..offset]);
            }
            None => self.column += count_chars(gap),
        }
        self.at = offset;
        Position { line: self.line, column: self.column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "{\n  \"é\": x\n}".as_bytes();
        let at = text.iter().position(|&b| b == b'x').unwrap() as u64;
        let loc = locate(text, at);
        assert_eq!(loc.position, Position { line: 2, column: 8 });
        assert_eq!(loc.line, "  \"é\": x".as_bytes());
        assert_eq!(loc.byte_in_line, 8);
    }

    #[test]
    fn offset_past_the_end_points_after_the_last_character() {
        let loc = locate(b"[1,\n", 4);
        assert_eq!(loc.position, Position { line: 2, column: 1 });
        assert_eq!(loc.line, b"");
    }

    #[test]
    fn counting_agrees_with_a_plain_loop() {
        let text: alloc::vec::Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        for len in [0, 1, 31, 32, 33, 8160, 8161, 20_000] {
            let part = &text[..len];
            assert_eq!(count_lines(part), part.iter().filter(|&&b| b == b'\n').count() as u64);
            assert_eq!(count_chars(part), part.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64);
        }
    }

    #[test]
    fn the_locator_agrees_with_locate() {
        let text = "{\n  \"é\": [1,\r\n 2],\n\n  \"b\": \"ü\"}\n".as_bytes();
        let mut locator = Locator::new(text);
        for offset in (0..=text.len() as u64 + 2).chain([3, 0, 17, 5]) {
            assert_eq!(locator.position(offset), locate(text, offset).position, "at {offset}");
        }
    }

    #[test]
    fn crlf_is_not_part_of_the_line() {
        let loc = locate(b"1\r\n2 x\r\n", 5);
        assert_eq!(loc.position, Position { line: 2, column: 3 });
        assert_eq!(loc.line, b"2 x");
    }
}
