//! The jobs every surface offers — format, convert, validate — as one pipeline: read → (tree) → write.

use crate::error::Error;
use crate::event::{Event, EventKind, Sink};
use crate::format::Format;
use crate::input::Input;
use crate::json::{self, Indent, WriteOptions, Writer};
use crate::limits::Limits;
use crate::output::Output;
use crate::reshape::{ArrayToDocuments, DocumentsToArray};
use crate::tree::Tree;

/// What a job does besides reading and writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Indentation of pretty output, or compact. NDJSON output is always compact.
    pub indent: Indent,
    /// Sort the entries of every mapping by key. This holds the whole document in memory.
    pub sort_keys: bool,
    /// Limits for the reader.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options { indent: Indent::Spaces(2), sort_keys: false, limits: Limits::DEFAULT }
    }
}

impl Options {
    /// The writer settings for output in `to`.
    pub fn write_options(&self, to: Format) -> WriteOptions {
        match to {
            Format::Ndjson => WriteOptions { indent: Indent::Compact, comments: false },
            Format::Jsonc => WriteOptions { indent: self.indent, comments: true },
            Format::Json | Format::Yaml => WriteOptions { indent: self.indent, comments: false },
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
    let writer = Writer::new(out, options.write_options(to));
    run(input, from, to, options, writer)?.finish()
}

/// Checks that `input` is valid `format`, reading it to the end.
pub fn validate<I: Input>(input: &mut I, format: Format, limits: &Limits) -> Result<(), Error> {
    json::read(input, json_dialect(format)?, limits, &mut |_: Event<'_>| Ok(()))
}

/// Runs the pipeline from `input` into `sink` (a writer, or anything that takes events), reshaping the stream
/// when one side is NDJSON and the other is not, and returns the sink.
pub fn run<I: Input, S: Sink>(input: &mut I, from: Format, to: Format, options: &Options, sink: S) -> Result<S, Error> {
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
    format.dialect().ok_or(Error::new(crate::ErrorKind::Unsupported("YAML is not wired yet"), crate::Span::at(0)))
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
            EventKind::MappingStart(_) => self.mix(5),
            EventKind::MappingEnd => self.mix(6),
            EventKind::SequenceStart(_) => self.mix(7),
            EventKind::SequenceEnd => self.mix(8),
            EventKind::Scalar(s) => {
                self.mix(9 + ((s.kind as u64) << 8) + ((s.style as u64) << 16));
                self.bytes(s.text);
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
