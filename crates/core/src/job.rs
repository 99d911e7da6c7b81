//! The jobs every surface offers — format, convert, validate — as one pipeline: read → (tree) → write.

use crate::error::Error;
use crate::event::{Event, EventKind, Props, ScalarStyle, Sink};
use crate::format::Format;
use crate::input::Input;
use crate::json::{self, Indent, WriteOptions, Writer};
use crate::limits::Limits;
use crate::output::Output;
use crate::reshape::{ArrayToDocuments, DocumentsToArray};
use crate::toml;
use crate::tree::Tree;
use crate::yaml;

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

impl Options {
    /// The writer settings for output in `to`.
    pub fn write_options(&self, to: Format) -> WriteOptions {
        match to {
            Format::Ndjson => WriteOptions { indent: Indent::Compact, comments: false },
            Format::Jsonc => WriteOptions { indent: self.indent, comments: true },
            Format::Json | Format::Yaml | Format::Toml => WriteOptions { indent: self.indent, comments: false },
        }
    }

    /// The YAML writer settings (YAML output is always block style; compact JSON indentation means 2 here).
    pub fn yaml_write_options(&self) -> yaml::WriteOptions {
        let indent = match self.indent {
            Indent::Spaces(n) if n > 0 => usize::from(n),
            _ => 2,
        };
        yaml::WriteOptions { indent, indent_sequences: self.yaml_indent_sequences, comments: true }
    }

    /// One indentation step for the elements of multi-line TOML arrays (compact JSON indentation means 2 here).
    pub fn toml_indent(&self) -> &'static [u8] {
        const SPACES: &[u8; 16] = b"                ";
        match self.indent {
            Indent::Spaces(n) if n > 0 => &SPACES[..usize::from(n).min(SPACES.len())],
            Indent::Tab => b"\t",
            _ => b"  ",
        }
    }
}

/// Formats `input` (in `format`) into `out`, and returns `out`.
pub fn format<I: Input, O: Output>(input: &mut I, format: Format, options: &Options, out: O) -> Result<O, Error> {
    convert(input, format, format, options, out)
}

/// Converts `input` from `from` to `to` into `out`, and returns `out`.
pub fn convert<I: Input, O: Output>(
    input: &mut I,
    from: Format,
    to: Format,
    options: &Options,
    out: O,
) -> Result<O, Error> {
    if to == Format::Yaml {
        let writer = yaml::Writer::new(out, options.yaml_write_options());
        return run(input, from, to, options, writer)?.finish();
    }
    if to == Format::Toml {
        if from == Format::Toml {
            return format_toml(input, options, out);
        }
        let writer = toml::Writer::new(out, options.toml_indent());
        return run(input, from, to, options, writer)?.finish();
    }
    // The input read so far (all of it, for a whole text) gives the output's likely size.
    let writer = Writer::with_size_hint(out, options.write_options(to), input.buffer().len());
    run(input, from, to, options, writer)?.finish()
}

/// Checks that `input` is valid `format`, reading it to the end. For YAML this includes that every alias
/// names an anchor, that alias expansion stays within the limits, and that no mapping repeats a key (merge keys
/// applied).
pub fn validate<I: Input>(input: &mut I, format: Format, limits: &Limits) -> Result<(), Error> {
    let discard = |_: Event<'_>| Ok(());
    match format.dialect() {
        Some(dialect) => json::read(input, dialect, limits, &mut { discard }),
        None if format == Format::Toml => toml::load(whole(input)?, limits).map(drop),
        None => {
            let src = whole(input)?;
            let unique = yaml::UniqueKeys::new(discard);
            let mut resolve = yaml::Resolve::new(unique, limits.alias_nodes_for(src.len() as u64), true);
            yaml::read(src, limits, &mut resolve)
        }
    }
}

/// Reads the rest of `input` into its window and returns all of it (for readers that need the whole text).
fn whole<I: Input>(input: &mut I) -> Result<&[u8], Error> {
    while input.refill(0)? {}
    Ok(input.buffer())
}

/// Runs the pipeline from `input` into `sink` (a writer, or anything that takes events), reshaping the stream
/// when one side is NDJSON and the other is not, and returns the sink.
///
/// YAML documents map one to one onto JSON texts and NDJSON lines (and back), so no reshaping happens when either
/// side is YAML. YAML read for any other format is resolved into data first: aliases expanded, merge keys applied,
/// then JSON's rules for keys, tags and numbers.
pub fn run<I: Input, S: Sink>(input: &mut I, from: Format, to: Format, options: &Options, sink: S) -> Result<S, Error> {
    if from == Format::Yaml {
        return read_yaml(input, to, options, sink);
    }
    if from == Format::Toml {
        return read_toml(input, to, options, sink);
    }
    if to == Format::Yaml {
        return read_into(input, from, options, sink);
    }
    match (from == Format::Ndjson, to == Format::Ndjson) {
        (true, false) => read_into(input, from, options, DocumentsToArray::new(sink)).map(DocumentsToArray::into_inner),
        (false, true) => read_into(input, from, options, ArrayToDocuments::new(sink)).map(ArrayToDocuments::into_inner),
        _ => read_into(input, from, options, sink),
    }
}

fn read_into<I: Input, S: Sink>(input: &mut I, from: Format, options: &Options, mut sink: S) -> Result<S, Error> {
    if options.sort_keys {
        let mut tree = Tree::new();
        json::read(input, json_dialect(from)?, &options.limits, &mut tree)?;
        tree.replay(&mut sink, true)?;
    } else {
        json::read(input, json_dialect(from)?, &options.limits, &mut sink)?;
    }
    Ok(sink)
}

fn json_dialect(format: Format) -> Result<json::Dialect, Error> {
    format.dialect().ok_or(Error::new(crate::ErrorKind::Unsupported("not a JSON format"), crate::Span::at(0)))
}

fn read_yaml<I: Input, S: Sink>(input: &mut I, to: Format, options: &Options, mut sink: S) -> Result<S, Error> {
    let src = whole(input)?;
    let limits = &options.limits;
    if to == Format::Yaml {
        if options.sort_keys {
            return Err(Error::new(
                crate::ErrorKind::Unsupported("--sort-keys is not supported for YAML output yet"),
                crate::Span::at(0),
            ));
        }
        yaml::read(src, limits, &mut sink)?;
        return Ok(sink);
    }
    // Merge keys are spelled `<<`: text without it skips their bookkeeping (which copies every key).
    let text = yaml::check(src)?;
    let merge_keys = options.yaml_merge_keys && text.may_have_merge_keys();
    if !merge_keys && !text.may_have_anchors() && !options.sort_keys {
        // Nothing to resolve: no anchor can be defined and no merge key written.
        let mut data = yaml::ToJson::new(sink, options.yaml_drop_tags);
        yaml::read_checked(&text, limits, &mut data)?;
        return Ok(data.into_inner());
    }
    let max_nodes = limits.alias_nodes_for(src.len() as u64);
    if options.sort_keys {
        let mut tree = Tree::new();
        let record = |event: Event<'_>| tree.event(event);
        let data = yaml::ToJson::new(record, options.yaml_drop_tags);
        let mut resolve = yaml::Resolve::new(data, max_nodes, merge_keys);
        yaml::read_checked(&text, limits, &mut resolve)?;
        drop(resolve);
        tree.replay(&mut sink, true)?;
        return Ok(sink);
    }
    let data = yaml::ToJson::new(sink, options.yaml_drop_tags);
    let mut resolve = yaml::Resolve::new(data, max_nodes, merge_keys);
    yaml::read_checked(&text, limits, &mut resolve)?;
    Ok(resolve.into_inner().into_inner())
}

/// TOML to TOML: the formatter, which keeps every comment and changes layout only.
fn format_toml<I: Input, O: Output>(input: &mut I, options: &Options, mut out: O) -> Result<O, Error> {
    if options.sort_keys {
        return Err(Error::new(
            crate::ErrorKind::Unsupported("--sort-keys is not supported for TOML output yet"),
            crate::Span::at(0),
        ));
    }
    let formatted = toml::format_text(whole(input)?, &options.limits, options.toml_indent())?;
    out.write(&formatted)?;
    Ok(out)
}

/// TOML as data for any format: the whole document is built first (a table may be continued anywhere), then
/// replayed. JSON has no spelling for `inf` and `nan`: they are an error with their position, except into YAML.
fn read_toml<I: Input, S: Sink>(input: &mut I, to: Format, options: &Options, mut sink: S) -> Result<S, Error> {
    let doc = toml::load(whole(input)?, &options.limits)?;
    let finite_only = !matches!(to, Format::Yaml | Format::Toml);
    if options.sort_keys {
        let mut tree = Tree::new();
        doc.emit(&mut tree, finite_only)?;
        tree.replay(&mut sink, true)?;
    } else {
        doc.emit(&mut sink, finite_only)?;
    }
    Ok(sink)
}

/// Pushes every event into two sinks.
#[derive(Debug)]
pub struct Tee<A, B>(pub A, pub B);

impl<A: Sink, B: Sink> Sink for Tee<A, B> {
    #[inline]
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.0.event(event)?;
        self.1.event(event)
    }
}

/// A 64-bit digest of a stream's data: structure, scalars with their kinds and text, and comments; not layout.
///
/// Two streams with equal digests hold the same data, barring a hash collision. `--write` compares the digest
/// of what it wrote with the digest of reading that back before it replaces a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0x243f_6a88_85a3_08d3)
    }
}

impl Fingerprint {
    /// The digest so far.
    pub fn value(&self) -> u64 {
        self.0
    }

    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }

    fn props(&mut self, props: &Props<'_>) {
        if let Some(anchor) = props.anchor {
            self.mix(12);
            self.bytes(anchor);
        }
        if let Some(tag) = props.tag {
            self.mix(13);
            self.bytes(tag);
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(w));
        }
        let mut w = [0u8; 8];
        w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(w));
        self.mix(bytes.len() as u64);
    }
}

impl Sink for Fingerprint {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        match event.kind {
            EventKind::StreamStart => self.mix(1),
            EventKind::StreamEnd => self.mix(2),
            EventKind::DocumentStart { .. } => self.mix(3),
            EventKind::DocumentEnd { .. } => self.mix(4),
            EventKind::MappingStart(props) => {
                self.mix(5);
                self.props(&props);
            }
            EventKind::MappingEnd => self.mix(6),
            EventKind::SequenceStart(props) => {
                self.mix(7);
                self.props(&props);
            }
            EventKind::SequenceEnd => self.mix(8),
            // A scalar's data is its kind and text; its style is layout, except that JSON text as written (with
            // quotes and escapes) is not comparable with decoded text.
            EventKind::Scalar(s) => {
                let raw = u64::from(s.style == ScalarStyle::JsonQuoted);
                self.mix(9 + ((s.kind as u64) << 8) + (raw << 16));
                self.bytes(s.text);
                self.props(&s.props);
            }
            EventKind::Alias(name) => {
                self.mix(10);
                self.bytes(name);
            }
            EventKind::Comment(c) => {
                self.mix(11 + ((c.style as u64) << 8));
                self.bytes(c.text);
            }
            EventKind::BlankLine => {}
        }
        Ok(())
    }
}
