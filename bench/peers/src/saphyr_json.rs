//! saphyr-parser's event stream written straight to pretty JSON, without building a tree.
//!
//! - One JSON text per YAML document, each followed by a newline; layout as `serde_json::to_writer_pretty` (two
//!   spaces, `"key": value`, `[]`/`{}` when empty).
//! - Mapping keys: scalars, written as JSON strings of their text as written (`1:` gives `"1"`, `~:` gives
//!   `"~"`). A key that is a mapping or a sequence is an error.
//! - Quoted, literal and folded scalars are JSON strings (escaped as serde_json does). Plain scalars follow the
//!   YAML 1.2 core schema: `null`/`Null`/`NULL`/`~`/empty → `null`; `true`/`false` (3 spellings each) → booleans;
//!   decimal, `0o` and `0x` integers and decimal floats → JSON numbers, rewritten only where JSON's grammar needs it
//!   (`+1` → `1`, `007` → `7`, `.5` → `0.5`, `1.` → `1.0`, `0x1F` → `31`; digits are kept as written, so big
//!   decimal integers stay exact); what JSON cannot spell (`.inf`, `.nan`, octal or hex beyond 64 bits) and
//!   everything else → strings. A core-schema tag (`!!str`, `!!int`, ...) on a scalar is honoured; other tags are
//!   ignored.
//! - Aliases are resolved: the events of every anchored node are recorded and replayed where an alias names it
//!   (so `*a` prints the whole node again). Merge keys (`<<`) are not applied: `<<` is written as an ordinary key.

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::HashMap;
use std::error::Error;
use std::io::{self, Write};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

pub fn run(text: &str, out: &mut impl Write) -> Result<()> {
    let mut writer = JsonWriter { out, stack: Vec::new(), indent: vec![b'\n'] };
    let mut anchors = Anchors::default();
    let mut parser = Parser::new_from_str(text);
    while let Some(item) = parser.next_event() {
        let (event, _span) = item?;
        if anchors.active() || has_anchor(&event) {
            anchors.track(&event);
        }
        match event {
            Event::Alias(id) => anchors.replay(id, &mut writer, 0)?,
            event => writer.event(&event)?,
        }
    }
    Ok(())
}

fn has_anchor(event: &Event) -> bool {
    matches!(event, Event::Scalar(_, _, id, _) | Event::SequenceStart(id, _) | Event::MappingStart(id, _) if *id != 0)
}

/// The recorded events of each anchored node, and the recordings still open.
#[derive(Default)]
struct Anchors<'input> {
    done: HashMap<usize, Vec<Event<'input>>>,
    /// (anchor id, events so far, open collections): nested anchored nodes record at the same time.
    open: Vec<(usize, Vec<Event<'input>>, usize)>,
}

impl<'input> Anchors<'input> {
    fn active(&self) -> bool {
        !self.open.is_empty()
    }

    fn track(&mut self, event: &Event<'input>) {
        for (_, events, depth) in &mut self.open {
            events.push(event.clone());
            match event {
                Event::SequenceStart(..) | Event::MappingStart(..) => *depth += 1,
                Event::SequenceEnd | Event::MappingEnd => *depth -= 1,
                _ => {}
            }
        }
        while let Some((_, _, 0)) = self.open.last() {
            let (id, events, _) = self.open.pop().unwrap();
            self.done.insert(id, events);
        }
        match event {
            Event::Scalar(_, _, id, _) if *id != 0 => {
                self.done.insert(*id, vec![event.clone()]);
            }
            Event::SequenceStart(id, _) | Event::MappingStart(id, _) if *id != 0 => {
                self.open.push((*id, vec![event.clone()], 1));
            }
            _ => {}
        }
    }

    fn replay<W: Write>(&self, id: usize, writer: &mut JsonWriter<W>, nesting: usize) -> Result<()> {
        if nesting > 64 {
            return Err("aliases nested more than 64 deep".into());
        }
        let events = self.done.get(&id).ok_or("alias to an unknown or unfinished anchor")?;
        for event in events {
            match event {
                Event::Alias(inner) => self.replay(*inner, writer, nesting + 1)?,
                event => writer.event(event)?,
            }
        }
        Ok(())
    }
}

enum Frame {
    Seq { items: usize },
    Map { items: usize, want_key: bool },
}

struct JsonWriter<W> {
    out: W,
    stack: Vec<Frame>,
    /// A newline followed by spaces, as many as the deepest indentation so far.
    indent: Vec<u8>,
}

impl<W: Write> JsonWriter<W> {
    fn event(&mut self, event: &Event) -> Result<()> {
        match event {
            Event::Scalar(value, style, _, tag) => {
                if self.before_value()? {
                    write_string(&mut self.out, value)?;
                    self.out.write_all(b": ")?;
                } else {
                    self.scalar(value, *style, tag.as_deref())?;
                }
            }
            Event::SequenceStart(..) => {
                if self.before_value()? {
                    return Err("a sequence as a mapping key has no JSON form".into());
                }
                self.out.write_all(b"[")?;
                self.stack.push(Frame::Seq { items: 0 });
            }
            Event::MappingStart(..) => {
                if self.before_value()? {
                    return Err("a mapping as a mapping key has no JSON form".into());
                }
                self.out.write_all(b"{")?;
                self.stack.push(Frame::Map { items: 0, want_key: true });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (items, close) = match self.stack.pop() {
                    Some(Frame::Seq { items }) => (items, b"]"),
                    Some(Frame::Map { items, .. }) => (items, b"}"),
                    None => return Err("unbalanced end event".into()),
                };
                if items > 0 {
                    self.newline()?;
                }
                self.out.write_all(close)?;
            }
            Event::DocumentEnd => self.out.write_all(b"\n")?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {}
            Event::Alias(_) => unreachable!("aliases are replayed by the caller"),
        }
        Ok(())
    }

    /// Writes what comes before a value: comma, newline and indentation. Returns whether the value is a key.
    fn before_value(&mut self) -> io::Result<bool> {
        let comma = match self.stack.last_mut() {
            None => return Ok(false),
            Some(Frame::Seq { items }) => {
                *items += 1;
                *items > 1
            }
            Some(Frame::Map { items, want_key }) => {
                if !*want_key {
                    *want_key = true;
                    return Ok(false);
                }
                *want_key = false;
                *items += 1;
                *items > 1
            }
        };
        if comma {
            self.out.write_all(b",")?;
        }
        self.newline()?;
        Ok(matches!(self.stack.last(), Some(Frame::Map { .. })))
    }

    fn newline(&mut self) -> io::Result<()> {
        let len = 1 + 2 * self.stack.len();
        if self.indent.len() < len {
            self.indent.resize(len, b' ');
        }
        self.out.write_all(&self.indent[..len])
    }

    fn scalar(&mut self, value: &str, style: ScalarStyle, tag: Option<&Tag>) -> io::Result<()> {
        let out = &mut self.out;
        if let Some(tag) = tag {
            if tag.is_yaml_core_schema() {
                match tag.suffix.as_str() {
                    "str" => return write_string(out, value),
                    "null" => return out.write_all(b"null"),
                    "bool" | "int" | "float" => return write_plain(out, value),
                    _ => {}
                }
            } else if tag.handle == "!" && tag.suffix.is_empty() {
                // The non-specific tag `!`: a string.
                return write_string(out, value);
            }
        }
        match style {
            ScalarStyle::Plain => write_plain(out, value),
            _ => write_string(out, value),
        }
    }
}

/// A plain scalar, resolved by the YAML 1.2 core schema.
fn write_plain(out: &mut impl Write, value: &str) -> io::Result<()> {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return out.write_all(b"null"),
        "true" | "True" | "TRUE" => return out.write_all(b"true"),
        "false" | "False" | "FALSE" => return out.write_all(b"false"),
        _ => {}
    }
    let b = value.as_bytes();
    if matches!(b[0], b'0'..=b'9' | b'-' | b'+' | b'.') && write_number(out, b)? {
        return Ok(());
    }
    write_string(out, value)
}

/// Writes a core-schema number as JSON and returns true, or writes nothing and returns false.
fn write_number(out: &mut impl Write, b: &[u8]) -> io::Result<bool> {
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'o' || b[1] == b'x') {
        let radix = if b[1] == b'o' { 8 } else { 16 };
        let digits = std::str::from_utf8(&b[2..]).unwrap();
        // from_str_radix also takes a sign, which the core schema does not.
        if digits.as_bytes()[0] == b'+' || digits.as_bytes()[0] == b'-' {
            return Ok(false);
        }
        return match u64::from_str_radix(digits, radix) {
            Ok(n) => write!(out, "{n}").map(|()| true),
            Err(_) => Ok(false),
        };
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let mut i = 0;
    let negative = b[0] == b'-';
    if b[0] == b'-' || b[0] == b'+' {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int = &b[int_start..i];
    let mut frac = None;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = Some(&b[start..i]);
    }
    if int.is_empty() && frac.is_none_or(|f| f.is_empty()) {
        return Ok(false);
    }
    let mut exp = None;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let start = i;
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let digits = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits {
            return Ok(false);
        }
        exp = Some(&b[start..i]);
    }
    if i != b.len() {
        return Ok(false);
    }
    if negative {
        out.write_all(b"-")?;
    }
    let trimmed = match int.iter().position(|&d| d != b'0') {
        Some(p) => &int[p..],
        None => b"0",
    };
    out.write_all(trimmed)?;
    if let Some(frac) = frac {
        out.write_all(b".")?;
        out.write_all(if frac.is_empty() { b"0" } else { frac })?;
    }
    if let Some(exp) = exp {
        out.write_all(exp)?;
    }
    Ok(true)
}

/// A JSON string with serde_json's escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\b`, `\f`, other controls as `\u00XX`.
fn write_string(out: &mut impl Write, s: &str) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if c >= 0x20 && c != b'"' && c != b'\\' {
            continue;
        }
        out.write_all(&bytes[start..i])?;
        start = i + 1;
        match c {
            b'"' => out.write_all(b"\\\"")?,
            b'\\' => out.write_all(b"\\\\")?,
            b'\n' => out.write_all(b"\\n")?,
            b'\t' => out.write_all(b"\\t")?,
            b'\r' => out.write_all(b"\\r")?,
            0x08 => out.write_all(b"\\b")?,
            0x0c => out.write_all(b"\\f")?,
            _ => out.write_all(&[b'\\', b'u', b'0', b'0', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]])?,
        }
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}
