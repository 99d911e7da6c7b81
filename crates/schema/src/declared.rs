//! The schema a document names for itself: a `$schema` key at the top of a JSON or YAML document, the
//! `# yaml-language-server: $schema=…` comment of YAML (the YAML language server's), or the `#:schema …`
//! comment at the top of TOML (taplo's).

use dfmt_core::{EventKind, Format, Options, Sink, SliceInput};

/// A schema reference found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The reference as written: a URL, or a path relative to the document's folder.
    pub reference: String,
    /// Where it was found, for messages: `"$schema"`, `"yaml-language-server comment"`, `"#:schema comment"`.
    pub how: &'static str,
}

impl Declared {
    /// True when the reference is a URL (`scheme:`) rather than a path. A Windows drive (`C:\`) is a path.
    pub fn is_url(&self) -> bool {
        let scheme_end = self.reference.find(':').unwrap_or(0);
        scheme_end > 1
            && self.reference[..scheme_end].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            && self.reference.as_bytes()[0].is_ascii_alphabetic()
    }
}

/// Longest line looked at for a comment that names a schema (such a comment is short).
const LONGEST_COMMENT: usize = 4096;

/// The schema that `text` (in `format`) names for itself, if any.
pub fn declared_schema(text: &[u8], format: Format) -> Option<Declared> {
    match format {
        Format::Yaml => yaml_comment(text).or_else(|| schema_key(text, format)),
        Format::Toml => toml_comment(text),
        Format::Json | Format::Jsonc => schema_key(text, format),
        _ => None,
    }
}

/// `# yaml-language-server: $schema=REF` on a line of its own, anywhere in the text.
fn yaml_comment(text: &[u8]) -> Option<Declared> {
    const MARK: &str = "yaml-language-server:";
    text.split(|&b| b == b'\n').filter(|line| line.len() <= LONGEST_COMMENT).find_map(|line| {
        let line = std::str::from_utf8(line).ok()?.trim();
        let rest = line.strip_prefix('#')?.trim_start().strip_prefix(MARK)?.trim_start();
        let reference = rest.strip_prefix("$schema=")?.trim();
        (!reference.is_empty())
            .then(|| Declared { reference: reference.to_owned(), how: "yaml-language-server comment" })
    })
}

/// `#:schema REF` among the comments and blank lines before the first key or table.
fn toml_comment(text: &[u8]) -> Option<Declared> {
    for line in text.split(|&b| b == b'\n') {
        let line = std::str::from_utf8(line.get(..line.len().min(LONGEST_COMMENT))?).ok()?.trim();
        if line.is_empty() {
            continue;
        }
        let comment = line.strip_prefix('#')?;
        if let Some(reference) = comment.strip_prefix(":schema").map(str::trim)
            && !reference.is_empty()
        {
            return Some(Declared { reference: reference.to_owned(), how: "#:schema comment" });
        }
    }
    None
}

/// A `$schema` entry of the first document's top-level mapping whose value is a string.
fn schema_key(text: &[u8], format: Format) -> Option<Declared> {
    struct Finder<'a> {
        depth: u32,
        key_next: bool,
        want_value: bool,
        found: &'a mut Option<String>,
        documents: u32,
    }
    impl Sink for Finder<'_> {
        fn event(&mut self, event: dfmt_core::Event<'_>) -> Result<(), dfmt_core::Error> {
            let stop = || Err(dfmt_core::Error::new(dfmt_core::ErrorCode::Stopped, event.span));
            match event.kind {
                EventKind::DocumentStart { .. } => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return stop();
                    }
                }
                EventKind::MappingStart(_) | EventKind::SequenceStart(_) => {
                    if self.depth == 1 && !self.key_next {
                        self.want_value = false;
                        self.key_next = true;
                    }
                    self.depth += 1;
                    if self.depth == 1 {
                        if matches!(event.kind, EventKind::SequenceStart(_)) {
                            return stop();
                        }
                        self.key_next = true;
                    }
                }
                EventKind::MappingEnd | EventKind::SequenceEnd => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return stop();
                    }
                }
                EventKind::Scalar(scalar) if self.depth == 1 => {
                    if self.key_next {
                        self.want_value = scalar.decoded().as_ref() == b"$schema";
                    } else if self.want_value {
                        if scalar.kind == dfmt_core::ScalarKind::String {
                            *self.found = Some(String::from_utf8_lossy(&scalar.decoded()).into_owned());
                        }
                        return stop();
                    }
                    self.key_next = !self.key_next;
                }
                _ => {}
            }
            Ok(())
        }
    }
    let mut found = None;
    let finder = Finder { depth: 0, key_next: false, want_value: false, found: &mut found, documents: 0 };
    let _ = dfmt_core::events(&mut SliceInput::new(text), format, format, &Options::default(), finder);
    found.map(|reference| Declared { reference, how: "$schema" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, format: Format) -> Option<(String, &'static str)> {
        declared_schema(text.as_bytes(), format).map(|d| (d.reference, d.how))
    }

    #[test]
    fn each_way_of_naming_a_schema() {
        let yaml = "# yaml-language-server: $schema=./ci.schema.json\non: push\n";
        assert_eq!(found(yaml, Format::Yaml), Some(("./ci.schema.json".into(), "yaml-language-server comment")));
        let toml = "# a comment\n#:schema https://example.com/s.json\n\n[a]\nb = 1\n";
        assert_eq!(found(toml, Format::Toml), Some(("https://example.com/s.json".into(), "#:schema comment")));
        assert_eq!(found("[a]\n#:schema x.json\n", Format::Toml), None, "only before the first table");
        let json = r#"{"name": "x", "nested": {"$schema": "no"}, "$schema": "s.json"}"#;
        assert_eq!(found(json, Format::Json), Some(("s.json".into(), "$schema")));
        assert_eq!(found("$schema: ../s.yaml\na: 1\n", Format::Yaml), Some(("../s.yaml".into(), "$schema")));
        assert_eq!(found(r#"{"$schema": 3}"#, Format::Json), None);
        assert_eq!(found(r#"[{"$schema": "x"}]"#, Format::Json), None);
        assert_eq!(found(r#"{"a": [{"$schema": "x"}], "b": {"$schema": "y"}}"#, Format::Json), None);
        assert_eq!(found("{", Format::Json), None);
        assert_eq!(found(r#"["$schema", "x"]"#, Format::Json), None);
    }

    #[test]
    fn urls_and_paths() {
        let d = |r: &str| Declared { reference: r.into(), how: "$schema" };
        assert!(d("https://json.schemastore.org/package.json").is_url());
        assert!(d("file:///tmp/s.json").is_url());
        assert!(!d("./s.json").is_url() && !d("C:\\s.json").is_url() && !d("s.json").is_url());
    }
}
