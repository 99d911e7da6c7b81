//! What a job does besides reading and writing: layout, sorting, limits, YAML's choices. Every surface reads its
//! settings into these types, with one parser for each ([`core::str::FromStr`]).

use crate::limits::Limits;
use alloc::string::String;
use core::fmt;
use core::str::FromStr;

/// What a job does besides reading and writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Indentation of pretty output, or compact. NDJSON output is always compact.
    pub indent: Indent,
    /// Sort the entries of every mapping by key. This holds the whole document in memory.
    pub sort_keys: bool,
    /// Limits for the reader.
    pub limits: Limits,
    /// YAML: apply `<<` merge keys when converting YAML to data.
    pub yaml_merge_keys: bool,
    /// YAML: read tagged nodes as if untagged when converting to a format without tags (otherwise a tag that has
    /// no meaning there is an error).
    pub yaml_drop_tags: bool,
    /// YAML output: indent a sequence under its key (`key:\n  - a`) rather than level with it (`key:\n- a`).
    pub yaml_indent_sequences: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            indent: Indent::Spaces(2),
            sort_keys: false,
            limits: Limits::DEFAULT,
            yaml_merge_keys: true,
            yaml_drop_tags: false,
            yaml_indent_sequences: true,
        }
    }
}

/// Indentation of pretty output, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indent {
    /// This many spaces per level.
    Spaces(u8),
    /// One tab per level.
    Tab,
    /// No whitespace at all: compact output, one document per line.
    Compact,
}

impl Indent {
    /// The most spaces per level any surface accepts.
    pub const MAX_SPACES: u8 = 16;
}

/// `0` to `16` (spaces per level) or `tab`, as every surface spells an indentation.
impl FromStr for Indent {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Indent, ParseError> {
        let word = s.trim();
        if word.eq_ignore_ascii_case("tab") {
            return Ok(Indent::Tab);
        }
        match word.parse::<u8>() {
            Ok(n) if n <= Indent::MAX_SPACES => Ok(Indent::Spaces(n)),
            _ => Err(ParseError::new(ParseErrorKind::Indent, s)),
        }
    }
}

/// A value that names no format or indentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    /// The value, cut to [`ParseError::SHOWN`] characters: a message never echoes a long hostile value whole.
    value: String,
}

/// What was wrong with a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A format name that names no format.
    Format,
    /// An indentation that is neither 0 to 16 nor `tab`.
    Indent,
    /// A boolean that is not `true`, `false`, `1` or `0`.
    Bool(&'static str),
    /// A parameter name no job has.
    UnknownParameter,
}

impl ParseError {
    /// The most characters of the refused value a message shows.
    pub const SHOWN: usize = 40;

    pub(crate) fn new(kind: ParseErrorKind, value: &str) -> ParseError {
        ParseError { kind, value: shorten(value, ParseError::SHOWN) }
    }

    /// What was wrong.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }
}

/// `value` cut to `max` characters, with `…` when cut.
fn shorten(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((at, _)) => {
            let mut short = String::from(&value[..at]);
            short.push('…');
            short
        }
        None => String::from(value),
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ParseErrorKind::Format => {
                write!(f, "unknown format '{}'; expected one of json, jsonc, ndjson, yaml, toml", self.value)
            }
            ParseErrorKind::Indent => write!(f, "indent must be 0 to 16 or 'tab', not '{}'", self.value),
            ParseErrorKind::Bool(name) => write!(f, "{name} must be true or false, not '{}'", self.value),
            ParseErrorKind::UnknownParameter => write!(f, "unknown parameter '{}'", self.value),
        }
    }
}

impl core::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn indentations() {
        assert_eq!("4".parse(), Ok(Indent::Spaces(4)));
        assert_eq!("TAB".parse(), Ok(Indent::Tab));
        assert_eq!("0".parse(), Ok(Indent::Spaces(0)));
        for bad in ["17", "-1", "", "4.0", "256", "tabs"] {
            assert!(bad.parse::<Indent>().is_err(), "{bad}");
        }
        let long = "9".repeat(10_000);
        let message = long.parse::<Indent>().unwrap_err().to_string();
        assert!(message.len() < 100, "{message}");
        assert!(message.ends_with("…'"), "{message}");
    }
}
