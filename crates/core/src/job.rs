//! The jobs every surface offers — format, convert, validate — as one pipeline: read → (tree) → write.
//!
//! [`Job`] is what surfaces call: a job over an [`Input`] into an [`Output`] ends in [`Done`] or in a list of
//! [`Diagnostic`]s. The free functions [`format`], [`convert`], [`validate`] and [`events`] are the same pipeline
//! with the core's plain [`Error`], for embedders that explain errors themselves.

use crate::diagnostic::Diagnostic;
use crate::error::{Detail, Error, ErrorCode};
use crate::event::{Event, Sink, Tee};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::input::Input;
use crate::json::{self, WriteOptions, Writer};
use crate::limits::Limits;
use crate::options::{Indent, Options, ParseError, ParseErrorKind};
use crate::output::{Bounded, Discard, Output};
use crate::reshape::{ArrayToDocuments, DocumentsToArray};
use crate::source::Span;
#[cfg(feature = "toml")]
use crate::toml;
use crate::tree::Tree;
#[cfg(feature = "yaml")]
use crate::yaml;
use alloc::vec::Vec;

/// What a job does with its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Format in the input's own format (minify with [`Indent::Compact`]).
    Format,
    /// Convert to another format.
    Convert(Format),
    /// Check only; no output.
    Validate,
}

/// One job: what to do, the input's format, and the options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// What to do.
    pub action: Action,
    /// The input's format.
    pub from: Format,
    /// Layout, sorting, limits.
    pub options: Options,
}

/// A job that succeeded.
#[derive(Debug)]
pub struct Done<O> {
    /// The output, with the job's text written to it (nothing, for [`Action::Validate`]).
    pub output: O,
    /// The fingerprint of the data, from [`Job::run_fingerprinted`].
    pub fingerprint: Option<Fingerprint>,
}

impl Job {
    /// A job with the default options.
    pub fn new(action: Action, from: Format) -> Job {
        Job { action, from, options: Options::default() }
    }

    /// The output's format, for the jobs that write one.
    pub const fn to(&self) -> Option<Format> {
        match self.action {
            Action::Format => Some(self.from),
            Action::Convert(to) => Some(to),
            Action::Validate => None,
        }
    }

    /// Runs the job over `input` into `output`: the output, or what went wrong, as diagnostics. Reading or writing failing is a diagnostic too ([`Diagnostic::is_io`]); the input and
    /// output adapters keep the underlying error.
    pub fn run<I: Input, O: Output>(&self, input: &mut I, output: O) -> Result<Done<O>, Vec<Diagnostic>> {
        self.run_raw(input, output).map_err(|error| alloc::vec![self.diagnose(&error, input)])
    }

    /// [`Job::run`], asking `stop` every 1024 events whether to give up (a deadline passed): when it says yes,
    /// the job stops inside the reader with [`ErrorCode::Cancelled`]. Reading TOML into its document, and
    /// formatting TOML as TOML, emit no events and are not asked (both are linear in the input).
    pub fn run_until<I: Input, O: Output>(
        &self,
        input: &mut I,
        output: O,
        stop: &dyn Fn() -> bool,
    ) -> Result<Done<O>, Vec<Diagnostic>> {
        self.run_inner(input, output, Some(stop)).map_err(|error| alloc::vec![self.diagnose(&error, input)])
    }

    /// [`Job::run`] with the core's plain error.
    pub fn run_raw<I: Input, O: Output>(&self, input: &mut I, output: O) -> Result<Done<O>, Error> {
        self.run_inner(input, output, None)
    }

    fn run_inner<I: Input, O: Output>(&self, input: &mut I, output: O, stop: Stop<'_>) -> Result<Done<O>, Error> {
        let options = &self.options;
        let to = self.to().unwrap_or(self.from);
        let output = match self.action {
            Action::Validate => {
                validate_until(input, self.from, &options.limits, stop)?;
                output
            }
            Action::Format | Action::Convert(_) => convert_until(input, self.from, to, options, output, stop)?,
        };
        Ok(Done { output, fingerprint: None })
    }

    /// [`Job::run`], also computing the [`Fingerprint`] of the data written (for formatting: `--write` compares
    /// it with the fingerprint of the output read back, [`Job::fingerprint_of`]). A method of its own, so that
    /// a program that never asks for a fingerprint does not carry its pipeline.
    pub fn run_fingerprinted<I: Input, O: Output>(&self, input: &mut I, output: O) -> Result<Done<O>, Vec<Diagnostic>> {
        let to = self.to().unwrap_or(self.from);
        let done = match self.action {
            Action::Validate => validate(input, self.from, &self.options.limits).map(|()| (output, None)),
            Action::Format | Action::Convert(_) => {
                convert_fingerprinted(input, self.from, to, &self.options, output, None)
                    .map(|(output, fingerprint)| (output, Some(fingerprint)))
            }
        };
        match done {
            Ok((output, fingerprint)) => Ok(Done { output, fingerprint }),
            Err(error) => Err(alloc::vec![self.diagnose(&error, input)]),
        }
    }

    /// The fingerprint of what `input`, a text in this job's output format, holds, as formatting it would compute
    /// it (without sorting: a formatted text is read back as it stands).
    pub fn fingerprint_of<I: Input>(&self, input: &mut I) -> Result<Fingerprint, Vec<Diagnostic>> {
        let job = Job {
            action: Action::Format,
            from: self.to().unwrap_or(self.from),
            options: Options { sort_keys: false, ..self.options },
        };
        let done = job.run_fingerprinted(input, Discard)?;
        Ok(done.fingerprint.unwrap_or_default())
    }

    /// Explains `error`, which running this job over `input` gave: line and column from the input (an offset the
    /// input no longer holds has no position), and the key path when the input holds the whole text.
    pub fn diagnose<I: Input>(&self, error: &Error, input: &I) -> Diagnostic {
        let held = |at: u64| (at >= input.offset()).then(|| input.locate(at));
        let path = input.whole().and_then(|text| self.key_path(error, text));
        Diagnostic::new(error, &held, path)
    }

    /// Explains `error` in `text`, the whole input: as [`Job::diagnose`], for a caller that read the input again
    /// (a streamed file, to name the key path of a value).
    pub fn diagnose_in(&self, error: &Error, text: &[u8]) -> Diagnostic {
        let path = self.key_path(error, text);
        Diagnostic::new(error, &|at| Some(crate::source::locate(text, at)), path)
    }

    /// The key path of the value `error` is about, when it is about one.
    fn key_path(&self, error: &Error, text: &[u8]) -> Option<alloc::string::String> {
        if !error.is_about_a_value() {
            return None;
        }
        crate::path::key_path_at(text, self.from, &self.options, error.span.start)
    }

    /// Runs the job's reader into `sink` with the data view its output format asks for (YAML resolved into data
    /// for other formats, NDJSON reshaped), for a caller that consumes events itself.
    pub fn events<I: Input, S: Sink>(&self, input: &mut I, sink: S) -> Result<S, Error> {
        events(input, self.from, self.to().unwrap_or(self.from), &self.options, sink)
    }

    /// [`Job::events`], asking `stop` every 1024 events whether to give up, as [`Job::run_until`] does.
    pub fn events_until<I: Input, S: Sink>(&self, input: &mut I, sink: S, stop: &dyn Fn() -> bool) -> Result<S, Error> {
        pipeline(input, self.from, self.to().unwrap_or(self.from), &self.options, sink, Some(stop))
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
    #[cfg(feature = "yaml")]
    pub fn yaml_write_options(&self) -> yaml::WriteOptions {
        let indent = match self.indent {
            Indent::Spaces(n) if n > 0 => usize::from(n),
            _ => 2,
        };
        yaml::WriteOptions { indent, indent_sequences: self.yaml_indent_sequences, comments: true, yaml11_safe: true }
    }

    /// [`Options::yaml_write_options`] for data read as `from`: YAML keeps its scalars as their author spelled
    /// them; other formats' data is written for YAML 1.1 readers too ([`yaml::WriteOptions::yaml11_safe`]).
    #[cfg(feature = "yaml")]
    pub fn yaml_write_options_from(&self, from: Format) -> yaml::WriteOptions {
        yaml::WriteOptions { yaml11_safe: from != Format::Yaml, ..self.yaml_write_options() }
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

/// A job's settings given as named parameters, as `dfmt serve`'s query and the web page's options name them:
/// `format` (or `from`), `to`, `indent` (0 to 16 or `tab`), `compact` and `sort_keys` (`true`, `false`, `1`,
/// `0`, or empty for true).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// The input's format.
    pub from: Option<Format>,
    /// The output's format.
    pub to: Option<Format>,
    /// Indentation; two spaces when not given.
    pub indent: Option<Indent>,
    /// Compact output; wins over `indent`.
    pub compact: bool,
    /// Sort keys.
    pub sort_keys: bool,
}

impl Params {
    /// Sets the parameter `name` to `value`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParseError> {
        match name {
            "format" | "from" => self.from = Some(value.parse()?),
            "to" => self.to = Some(value.parse()?),
            "indent" => self.indent = Some(value.parse()?),
            "compact" => self.compact = parse_bool("compact", value)?,
            "sort_keys" => self.sort_keys = parse_bool("sort_keys", value)?,
            _ => return Err(ParseError::new(ParseErrorKind::UnknownParameter, name)),
        }
        Ok(())
    }

    /// `base` with these parameters' layout and sorting.
    pub fn options(&self, base: Options) -> Options {
        let indent = if self.compact { Indent::Compact } else { self.indent.unwrap_or(Indent::Spaces(2)) };
        Options { indent, sort_keys: self.sort_keys, ..base }
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ParseError> {
    match value {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ParseError::new(ParseErrorKind::Bool(name), value)),
    }
}

/// The error for a format this build was made without.
#[allow(dead_code)]
fn not_built(format: Format) -> Error {
    Error::with(ErrorCode::FormatNotBuilt, Detail::Name(format.name()), Span::at(0))
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
    convert_until(input, from, to, options, out, None)
}

/// [`convert`], asking `stop` now and then whether to give up ([`ErrorCode::Cancelled`]); the output is bounded
/// by [`Limits::max_output_bytes`].
fn convert_until<I: Input, O: Output>(
    input: &mut I,
    from: Format,
    to: Format,
    options: &Options,
    out: O,
    stop: Stop<'_>,
) -> Result<O, Error> {
    let out = Bounded::new(out, options.limits.max_output_bytes);
    let out = match to {
        #[cfg(feature = "yaml")]
        Format::Yaml => {
            let writer = yaml::Writer::new(out, options.yaml_write_options_from(from));
            pipeline(input, from, to, options, writer, stop)?.finish()
        }
        #[cfg(feature = "toml")]
        Format::Toml if from == Format::Toml => format_toml(input, options, out),
        #[cfg(feature = "toml")]
        Format::Toml => {
            let writer = toml::Writer::new(out, options.toml_indent()).limited(&options.limits);
            pipeline(input, from, to, options, writer, stop)?.finish()
        }
        Format::Json | Format::Jsonc | Format::Ndjson => {
            // The input read so far (all of it, for a whole text) gives the output's likely size.
            let writer = Writer::with_size_hint(out, options.write_options(to), input.buffer().len());
            pipeline(input, from, to, options, writer, stop)?.finish()
        }
        #[allow(unreachable_patterns)]
        _ => Err(not_built(to)),
    }?;
    Ok(out.into_inner())
}

/// As [`convert_until`], with the fingerprint of the data the writer received (for TOML formatted as TOML, of
/// the data and every comment).
fn convert_fingerprinted<I: Input, O: Output>(
    input: &mut I,
    from: Format,
    to: Format,
    options: &Options,
    out: O,
    stop: Stop<'_>,
) -> Result<(O, Fingerprint), Error> {
    let out = Bounded::new(out, options.limits.max_output_bytes);
    let (out, fingerprint) = match to {
        #[cfg(feature = "yaml")]
        Format::Yaml => {
            let writer = yaml::Writer::new(out, options.yaml_write_options_from(from));
            let Tee(writer, fingerprint) =
                pipeline(input, from, to, options, Tee(writer, Fingerprint::default()), stop)?;
            (writer.finish()?, fingerprint)
        }
        #[cfg(feature = "toml")]
        Format::Toml if from == Format::Toml => {
            if options.sort_keys {
                return Err(sort_keys_unsupported(Format::Toml));
            }
            let formatted = toml::format(whole(input)?, &options.limits, options.toml_indent())?;
            let mut out = out;
            out.write(&formatted.text)?;
            (out, formatted.fingerprint)
        }
        #[cfg(feature = "toml")]
        Format::Toml => {
            let writer = toml::Writer::new(out, options.toml_indent()).limited(&options.limits);
            let Tee(writer, fingerprint) =
                pipeline(input, from, to, options, Tee(writer, Fingerprint::default()), stop)?;
            (writer.finish()?, fingerprint)
        }
        Format::Json | Format::Jsonc | Format::Ndjson => {
            let writer = Writer::with_size_hint(out, options.write_options(to), input.buffer().len());
            let Tee(writer, fingerprint) =
                pipeline(input, from, to, options, Tee(writer, Fingerprint::default()), stop)?;
            (writer.finish()?, fingerprint)
        }
        #[allow(unreachable_patterns)]
        _ => return Err(not_built(to)),
    };
    Ok((out.into_inner(), fingerprint))
}

/// Checks that `input` is valid `format`, reading it to the end. For YAML this includes that every alias
/// names an anchor, that alias expansion stays within the limits, and that no mapping repeats a key (merge keys
/// applied).
pub fn validate<I: Input>(input: &mut I, format: Format, limits: &Limits) -> Result<(), Error> {
    validate_until(input, format, limits, None)
}

fn validate_until<I: Input>(input: &mut I, format: Format, limits: &Limits, stop: Stop<'_>) -> Result<(), Error> {
    let discard = Watched::new(|_: Event<'_>| Ok(()), stop);
    match format {
        Format::Json | Format::Jsonc | Format::Ndjson => {
            json::read(input, json_dialect(format)?, limits, &mut { discard })
        }
        #[cfg(feature = "toml")]
        Format::Toml => toml::load(whole(input)?, limits).map(drop),
        #[cfg(feature = "yaml")]
        Format::Yaml => {
            let src = whole(input)?;
            let unique = yaml::UniqueKeys::new(discard).seeded(limits.hash_seed);
            let len = src.len() as u64;
            let resolve = yaml::Resolve::new(unique, limits.alias_nodes_for(len), true);
            let mut resolve = resolve.bounded(limits.alias_bytes_for(len), limits.max_depth, limits.max_held_bytes);
            yaml::read(src, limits, &mut resolve)
        }
        #[allow(unreachable_patterns)]
        _ => Err(not_built(format)),
    }
}

/// Reads the rest of `input` into its window and returns all of it (for readers that need the whole text).
#[cfg_attr(not(any(feature = "yaml", feature = "toml")), allow(dead_code))]
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
pub fn events<I: Input, S: Sink>(
    input: &mut I,
    from: Format,
    to: Format,
    options: &Options,
    sink: S,
) -> Result<S, Error> {
    pipeline(input, from, to, options, sink, None)
}

/// [`events`], asking `stop` every [`STOP_EVERY`] events whether to give up.
fn pipeline<I: Input, S: Sink>(
    input: &mut I,
    from: Format,
    to: Format,
    options: &Options,
    sink: S,
    stop: Stop<'_>,
) -> Result<S, Error> {
    let sink = Watched::new(sink, stop);
    let watched = match from {
        #[cfg(feature = "yaml")]
        Format::Yaml => read_yaml(input, to, options, sink, stop),
        #[cfg(feature = "toml")]
        Format::Toml => read_toml(input, to, options, sink, stop),
        // YAML refuses a mapping with a key twice, which JSON allows: refuse it here, naming both positions,
        // rather than write YAML that no YAML reader (dfmt included) takes back.
        #[cfg(feature = "yaml")]
        Format::Json | Format::Jsonc | Format::Ndjson if to == Format::Yaml => {
            let unique = yaml::UniqueKeys::new(sink).seeded(options.limits.hash_seed);
            read_into(input, from, options, unique, stop).map(yaml::UniqueKeys::into_inner)
        }
        Format::Json | Format::Jsonc | Format::Ndjson => match (from == Format::Ndjson, to == Format::Ndjson) {
            (true, false) => {
                read_into(input, from, options, DocumentsToArray::new(sink), stop).map(DocumentsToArray::into_inner)
            }
            (false, true) => {
                read_into(input, from, options, ArrayToDocuments::new(sink), stop).map(ArrayToDocuments::into_inner)
            }
            _ => read_into(input, from, options, sink, stop),
        },
        #[allow(unreachable_patterns)]
        _ => Err(not_built(from)),
    }?;
    Ok(watched.inner)
}

/// Something to ask, now and then, whether a job must stop (its deadline passed); `None` never stops.
type Stop<'a> = Option<&'a dyn Fn() -> bool>;

/// How many events pass between two questions to [`Stop`]: often enough that a job stops within a
/// millisecond or so of being asked, rarely enough that asking costs nothing measurable.
const STOP_EVERY: u32 = 1024;

/// A sink that asks [`Stop`] every [`STOP_EVERY`] events, and fails with [`ErrorCode::Cancelled`] when told to.
struct Watched<'a, S> {
    inner: S,
    stop: Stop<'a>,
    countdown: u32,
}

impl<'a, S> Watched<'a, S> {
    fn new(inner: S, stop: Stop<'a>) -> Self {
        Watched { inner, stop, countdown: STOP_EVERY }
    }
}

impl<S: Sink> Sink for Watched<'_, S> {
    #[inline(always)]
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.countdown -= 1;
        if self.countdown == 0 {
            self.countdown = STOP_EVERY;
            if self.stop.is_some_and(|stop| stop()) {
                return Err(Error::new(ErrorCode::Cancelled, event.span));
            }
        }
        self.inner.event(event)
    }
}

/// A sort-keys tree's recording is watched too: reading into it is most of the work.
fn read_into<I: Input, S: Sink>(
    input: &mut I,
    from: Format,
    options: &Options,
    mut sink: S,
    stop: Stop<'_>,
) -> Result<S, Error> {
    if options.sort_keys {
        let mut tree = Tree::bounded(options.limits.max_held_bytes);
        json::read(
            input,
            json_dialect(from)?,
            &options.limits,
            &mut Watched::new(|event: Event<'_>| tree.event(event), stop),
        )?;
        tree.replay(&mut sink, true)?;
    } else {
        json::read(input, json_dialect(from)?, &options.limits, &mut sink)?;
    }
    Ok(sink)
}

fn json_dialect(format: Format) -> Result<json::Dialect, Error> {
    format.dialect().ok_or(not_built(format))
}

#[cfg_attr(not(any(feature = "yaml", feature = "toml")), allow(dead_code))]
fn sort_keys_unsupported(to: Format) -> Error {
    Error::with(ErrorCode::SortKeysUnsupported, Detail::Name(to.display_name()), Span::at(0))
}

#[cfg(feature = "yaml")]
fn read_yaml<I: Input, S: Sink>(
    input: &mut I,
    to: Format,
    options: &Options,
    mut sink: S,
    stop: Stop<'_>,
) -> Result<S, Error> {
    let src = whole(input)?;
    let limits = &options.limits;
    if to == Format::Yaml {
        if options.sort_keys {
            return Err(sort_keys_unsupported(Format::Yaml));
        }
        yaml::read(src, limits, &mut sink)?;
        return Ok(sink);
    }
    // Merge keys are spelled `<<`: text without it skips their bookkeeping (which copies every key).
    let text = yaml::check(src)?;
    let merge_keys = options.yaml_merge_keys && text.may_have_merge_keys();
    if !merge_keys && !text.may_have_anchors() && !options.sort_keys {
        // Nothing to resolve: no anchor can be defined and no merge key written.
        let mut data = yaml::ToJson::new(sink, options.yaml_drop_tags).seeded(limits.hash_seed);
        yaml::read_checked(&text, limits, &mut data)?;
        return Ok(data.into_inner());
    }
    let max_nodes = limits.alias_nodes_for(src.len() as u64);
    let max_bytes = limits.alias_bytes_for(src.len() as u64);
    if options.sort_keys {
        let mut tree = Tree::bounded(options.limits.max_held_bytes);
        let record = Watched::new(|event: Event<'_>| tree.event(event), stop);
        let data = yaml::ToJson::new(record, options.yaml_drop_tags).seeded(limits.hash_seed);
        let mut resolve =
            yaml::Resolve::new(data, max_nodes, merge_keys).bounded(max_bytes, limits.max_depth, limits.max_held_bytes);
        yaml::read_checked(&text, limits, &mut resolve)?;
        drop(resolve);
        tree.replay(&mut sink, true)?;
        return Ok(sink);
    }
    let data = yaml::ToJson::new(sink, options.yaml_drop_tags).seeded(limits.hash_seed);
    let mut resolve =
        yaml::Resolve::new(data, max_nodes, merge_keys).bounded(max_bytes, limits.max_depth, limits.max_held_bytes);
    yaml::read_checked(&text, limits, &mut resolve)?;
    Ok(resolve.into_inner().into_inner())
}

/// TOML to TOML: the formatter, which keeps every comment and changes layout only.
#[cfg(feature = "toml")]
fn format_toml<I: Input, O: Output>(input: &mut I, options: &Options, mut out: O) -> Result<O, Error> {
    if options.sort_keys {
        return Err(sort_keys_unsupported(Format::Toml));
    }
    let formatted = toml::format_text(whole(input)?, &options.limits, options.toml_indent())?;
    out.write(&formatted)?;
    Ok(out)
}

/// TOML as data for any format: the whole document is built first (a table may be continued anywhere), then
/// replayed. JSON has no spelling for `inf` and `nan`: they are an error with their position, except into YAML.
#[cfg(feature = "toml")]
fn read_toml<I: Input, S: Sink>(
    input: &mut I,
    to: Format,
    options: &Options,
    mut sink: S,
    stop: Stop<'_>,
) -> Result<S, Error> {
    let doc = toml::load(whole(input)?, &options.limits)?;
    let finite_only = !matches!(to, Format::Yaml | Format::Toml);
    if options.sort_keys {
        let mut tree = Tree::bounded(options.limits.max_held_bytes);
        doc.emit(&mut Watched::new(|event: Event<'_>| tree.event(event), stop), finite_only)?;
        tree.replay(&mut sink, true)?;
    } else {
        doc.emit(&mut sink, finite_only)?;
    }
    Ok(sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parameters() {
        let mut params = Params::default();
        params.set("from", "YML").unwrap();
        params.set("indent", "tab").unwrap();
        params.set("sort_keys", "").unwrap();
        assert_eq!(params.from, Some(Format::Yaml));
        let options = params.options(Options::default());
        assert_eq!((options.indent, options.sort_keys), (Indent::Tab, true));
        params.set("compact", "1").unwrap();
        assert_eq!(params.options(Options::default()).indent, Indent::Compact);
        let hostile = "x".repeat(60_000);
        let error = params.set(&hostile, "1").unwrap_err();
        assert_eq!(error.kind(), ParseErrorKind::UnknownParameter);
        assert!(error.to_string().len() < 100);
        assert_eq!(params.set("compact", "yes").unwrap_err().to_string(), "compact must be true or false, not 'yes'");
    }

    #[test]
    fn a_stopped_job_stops_inside_the_reader() {
        let text = alloc::format!("[{}0]", "1,".repeat(100_000));
        let asked = core::cell::Cell::new(0);
        let stop = || {
            asked.set(asked.get() + 1);
            asked.get() >= 3
        };
        let job = Job::new(Action::Format, Format::Json);
        let error = job.run_until(&mut crate::SliceInput::new(text.as_bytes()), Vec::new(), &stop).unwrap_err();
        assert_eq!(error[0].code, ErrorCode::Cancelled);
        // Asked every STOP_EVERY events: stopped after about three thousand of the hundred thousand.
        assert_eq!(asked.get(), 3);
        assert!(error[0].span.start < 10_000, "{:?}", error[0].span);
        let error = Job::new(Action::Validate, Format::Json)
            .run_until(&mut crate::SliceInput::new(text.as_bytes()), Discard, &|| true)
            .unwrap_err();
        assert_eq!(error[0].code, ErrorCode::Cancelled);
    }

    #[test]
    fn output_past_its_limit_stops_the_job_where_it_passes() {
        let text = alloc::format!("[{}0]", "1,".repeat(100_000));
        let mut job = Job::new(Action::Format, Format::Json);
        job.options.limits.max_output_bytes = 100_000;
        let error = job.run(&mut crate::SliceInput::new(text.as_bytes()), Vec::new()).unwrap_err();
        assert_eq!(
            (error[0].code, error[0].message.as_str()),
            (ErrorCode::OutputLimit, "the output exceeds the limit of 100000 bytes")
        );
        assert!(error[0].span.start > 0, "the error points at the value being written");
        job.options.limits.max_output_bytes = 1 << 20;
        assert!(job.run(&mut crate::SliceInput::new(text.as_bytes()), Vec::new()).is_ok());
    }
}
