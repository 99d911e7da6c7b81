//! JSON and its dialects: JSONC (comments, trailing commas) and NDJSON (one value per line).

mod read;
pub(crate) mod scan;
mod write;

pub use crate::options::Indent;
pub use read::read;
pub use write::{WriteOptions, Writer, escape_into};

/// The member of the JSON family being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// RFC 8259: exactly one value, no comments.
    Json,
    /// JSON with `//` and `/* */` comments and trailing commas.
    Jsonc,
    /// One JSON value per line; blank lines allowed.
    Ndjson,
}

/// Decodes a JSON string body into UTF-8 bytes, for ordering keys. Escaped lone surrogates, which have no
/// UTF-8 form, become U+FFFD.
pub(crate) fn unescape_for_order(body: &[u8]) -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec::Vec::with_capacity(body.len());
    let mut i = 0;
    let hex = |s: &[u8]| -> Option<u32> {
        let s = core::str::from_utf8(s).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    while i < body.len() {
        let b = body[i];
        if b != b'\\' || i + 1 >= body.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let simple = match body[i + 1] {
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            other => Some(other),
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
            continue;
        }
        let unit = body.get(i + 2..i + 6).and_then(hex).unwrap_or(0xfffd);
        i += 6;
        let mut c = unit;
        if (0xd800..0xdc00).contains(&unit)
            && body.get(i..i + 2) == Some(b"\\u")
            && let Some(low) = body.get(i + 2..i + 6).and_then(hex).filter(|l| (0xdc00..0xe000).contains(l))
        {
            c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
        }
        let ch = char::from_u32(c).unwrap_or('\u{fffd}');
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unescape_for_order;

    #[test]
    fn unescaping_for_order() {
        assert_eq!(unescape_for_order(br"a\u0041\n"), b"aA\n");
        assert_eq!(unescape_for_order(br"\ud83d\ude00"), "😀".as_bytes());
        assert_eq!(unescape_for_order(br"\ud800x"), "\u{fffd}x".as_bytes());
        assert_eq!(unescape_for_order(br"\/\\"), b"/\\");
    }
}
