//! TOML's tokens: keys, the four kinds of string, numbers, booleans and date-times.
//!
//! Each function starts at a byte offset in the whole text and returns where its token ends; strings are decoded
//! into a caller's buffer only when they hold an escape (or a line-ending backslash), otherwise the caller takes
//! the text straight from the source. Numbers come back in the spelling JSON and YAML also read: decimal, no
//! underscores, no leading `+`.

use crate::bytes::{eq_mask, first, lt_mask, word};
use crate::error::{Detail, Error, ErrorCode, Found};
use crate::event::ScalarKind;
use crate::source::Span;
use alloc::vec::Vec;

/// An error of `kind` at the bytes `start..end`.
pub(super) fn error(code: ErrorCode, detail: Detail, start: usize, end: usize) -> Error {
    Error::with(code, detail, Span::new(start as u64, end as u64))
}

/// A syntax error described in words, at `start..end`.
pub(super) fn syntax(code: ErrorCode, start: usize, end: usize) -> Error {
    error(code, Detail::None, start, end)
}

/// "Expected X, found what is at `at`".
pub(super) fn unexpected(src: &[u8], at: usize, code: ErrorCode) -> Error {
    let found = match src.get(at) {
        None => Found::End,
        Some(&b) => Found::Byte(b),
    };
    let end = if at < src.len() { at + 1 } else { at };
    error(code, Detail::Found(found), at, end)
}

/// True for the characters of a bare key: `A-Z a-z 0-9 _ -`.
#[inline]
pub(super) fn is_bare_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// True for the control characters TOML forbids in comments and strings: all but tab, and DEL.
#[inline]
pub(super) fn is_forbidden_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Where the spaces and tabs from `i` end.
#[inline]
pub(super) fn skip_blank(src: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t') = src.get(i) {
        i += 1;
    }
    i
}

/// A comment from the `#` at `start`: checks its characters and returns where it ends (at the line break or the
/// end of the text).
pub(super) fn comment(src: &[u8], start: usize) -> Result<usize, Error> {
    let mut i = start + 1;
    while let Some(&b) = src.get(i) {
        if b == b'\n' || (b == b'\r' && src.get(i + 1) == Some(&b'\n')) {
            break;
        }
        if is_forbidden_control(b) {
            return Err(error(ErrorCode::TomlControlInComment, Detail::None, i, i + 1));
        }
        i += 1;
    }
    Ok(i)
}

/// The length of the line break at `i` (1 for LF, 2 for CRLF), or 0 when there is none. A CR alone is an error.
#[inline]
pub(super) fn line_break(src: &[u8], i: usize) -> Result<usize, Error> {
    match src.get(i) {
        Some(b'\n') => Ok(1),
        Some(b'\r') if src.get(i + 1) == Some(&b'\n') => Ok(2),
        Some(b'\r') => Err(syntax(ErrorCode::BareCarriageReturn, i, i + 1)),
        _ => Ok(0),
    }
}

/// Where the run of ordinary string bytes from `i` ends: at the first `quote`, backslash, control character or
/// DEL (tab included: the caller lets it through), found eight bytes at a time.
#[inline]
fn plain_run(src: &[u8], mut i: usize, quote: u8) -> usize {
    while i + 8 <= src.len() {
        let w = word(src, i);
        let special = eq_mask(w, quote) | eq_mask(w, b'\\') | lt_mask(w, 0x20) | eq_mask(w, 0x7f);
        if special != 0 {
            return i + first(special);
        }
        i += 8;
    }
    while src.get(i).is_some_and(|&b| b != quote && b != b'\\' && b >= 0x20 && b != 0x7f) {
        i += 1;
    }
    i
}

/// A string token: where it ends, and its decoded text when that differs from the source between the quotes.
#[derive(Debug)]
pub(super) struct Str {
    /// One past the closing quote(s).
    pub(super) end: usize,
    /// The value's bytes in the source, when they are the value as written (no escape, no trimmed newline).
    pub(super) raw: Option<(usize, usize)>,
}

/// A string starting at the quote at `start` (`"`, `'`, `"""` or `'''`); `multiline` strings are allowed only
/// in values, not keys. Escaped or trimmed text is decoded into `out` (cleared first).
pub(super) fn string(src: &[u8], start: usize, multiline: bool, out: &mut Vec<u8>) -> Result<Str, Error> {
    let quote = src[start];
    let triple = src.get(start + 1) == Some(&quote) && src.get(start + 2) == Some(&quote);
    if triple {
        if !multiline {
            return Err(syntax(ErrorCode::TomlMultilineKey, start, start + 3));
        }
        return multiline_string(src, start, quote, out);
    }
    let mut i = start + 1;
    let literal = quote == b'\'';
    // The fast path: a run with no escape.
    loop {
        i = plain_run(src, i, quote);
        let Some(&b) = src.get(i) else {
            return Err(error(ErrorCode::UnterminatedString, Detail::None, start, i));
        };
        if b == quote {
            return Ok(Str { end: i + 1, raw: Some((start + 1, i)) });
        }
        if b == b'\\' && !literal {
            break;
        }
        if is_forbidden_control(b) {
            return Err(control(src, start, i));
        }
        i += 1;
    }
    out.clear();
    out.extend_from_slice(&src[start + 1..i]);
    loop {
        let Some(&b) = src.get(i) else {
            return Err(error(ErrorCode::UnterminatedString, Detail::None, start, i));
        };
        match b {
            b'"' => return Ok(Str { end: i + 1, raw: None }),
            b'\\' => i = escape(src, i, out)?,
            _ if is_forbidden_control(b) => return Err(control(src, start, i)),
            _ => {
                let end = plain_run(src, i + 1, b'"');
                out.extend_from_slice(&src[i..end]);
                i = end;
            }
        }
    }
}

/// The error for a control character at `i` in the string that starts at `start`.
fn control(src: &[u8], start: usize, i: usize) -> Error {
    if src[i] == b'\n' || src[i] == b'\r' {
        return syntax(ErrorCode::TomlLineBreakInString, start, i);
    }
    error(ErrorCode::ControlCharacter, Detail::CodePoint(u32::from(src[i])), i, i + 1)
}

/// Decodes the escape at `i` (a backslash) into `out`, returning where it ends.
fn escape(src: &[u8], i: usize, out: &mut Vec<u8>) -> Result<usize, Error> {
    let simple = match src.get(i + 1) {
        Some(b'b') => 0x08,
        Some(b't') => b'\t',
        Some(b'n') => b'\n',
        Some(b'f') => 0x0c,
        Some(b'r') => b'\r',
        Some(b'"') => b'"',
        Some(b'\\') => b'\\',
        Some(b'u') => return unicode(src, i, 4, out),
        Some(b'U') => return unicode(src, i, 8, out),
        _ => {
            return Err(syntax(ErrorCode::TomlInvalidEscape, i, (i + 2).min(src.len())));
        }
    };
    out.push(simple);
    Ok(i + 2)
}

/// `\uXXXX` or `\UXXXXXXXX` at `i`: a Unicode scalar value, encoded as UTF-8 into `out`.
fn unicode(src: &[u8], i: usize, digits: usize, out: &mut Vec<u8>) -> Result<usize, Error> {
    let end = i + 2 + digits;
    let hex = src.get(i + 2..end).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
    let Some(hex) = hex else {
        return Err(error(ErrorCode::InvalidUnicodeEscape, Detail::None, i, end.min(src.len())));
    };
    let code = hex.iter().fold(0u32, |n, &h| n * 16 + (h as char).to_digit(16).unwrap_or(0));
    let Some(c) = char::from_u32(code) else {
        return Err(syntax(ErrorCode::TomlEscapeNotScalar, i, end));
    };
    let mut utf8 = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    Ok(end)
}

/// A `"""` or `'''` string at `start`.
fn multiline_string(src: &[u8], start: usize, quote: u8, out: &mut Vec<u8>) -> Result<Str, Error> {
    let literal = quote == b'\'';
    let mut i = start + 3;
    // A line break right after the opening quotes is not part of the value.
    let trimmed = line_break(src, i)?;
    i += trimmed;
    let body = i;
    let mut decoded = false;
    out.clear();
    loop {
        let run = plain_run(src, i, quote);
        if decoded {
            out.extend_from_slice(&src[i..run]);
        }
        i = run;
        let Some(&b) = src.get(i) else {
            return Err(error(ErrorCode::UnterminatedString, Detail::None, start, i));
        };
        if b == quote && src.get(i + 1) == Some(&quote) && src.get(i + 2) == Some(&quote) {
            // Up to two more quotes belong to the value: `""""` ends with one quote in the text.
            let mut close = i;
            while close < i + 2 && src.get(close + 3) == Some(&quote) {
                close += 1;
            }
            if decoded {
                out.extend_from_slice(&src[i..close]);
            }
            let raw = (!decoded).then_some((body, close));
            return Ok(Str { end: close + 3, raw });
        }
        match b {
            b'\\' if !literal => {
                if !decoded {
                    out.extend_from_slice(&src[body..i]);
                    decoded = true;
                }
                i = if let Some(after) = line_ending_backslash(src, i)? { after } else { escape(src, i, out)? };
                continue;
            }
            b'\r' if src.get(i + 1) != Some(&b'\n') => {
                return Err(syntax(ErrorCode::BareCarriageReturn, i, i + 1));
            }
            b'\r' => {}
            b'\n' => {}
            _ if is_forbidden_control(b) => {
                return Err(error(ErrorCode::ControlCharacter, Detail::CodePoint(u32::from(b)), i, i + 1));
            }
            _ => {}
        }
        if decoded {
            out.push(b);
        }
        i += 1;
    }
}

/// A backslash at `i` that ends its line (only blanks between it and the line break): the backslash, the break
/// and all whitespace and line breaks after it are trimmed. Returns where the value continues, or `None` when
/// the backslash starts an escape.
fn line_ending_backslash(src: &[u8], i: usize) -> Result<Option<usize>, Error> {
    let mut j = skip_blank(src, i + 1);
    if line_break(src, j)? == 0 {
        return Ok(None);
    }
    loop {
        j = skip_blank(src, j);
        match line_break(src, j)? {
            0 => return Ok(Some(j)),
            n => j += n,
        }
    }
}

/// A key part at `i`: a bare key or a single-line string. Returns where it ends and its text's place: in the
/// source (`raw`) or decoded into `out`.
pub(super) fn key(src: &[u8], i: usize, out: &mut Vec<u8>) -> Result<Str, Error> {
    match src.get(i) {
        Some(b'"' | b'\'') => string(src, i, false, out),
        Some(&b) if is_bare_key_byte(b) => {
            let mut end = i + 1;
            while src.get(end).is_some_and(|&b| is_bare_key_byte(b)) {
                end += 1;
            }
            Ok(Str { end, raw: Some((i, end)) })
        }
        _ => Err(unexpected(src, i, ErrorCode::TomlExpectedKey)),
    }
}

/// A bare value (not a string, array or inline table) starting at `start`: its kind, where it ends, and its
/// text for data (numbers respelled into `out` when their spelling changes).
#[derive(Debug)]
pub(super) struct Bare {
    pub(super) kind: ScalarKind,
    pub(super) end: usize,
    /// True when the value's text was written into the caller's buffer; otherwise it is `src[start..end]`.
    pub(super) respelled: bool,
}

/// True for the bytes a bare value can contain.
#[inline]
fn is_bare_value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'.' | b':')
}

/// A bare value at `start`: boolean, number, `inf`/`nan`, or date-time.
pub(super) fn bare(src: &[u8], start: usize, out: &mut Vec<u8>) -> Result<Bare, Error> {
    let mut end = start;
    while src.get(end).is_some_and(|&b| is_bare_value_byte(b)) {
        end += 1;
    }
    if end == start {
        return Err(unexpected(src, start, ErrorCode::TomlExpectedValue));
    }
    let word = &src[start..end];
    let plain = |kind, end| Ok(Bare { kind, end, respelled: false });
    match word {
        b"true" | b"false" => return plain(ScalarKind::Bool, end),
        b"inf" | b"nan" | b"-inf" | b"-nan" => return plain(ScalarKind::Float, end),
        b"+inf" | b"+nan" => {
            out.clear();
            out.extend_from_slice(&word[1..]);
            return Ok(Bare { kind: ScalarKind::Float, end, respelled: true });
        }
        _ => {}
    }
    if is_date_time_start(word) {
        let end = date_time(src, start, end)?;
        return plain(ScalarKind::DateTime, end);
    }
    number(src, start, end, out)
}

/// True when a bare word starts like a date (`DDDD-`) or a time (`DD:`).
fn is_date_time_start(word: &[u8]) -> bool {
    let digits = word.iter().take_while(|b| b.is_ascii_digit()).count();
    (digits == 4 && word.get(4) == Some(&b'-')) || (digits == 2 && word.get(2) == Some(&b':'))
}

/// A number in `src[start..end]`.
fn number(src: &[u8], start: usize, end: usize, out: &mut Vec<u8>) -> Result<Bare, Error> {
    let word = &src[start..end];
    let bad = |code| Err(error(code, Detail::None, start, end));
    if let [b'0', prefix @ (b'x' | b'o' | b'b'), digits @ ..] = word {
        let radix = match prefix {
            b'x' => 16,
            b'o' => 8,
            _ => 2,
        };
        let Some(value) = radix_digits(digits, radix) else {
            return bad(ErrorCode::NumberRadixDigits);
        };
        out.clear();
        out.extend_from_slice(alloc::format!("{value}").as_bytes());
        return Ok(Bare { kind: ScalarKind::Integer, end, respelled: true });
    }
    let unsigned = match word.first() {
        Some(b'+' | b'-') => &word[1..],
        _ => word,
    };
    // Integer part: `0`, or digits without a leading zero, with single underscores between digits.
    let int_len = digit_run(unsigned);
    if int_len == 0 {
        return bad(ErrorCode::NumberExpectedDigit);
    }
    if unsigned[0] == b'0' && int_len > 1 {
        return bad(ErrorCode::NumberLeadingZero);
    }
    let mut i = int_len;
    let mut kind = ScalarKind::Integer;
    if unsigned.get(i) == Some(&b'.') {
        let frac = digit_run(&unsigned[i + 1..]);
        if frac == 0 {
            return bad(ErrorCode::NumberExpectedFraction);
        }
        i += 1 + frac;
        kind = ScalarKind::Float;
    }
    if let Some(b'e' | b'E') = unsigned.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = unsigned.get(i) {
            i += 1;
        }
        let exp = digit_run(&unsigned[i..]);
        if exp == 0 {
            return bad(ErrorCode::NumberExpectedExponent);
        }
        i += exp;
        kind = ScalarKind::Float;
    }
    if i != unsigned.len() {
        return bad(ErrorCode::NumberUnexpectedCharacter);
    }
    let has_underscore = word.contains(&b'_');
    if kind == ScalarKind::Integer && !fits_i64(word[0] == b'-', unsigned, has_underscore) {
        return bad(ErrorCode::NumberOverflow);
    }
    if !has_underscore && word[0] != b'+' {
        return Ok(Bare { kind, end, respelled: false });
    }
    out.clear();
    let keep = if word[0] == b'+' { &word[1..] } else { word };
    out.extend(keep.iter().copied().filter(|&b| b != b'_'));
    Ok(Bare { kind, end, respelled: true })
}

/// The length of a run of decimal digits with single underscores between digits at the start of `s`; 0 when it
/// does not start with a digit or an underscore is misplaced (the caller then reports a bad number).
fn digit_run(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'0'..=b'9' => i += 1,
            b'_' if i > 0 && s.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 1,
            b'_' => return 0,
            _ => break,
        }
    }
    i
}

/// Digits in `radix` with single underscores between them, as a value that fits a signed 64-bit integer.
fn radix_digits(digits: &[u8], radix: u32) -> Option<i64> {
    let mut value: i64 = 0;
    let mut previous_digit = false;
    for &b in digits {
        if b == b'_' {
            if !previous_digit {
                return None;
            }
            previous_digit = false;
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        value = value.checked_mul(i64::from(radix))?.checked_add(i64::from(d))?;
        previous_digit = true;
    }
    previous_digit.then_some(value)
}

/// True when the decimal integer `unsigned` (underscores allowed), negated when `negative`, fits `i64`.
fn fits_i64(negative: bool, unsigned: &[u8], has_underscore: bool) -> bool {
    let digits = if has_underscore { unsigned.iter().filter(|&&b| b != b'_').count() } else { unsigned.len() };
    if digits < 19 {
        return true;
    }
    let mut value: i128 = 0;
    for &b in unsigned.iter().filter(|&&b| b != b'_') {
        value = value * 10 + i128::from(b - b'0');
        if value > 1 << 64 {
            return false;
        }
    }
    if negative { -value >= i128::from(i64::MIN) } else { value <= i128::from(i64::MAX) }
}

/// A date, time or date-time starting at `start`, whose first word ends at `end`: checks the fields and returns
/// where the value ends (past a time after a space: `1979-05-27 07:32:00`).
fn date_time(src: &[u8], start: usize, end: usize) -> Result<usize, Error> {
    let word = &src[start..end];
    let bad = |message, to| Err(syntax(message, start, to));
    if word.get(2) == Some(&b':') {
        if !time(word) {
            return bad(ErrorCode::TomlInvalidTime, end);
        }
        return Ok(end);
    }
    if word.len() < 10 || !date(&word[..10]) {
        return bad(ErrorCode::TomlInvalidDate, end);
    }
    let (rest, end) = match word.get(10) {
        None => {
            // A date, or a date, a space and a time.
            let spaced = src.get(end) == Some(&b' ')
                && src
                    .get(end + 1..end + 4)
                    .is_some_and(|t| t[0].is_ascii_digit() && t[1].is_ascii_digit() && t[2] == b':');
            if !spaced {
                return Ok(end);
            }
            let mut time_end = end + 1;
            while src.get(time_end).is_some_and(|&b| is_bare_value_byte(b)) {
                time_end += 1;
            }
            (&src[end + 1..time_end], time_end)
        }
        Some(b'T' | b't') => (&word[11..], end),
        Some(_) => return bad(ErrorCode::TomlDateTimeSeparator, end),
    };
    let offset_at = rest.iter().position(|&b| matches!(b, b'Z' | b'z' | b'+' | b'-')).unwrap_or(rest.len());
    let (clock, offset) = rest.split_at(offset_at);
    if !time(clock) || !time_offset(offset) {
        return bad(ErrorCode::TomlInvalidDateTime, end);
    }
    Ok(end)
}

/// Two ASCII digits as a number.
fn two(d: &[u8]) -> Option<u32> {
    match d {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(b - b'0')),
        _ => None,
    }
}

/// `YYYY-MM-DD` with a day that exists.
fn date(d: &[u8]) -> bool {
    let year = d[..4].iter().all(u8::is_ascii_digit);
    let (Some(month), Some(day)) = (two(&d[5..7]), two(&d[8..10])) else { return false };
    if !year || d[4] != b'-' || d[7] != b'-' {
        return false;
    }
    let y = d[..4].iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `HH:MM:SS` with an optional `.fraction`.
fn time(t: &[u8]) -> bool {
    if t.len() < 8 || t[2] != b':' || t[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(s)) = (two(&t[..2]), two(&t[3..5]), two(&t[6..8])) else { return false };
    let fraction = match &t[8..] {
        [] => true,
        [b'.', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    h < 24 && m < 60 && s <= 60 && fraction
}

/// An offset: nothing, `Z`, or `±HH:MM`.
fn time_offset(o: &[u8]) -> bool {
    match o {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            matches!((two(&[*h1, *h2]), two(&[*m1, *m2])), (Some(h), Some(m)) if h < 24 && m < 60)
        }
        _ => false,
    }
}
