//! Where in the data an offset of the source lies, as a key path (`servers[2].port`): for errors about a value
//! rather than the text ("null has no TOML form"), whose position alone does not say which entry it is.

use crate::error::{Error, ErrorCode};
use crate::event::{Event, EventKind, Sink};
use crate::format::Format;
use crate::input::SliceInput;
use crate::job::events;
use crate::options::Options;
use crate::source::Span;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// The key path of the node that starts at `offset` in `src` (read as `format`), or `None` when no node starts
/// there. Keys that are not plain identifiers are quoted: `a["odd key"][0]`.
pub fn key_path_at(src: &[u8], format: Format, options: &Options, offset: u64) -> Option<String> {
    let options = Options { sort_keys: false, ..*options };
    let mut tracker = Tracker { offset, stack: Vec::new(), found: None };
    // YAML output takes every value as it is (no alias resolution, non-finite floats allowed), so the walk
    // reaches the node whatever made the conversion fail.
    let _ = events(&mut SliceInput::new(src), format, Format::Yaml, &options, &mut tracker);
    tracker.found
}

/// Appends the step into the entry `key` of a mapping to the key path `out`: `.key`, or `["odd key"]` for a key
/// that is not a plain identifier.
pub fn push_key(out: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !key.as_bytes()[0].is_ascii_digit();
    if plain {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    } else {
        let _ = write!(out, "[{key:?}]");
    }
}

/// Appends the step into element `index` of a sequence to the key path `out`: `[index]`.
pub fn push_index(out: &mut String, index: usize) {
    let _ = write!(out, "[{index}]");
}

enum Frame {
    /// A mapping and the key of the entry being read (`None` while its key is awaited).
    Mapping(Option<String>),
    /// A sequence and the index of the next element.
    Sequence(usize),
}

struct Tracker {
    offset: u64,
    stack: Vec<Frame>,
    found: Option<String>,
}

impl Tracker {
    /// The path of the node about to start (whose key or index the top frame holds).
    fn path(&self) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Mapping(Some(key)) => push_key(&mut out, key),
                Frame::Mapping(None) => {}
                Frame::Sequence(index) => {
                    push_index(&mut out, index.saturating_sub(1));
                }
            }
        }
        out
    }

    /// A node starts: in a mapping awaiting a key, it is the key (returns true).
    fn node_starts(&mut self) -> bool {
        match self.stack.last_mut() {
            Some(Frame::Mapping(key @ None)) => {
                *key = Some(String::new());
                true
            }
            Some(Frame::Sequence(index)) => {
                *index += 1;
                false
            }
            _ => false,
        }
    }

    /// A value ended: the mapping awaits its next key.
    fn value_ends(&mut self) {
        if let Some(Frame::Mapping(key)) = self.stack.last_mut() {
            *key = None;
        }
    }
}

/// Stops the walk once the node is found.
const FOUND: Error = Error::new(ErrorCode::Stopped, Span::at(0));

impl Sink for &mut Tracker {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        let here = event.span.start == self.offset;
        match event.kind {
            EventKind::MappingStart(_) | EventKind::SequenceStart(_) => {
                self.node_starts();
                if here {
                    self.found = Some(self.path());
                    return Err(FOUND);
                }
                let frame = if matches!(event.kind, EventKind::MappingStart(_)) {
                    Frame::Mapping(None)
                } else {
                    Frame::Sequence(0)
                };
                self.stack.push(frame);
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                self.stack.pop();
                self.value_ends();
            }
            EventKind::Scalar(scalar) => {
                if self.node_starts() {
                    let text = scalar.decoded();
                    if let Some(Frame::Mapping(key)) = self.stack.last_mut() {
                        *key = Some(String::from_utf8_lossy(&text).into_owned());
                    }
                    if here {
                        self.found = Some(self.path());
                        return Err(FOUND);
                    }
                    return Ok(());
                }
                if here {
                    self.found = Some(self.path());
                    return Err(FOUND);
                }
                self.value_ends();
            }
            EventKind::Alias(_) => {
                self.node_starts();
                if here {
                    self.found = Some(self.path());
                    return Err(FOUND);
                }
                self.value_ends();
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::key_path_at;
    use crate::{Format, Options};

    fn at(src: &str, format: Format, needle: &str) -> Option<alloc::string::String> {
        let offset = src.find(needle).unwrap() as u64;
        key_path_at(src.as_bytes(), format, &Options::default(), offset)
    }

    #[test]
    fn paths_of_values_keys_and_elements() {
        let json = r#"{"servers": [{"host": "a", "port": null}], "odd key": {"x": [1, 2, null]}}"#;
        assert_eq!(at(json, Format::Json, "null").as_deref(), Some("servers[0].port"));
        assert_eq!(at(json, Format::Json, "[1, 2").as_deref(), Some("[\"odd key\"].x"));
        assert_eq!(at(json, Format::Json, "2, null").as_deref(), Some("[\"odd key\"].x[1]"));
        assert_eq!(at(json, Format::Json, "\"host\"").as_deref(), Some("servers[0].host"));
        assert_eq!(at("a:\n  - b: ~\n", Format::Yaml, "~").as_deref(), Some("a[0].b"));
        assert_eq!(at("[t]\nx = nan\n", Format::Toml, "nan").as_deref(), Some("t.x"));
        assert_eq!(at("{\"a\": 1}", Format::Json, "}"), None);
    }
}
