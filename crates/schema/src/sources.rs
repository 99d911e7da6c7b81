//! Where a schema's references are read from. Nothing is fetched over a network: `file:` URIs are read from
//! disk (where allowed), URL prefixes can be mapped to local folders, and any other reference is an error that
//! names it.

use dfmt_core::{Format, Limits};
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// Which local files references may read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FileAccess {
    /// Any file the process can read (the command line: the user named the schema).
    #[default]
    Any,
    /// Only files inside this folder (the service, whose schemas live in one folder).
    Under(PathBuf),
    /// None (the web page).
    None,
}

/// How references resolve.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// URL prefixes served from local folders: a reference to `PREFIX` + `rest` reads `FOLDER/rest`.
    pub mappings: Vec<(String, PathBuf)>,
    /// Which `file:` references may be read.
    pub files: FileAccess,
}

impl Sources {
    /// The local file that `uri` maps to through a prefix, if any.
    pub fn mapped(&self, uri: &str) -> Option<PathBuf> {
        self.mappings
            .iter()
            .filter(|(prefix, _)| uri.starts_with(prefix.as_str()))
            .max_by_key(|(p, _)| p.len())
            .and_then(|(prefix, folder)| {
                let rest = uri[prefix.len()..].split(['#', '?']).next().unwrap_or("");
                let rest = percent_decode(rest)?;
                // The rest stays inside the folder: no `..`, no absolute path.
                let relative = Path::new(&rest);
                relative.components().all(|c| matches!(c, Component::Normal(_))).then(|| folder.join(relative))
            })
    }

    /// The file a `file:` URI names, if this access allows it.
    fn file(&self, uri: &str) -> Result<PathBuf, String> {
        let path = uri.strip_prefix("file://").unwrap_or(uri);
        let path = path.split(['#', '?']).next().unwrap_or("");
        let path = PathBuf::from(percent_decode(path).ok_or_else(|| format!("{uri} is not a valid file URI"))?);
        match &self.files {
            FileAccess::Any => Ok(path),
            FileAccess::None => Err(format!("{uri} is not read: schemas here cannot refer to files")),
            FileAccess::Under(folder) => {
                let inside = path.components().all(|c| !matches!(c, Component::ParentDir)) && path.starts_with(folder);
                if inside { Ok(path) } else { Err(format!("{uri} is outside the schema folder")) }
            }
        }
    }

    /// Where `uri` is read from, or why it is not.
    fn locate(&self, uri: &str) -> Result<PathBuf, String> {
        if let Some(path) = self.mapped(uri) {
            return Ok(path);
        }
        if uri.starts_with("file:") {
            return self.file(uri);
        }
        Err(format!(
            "the reference {uri} is not fetched: dfmt reads schemas from local files only; \
             map its URL prefix to a local folder"
        ))
    }
}

/// The retriever the validator calls for every reference it does not hold.
pub(crate) struct Retriever {
    sources: Sources,
    limits: Limits,
}

impl Retriever {
    pub(crate) fn new(sources: Sources, limits: Limits) -> Self {
        Retriever { sources, limits }
    }
}

impl jsonschema::Retrieve for Retriever {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let path = self.sources.locate(uri)?;
        let text = std::fs::read(&path).map_err(|e| format!("reading {} (for {uri}): {e}", path.display()))?;
        let value = crate::read_value(&text, format_of(&path), &self.limits)
            .map_err(|d| format!("{}:{}:{}: {}", path.display(), d.position.line, d.position.column, d.message))?;
        Ok(value)
    }
}

/// A schema file's format, from its extension: JSON when it has none dfmt knows.
pub(crate) fn format_of(path: &Path) -> Format {
    path.extension().and_then(|e| e.to_str()).and_then(Format::from_extension).unwrap_or(Format::Json)
}

/// The `file:` URI of `path` (made absolute against the current folder), against which the references of the
/// schema it holds resolve.
pub fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file://");
    for component in absolute.components() {
        match component {
            Component::RootDir | Component::Prefix(_) => {}
            other => {
                uri.push('/');
                percent_encode(&other.as_os_str().to_string_lossy(), &mut uri);
            }
        }
    }
    if uri == "file://" {
        uri.push('/');
    }
    uri
}

/// What a path segment of a `file:` URI keeps as it is: the unreserved characters and the sub-delimiters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

fn percent_encode(text: &str, out: &mut String) {
    out.extend(percent_encoding::utf8_percent_encode(text, SEGMENT));
}

fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip_through_the_retriever() {
        let uri = file_uri(Path::new("/tmp/a b/schema%.json"));
        assert_eq!(uri, "file:///tmp/a%20b/schema%25.json");
        let sources = Sources::default();
        assert_eq!(sources.locate(&uri).unwrap(), PathBuf::from("/tmp/a b/schema%.json"));
    }

    #[test]
    fn remote_references_are_refused_unless_mapped() {
        let mut sources = Sources::default();
        let err = sources.locate("https://example.com/s/a.json").unwrap_err();
        assert!(err.contains("not fetched"), "{err}");
        sources.mappings.push(("https://example.com/s/".into(), PathBuf::from("/schemas")));
        assert_eq!(sources.locate("https://example.com/s/x/a.json#/defs").unwrap(), PathBuf::from("/schemas/x/a.json"));
        // The mapped rest never leaves the folder.
        assert!(sources.locate("https://example.com/s/../../etc/passwd").is_err());
        assert!(sources.locate("https://example.com/s/%2e%2e/etc/passwd").is_err());
    }

    #[test]
    fn file_access_is_confined() {
        let sources = Sources { files: FileAccess::Under(PathBuf::from("/srv/schemas")), ..Sources::default() };
        assert!(sources.locate("file:///srv/schemas/a.json").is_ok());
        assert!(sources.locate("file:///srv/schemas/../secret.json").is_err());
        assert!(sources.locate("file:///etc/passwd").is_err());
        let none = Sources { files: FileAccess::None, ..Sources::default() };
        assert!(none.locate("file:///srv/schemas/a.json").is_err());
    }
}
