//! What plain scalars mean: YAML 1.2's core schema for reading, and YAML 1.1's wider set of special words and
//! numbers for writing strings that every reader sees as strings.

use crate::event::ScalarKind;

/// The kind a plain (unquoted, untagged) scalar resolves to under the YAML 1.2 core schema.
///
/// `yes`, `on`, `1_000` and `12:30` are strings here, and `0755` is the decimal integer 755 (the core schema's
/// `[-+]?[0-9]+`; octal is `0o755`); under YAML 1.1 they are booleans, numbers, sexagesimals and octal 493 (see
/// [`special_in_yaml11`]).
pub fn core_kind(text: &[u8]) -> ScalarKind {
    match text {
        b"" | b"~" | b"null" | b"Null" | b"NULL" => return ScalarKind::Null,
        b"true" | b"True" | b"TRUE" | b"false" | b"False" | b"FALSE" => return ScalarKind::Bool,
        _ => {}
    }
    let first = text[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return ScalarKind::String;
    }
    if is_core_int(text) {
        ScalarKind::Integer
    } else if is_core_float(text) {
        ScalarKind::Float
    } else {
        ScalarKind::String
    }
}

/// `[-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+`
fn is_core_int(text: &[u8]) -> bool {
    if let Some(digits) = text.strip_prefix(b"0o") {
        return !digits.is_empty() && digits.iter().all(|b| (b'0'..=b'7').contains(b));
    }
    if let Some(digits) = text.strip_prefix(b"0x") {
        return !digits.is_empty() && digits.iter().all(u8::is_ascii_hexdigit);
    }
    let digits = text.strip_prefix(b"-").or_else(|| text.strip_prefix(b"+")).unwrap_or(text);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
fn is_core_float(text: &[u8]) -> bool {
    if matches!(text, b".nan" | b".NaN" | b".NAN") {
        return true;
    }
    let body = text.strip_prefix(b"-").or_else(|| text.strip_prefix(b"+")).unwrap_or(text);
    if matches!(body, b".inf" | b".Inf" | b".INF") {
        return true;
    }
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let int = digits(body);
    let mut rest = &body[int..];
    let mut frac = 0;
    if let Some(after) = rest.strip_prefix(b".") {
        frac = digits(after);
        rest = &after[frac..];
    } else if int == 0 {
        return false;
    }
    if int == 0 && frac == 0 {
        return false;
    }
    if let Some(exp) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exp = exp.strip_prefix(b"-").or_else(|| exp.strip_prefix(b"+")).unwrap_or(exp);
        return !exp.is_empty() && digits(exp) == exp.len();
    }
    rest.is_empty()
}

/// True when a YAML 1.1 reader would read this plain text as something other than a string (a bool such as
/// `yes` or `on`, a null, an int such as `0755`, `0b101`, `1_000` or `12:30`, a float, a timestamp, the merge
/// key `<<` or the value key `=`), or when the 1.2 core schema would. A writer quotes such strings.
///
/// The number test is deliberately wide: any text that starts like a number and holds only characters numbers,
/// times and dates are made of counts as special, so a string is sometimes quoted where it would not have to
/// be, and never left bare where some reader would take it for a number.
pub fn special_in_yaml11(text: &[u8]) -> bool {
    if core_kind(text) != ScalarKind::String {
        return true;
    }
    const WORDS: &[&[u8]] = &[
        b"y", b"Y", b"yes", b"Yes", b"YES", b"n", b"N", b"no", b"No", b"NO", b"on", b"On", b"ON", b"off", b"Off",
        b"OFF", b"<<", b"=", b".inf", b".Inf", b".INF", b".nan", b".NaN", b".NAN",
    ];
    if WORDS.contains(&text) {
        return true;
    }
    let body = text.strip_prefix(b"-").or_else(|| text.strip_prefix(b"+")).unwrap_or(text);
    let numeric_start = body.first().is_some_and(|b| b.is_ascii_digit() || *b == b'.');
    numeric_start
        && body.iter().any(u8::is_ascii_digit)
        && body.iter().all(|b| b.is_ascii_hexdigit() || b"xXoObB_.:+-eE tTzZ".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema() {
        for null in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(core_kind(null.as_bytes()), ScalarKind::Null, "{null}");
        }
        for b in ["true", "False", "TRUE"] {
            assert_eq!(core_kind(b.as_bytes()), ScalarKind::Bool, "{b}");
        }
        for int in ["0", "-12", "+12", "0o17", "0x1F", "0755", "00"] {
            assert_eq!(core_kind(int.as_bytes()), ScalarKind::Integer, "{int}");
        }
        for float in ["1.0", "1.", ".5", "-.5", "1e3", "1E+3", "-1.5e-3", ".inf", "-.Inf", "+.INF", ".nan", ".NaN"] {
            assert_eq!(core_kind(float.as_bytes()), ScalarKind::Float, "{float}");
        }
        for s in [
            "yes",
            "no",
            "on",
            "off",
            "1_000",
            "12:30",
            "0o",
            "0x",
            "0b101",
            "-",
            ".",
            "1e",
            "1.2.3",
            "-.nan",
            "nULL",
            "e3",
            "+.5e",
            "0xG",
            "2001-12-14",
            "- a",
            "TRUe",
        ] {
            assert_eq!(core_kind(s.as_bytes()), ScalarKind::String, "{s}");
        }
    }

    #[test]
    fn yaml11_specials() {
        for s in ["yes", "on", "0755", "12:30", "null", "1e3", "1_000", "0b101", "2001-12-14", "<<", "Off", "-1.5"] {
            assert!(special_in_yaml11(s.as_bytes()), "{s}");
        }
        for s in ["hello", "yesterday", "-", "a1", "v1.2", "1 apple", "#", "x", ""] {
            assert_eq!(special_in_yaml11(s.as_bytes()), s.is_empty(), "{s}");
        }
    }
}
