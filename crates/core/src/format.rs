//! The formats dfmt knows, by name, by file extension, and by a look at the first bytes.

use crate::json::Dialect;
use crate::options::{ParseError, ParseErrorKind};

/// A data format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// JSON, RFC 8259.
    Json,
    /// JSON with comments and trailing commas.
    Jsonc,
    /// Newline-delimited JSON: one value per line.
    Ndjson,
    /// YAML 1.2 (core schema).
    Yaml,
    /// TOML 1.0.
    Toml,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 5] = [Format::Json, Format::Jsonc, Format::Ndjson, Format::Yaml, Format::Toml];

    /// The format's name as the command line spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonc => "jsonc",
            Format::Ndjson => "ndjson",
            Format::Yaml => "yaml",
            Format::Toml => "toml",
        }
    }

    /// The format's name as prose spells it: `JSON`, `YAML`.
    pub const fn display_name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Jsonc => "JSONC",
            Format::Ndjson => "NDJSON",
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
        }
    }

    /// The format called `name` (case-insensitive; `jsonl` is NDJSON, `yml` YAML), as `name.parse()` reads it.
    pub fn parse(name: &str) -> Option<Format> {
        name.parse().ok()
    }

    /// The format a file extension (without the dot) stands for.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension.to_ascii_lowercase().as_bytes() {
            b"json" => Some(Format::Json),
            b"jsonc" => Some(Format::Jsonc),
            b"ndjson" | b"jsonl" => Some(Format::Ndjson),
            b"yaml" | b"yml" => Some(Format::Yaml),
            b"toml" => Some(Format::Toml),
            _ => None,
        }
    }

    /// Guesses the format of an input from its first bytes (a few kilobytes are plenty).
    ///
    /// Text whose first line does not open a JSON value (`{`, `[`, `"`, a number, a literal) or a JSONC comment
    /// is YAML; comments make it JSONC; two or more lines that each hold a whole value make it NDJSON; anything
    /// else is read as JSON, whose reader then says precisely what is wrong.
    pub fn sniff(head: &[u8]) -> Format {
        let mut lines = head.split(|&b| b == b'\n').map(|l| l.trim_ascii()).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or_default();
        // `#` comments start TOML and YAML alike: the first line that is not one decides.
        let content = |l: &&[u8]| !l.starts_with(b"#");
        if core::iter::once(first).chain(lines.clone()).find(content).is_some_and(looks_like_toml) {
            return Format::Toml;
        }
        if looks_like_yaml(first) {
            return Format::Yaml;
        }
        if first.starts_with(b"//") || first.starts_with(b"/*") {
            return Format::Jsonc;
        }
        let complete = |line: &[u8]| {
            let mut input = crate::input::SliceInput::new(line);
            crate::json::read(&mut input, Dialect::Json, &crate::Limits::DEFAULT, &mut |_: crate::Event<'_>| Ok(()))
                .is_ok()
        };
        let second = lines.next();
        if second.is_some_and(complete) && complete(first) {
            return Format::Ndjson;
        }
        if head.windows(3).any(|w| w == b"\n//" || w == b" //" || w == b" /*") {
            return Format::Jsonc;
        }
        Format::Json
    }

    /// The JSON dialect of a JSON-family format, or `None` for the others.
    pub(crate) const fn dialect(self) -> Option<Dialect> {
        match self {
            Format::Json => Some(Dialect::Json),
            Format::Jsonc => Some(Dialect::Jsonc),
            Format::Ndjson => Some(Dialect::Ndjson),
            Format::Yaml | Format::Toml => None,
        }
    }

    /// True when the format has comments, which formatting keeps.
    pub const fn has_comments(self) -> bool {
        matches!(self, Format::Jsonc | Format::Yaml | Format::Toml)
    }

    /// True when a reader of this format needs the whole input in memory (YAML's lookahead for keys and its
    /// aliases reach back anywhere; a TOML table may be continued anywhere later); the JSON family streams.
    pub const fn needs_whole_input(self) -> bool {
        matches!(self, Format::Yaml | Format::Toml)
    }
}

/// True when a first non-blank line reads as TOML: a `[table]` or `[[array]]` header (a bracketed dotted key,
/// which no JSON array looks like), or `key = value`.
fn looks_like_toml(line: &[u8]) -> bool {
    let line = match line.iter().position(|&b| b == b'#') {
        Some(hash) if line.first() == Some(&b'[') => line[..hash].trim_ascii_end(),
        _ => line,
    };
    let key_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b' ' | b'"' | b'\'');
    if let Some(inner) = line.strip_prefix(b"[").and_then(|l| l.strip_suffix(b"]")) {
        let inner = inner.strip_prefix(b"[").and_then(|l| l.strip_suffix(b"]")).unwrap_or(inner);
        return inner.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'"')
            && inner.iter().all(key_byte)
            && !matches!(inner, b"true" | b"false" | b"null");
    }
    match line.iter().position(|&b| b == b'=') {
        Some(eq) if eq > 0 => line[..eq].iter().all(key_byte) && !line[..eq].trim_ascii().is_empty(),
        _ => false,
    }
}

/// True when a first non-blank line cannot start a JSON text but reads as YAML: a document marker, a directive, a
/// `#` comment, a block sequence entry, or a `key: value` line.
fn looks_like_yaml(line: &[u8]) -> bool {
    match line.first() {
        None | Some(b'{' | b'[' | b'"' | b'/') => false,
        Some(b'#' | b'%') => true,
        Some(b'-') => line.starts_with(b"---") || line.starts_with(b"- ") || line == b"-",
        Some(_) => line.windows(2).any(|w| w == b": ") || line.ends_with(b":"),
    }
}

/// A format's name (case-insensitive; `jsonl` is NDJSON, `yml` YAML), as every surface spells it.
impl core::str::FromStr for Format {
    type Err = ParseError;

    fn from_str(name: &str) -> Result<Format, ParseError> {
        let word = name.trim();
        Format::ALL
            .into_iter()
            .find(|f| word.eq_ignore_ascii_case(f.name()))
            .or_else(|| {
                if word.eq_ignore_ascii_case("jsonl") {
                    Some(Format::Ndjson)
                } else if word.eq_ignore_ascii_case("yml") {
                    Some(Format::Yaml)
                } else {
                    None
                }
            })
            .ok_or_else(|| ParseError::new(ParseErrorKind::Format, name))
    }
}

impl core::fmt::Display for Format {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn names_and_extensions() {
        for format in Format::ALL {
            assert_eq!(Format::parse(format.name()), Some(format));
            assert_eq!(Format::from_extension(format.name()), Some(format));
        }
        assert_eq!(Format::parse("JSONL"), Some(Format::Ndjson));
        assert_eq!(Format::from_extension("txt"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff(b"{\"a\": 1}\n"), Format::Json);
        assert_eq!(Format::sniff(b"{\n  \"a\": 1\n}\n"), Format::Json);
        assert_eq!(Format::sniff(b"{\"a\": 1}\n{\"a\": 2}\n"), Format::Ndjson);
        assert_eq!(Format::sniff(b"// settings\n{}"), Format::Jsonc);
        assert_eq!(Format::sniff(b"{\n  \"a\": 1 // one\n}"), Format::Jsonc);
        assert_eq!(Format::sniff(b""), Format::Json);
        assert_eq!(Format::sniff(b"a: 1\n"), Format::Yaml);
        assert_eq!(Format::sniff(b"# config\nkey: [1]\n"), Format::Yaml);
        assert_eq!(Format::sniff(b"---\n- a\n"), Format::Yaml);
        assert_eq!(Format::sniff(b"- a\n- b\n"), Format::Yaml);
        assert_eq!(Format::sniff(b"-12\n"), Format::Json);
        assert_eq!(Format::sniff(b"[package]\nname = \"x\"\n"), Format::Toml);
        assert_eq!(Format::sniff(b"[[bin]] # the tool\n"), Format::Toml);
        assert_eq!(Format::sniff(b"# settings\ntitle = \"a: b\"\n"), Format::Toml);
        assert_eq!(Format::sniff(b"[1, 2]\n"), Format::Json);
        assert_eq!(Format::sniff(b"[true]\n"), Format::Json);
        assert_eq!(Format::sniff(b"# k8s\nkind: Pod\n"), Format::Yaml);
    }
}
