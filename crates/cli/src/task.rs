//! What dfmt does to one input: format it (to standard output, checking, or in place), validate it, or
//! convert it. Each run yields a [`Report`]: what to print, and how it went.

use crate::diagnostic::{self, Style};
use crate::in_place;
use crate::inputs::Source;
use anyhow::{Context, Result};
use dfmt_core::{
    ChunkedInput, Error, ErrorKind, Fingerprint, Format, Input, IoFill, Options, Output, SliceInput, Tee, json, toml,
    yaml,
};
use std::io::Read;

/// The job, as the command line asked for it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Task {
    /// `dfmt fmt`: to standard output, or `--check` (with `--diff`), or `--write`.
    Fmt {
        check: bool,
        diff: bool,
        write: bool,
    },
    Validate,
    Convert {
        to: Format,
    },
}

/// Everything a task needs besides its input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) task: Task,
    pub(crate) from: Option<Format>,
    pub(crate) options: Options,
    pub(crate) style: Style,
}

impl Settings {
    /// True when the task needs the whole input and its whole output in memory (to compare or replace them).
    pub(crate) fn needs_whole_input(&self) -> bool {
        matches!(self.task, Task::Fmt { check: true, .. } | Task::Fmt { write: true, .. })
    }
}

/// How one input went, from best to worst; a batch exits with the worst.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Done; nothing to report.
    #[default]
    Ok,
    /// Formatting changed the input (rewritten with --write, or reported by --check).
    Changed,
    /// The input is not valid: exit code 1.
    Invalid,
    /// Reading or writing failed: exit code 2.
    Failed,
}

/// What one input produced.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
    pub(crate) status: Status,
}

impl Report {
    fn new(status: Status) -> Report {
        Report { stdout: Vec::new(), stderr: String::new(), status }
    }
}

/// Why a streamed run stopped early.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The input is invalid; the diagnostic is rendered.
    Invalid(String),
    /// Reading failed.
    Io(anyhow::Error),
    /// The output refused bytes; its owner holds the reason.
    Output,
}

/// Runs a task that streams: formatting to standard output, validating, converting. Memory stays flat
/// whatever the input's size. Output goes to `out`.
pub(crate) fn stream<O: Output>(source: &Source, settings: &Settings, out: &mut O) -> Result<(), Stop> {
    // A YAML reader needs the whole text: read a file in one piece rather than growing a window over it.
    if let (Source::File(path), Some(format)) = (source, source.format(settings.from))
        && format.needs_whole_input()
    {
        let text =
            crate::region::read_file(path).with_context(|| format!("reading {}", path.display())).map_err(Stop::Io)?;
        let text = text.as_slice();
        let mut input = SliceInput::new(text);
        return run_task(&mut input, format, settings, out).map_err(|error| match error.kind {
            ErrorKind::Output => Stop::Output,
            _ => Stop::Invalid(explain(&source.to_string(), &error, text, format, settings)),
        });
    }
    let reader: Box<dyn Read> = match source {
        Source::Stdin => {
            widen_pipe();
            Box::new(std::io::stdin().lock())
        }
        Source::File(path) => Box::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display())).map_err(Stop::Io)?,
        ),
    };
    let options = &settings.options;
    let mut input = ChunkedInput::new(IoFill::new(reader), options.limits.max_token_bytes);
    let result = (|| {
        let format = match source.format(settings.from) {
            Some(format) => format,
            None => {
                input.refill(0)?;
                Format::sniff(input.buffer())
            }
        };
        run_task(&mut input, format, settings, out)
    })();
    result.map_err(|error| match error.kind {
        ErrorKind::Input => {
            let io = input.source_mut().take_error().map_or_else(|| anyhow::anyhow!("read failed"), Into::into);
            Stop::Io(io.context(format!("reading {source}")))
        }
        ErrorKind::Output => Stop::Output,
        // An error about a value in a file: read the file again to name the value's key path.
        _ => match (source, error.kind.is_about_a_value(), source.format(settings.from)) {
            (Source::File(path), true, Some(format)) => match std::fs::read(path) {
                Ok(text) => Stop::Invalid(explain(&source.to_string(), &error, &text, format, settings)),
                Err(_) => Stop::Invalid(diagnostic::render(
                    &source.to_string(),
                    &error,
                    &|at| input.locate(at),
                    settings.style,
                )),
            },
            _ => Stop::Invalid(diagnostic::render(&source.to_string(), &error, &|at| input.locate(at), settings.style)),
        },
    })
}

/// The diagnostic for an error in `text`, with the key path of the value it is about when it is about one.
fn explain(name: &str, error: &Error, text: &[u8], format: Format, settings: &Settings) -> String {
    let path = error
        .kind
        .is_about_a_value()
        .then(|| dfmt_core::key_path_at(text, format, &settings.options, error.span.start))
        .flatten();
    diagnostic::render_at(name, error, &|at| dfmt_core::locate(text, at), settings.style, path.as_deref())
}

fn run_task<I: Input, O: Output>(input: &mut I, format: Format, settings: &Settings, out: &mut O) -> Result<(), Error> {
    let options = &settings.options;
    match settings.task {
        Task::Validate => dfmt_core::validate(input, format, &options.limits),
        Task::Fmt { .. } => dfmt_core::format(input, format, options, &mut *out).map(drop),
        Task::Convert { to } => dfmt_core::convert(input, format, to, options, &mut *out).map(drop),
    }
}

/// When standard input is a pipe, asks for a 1 MiB pipe buffer instead of the default 64 KiB: the writer on the
/// other side then blocks less often: `cat big.json | dfmt validate` ran 1.6 times as fast here.
/// Best effort: a refusal (a limit in /proc/sys/fs/pipe-max-size, or not a pipe) changes nothing.
fn widen_pipe() {
    let _ = rustix::pipe::fcntl_setpipe_size(std::io::stdin(), 1 << 20);
}

/// Runs a task that needs the whole input (`fmt --check`, `--diff`, `--write`) and collects its report.
pub(crate) fn whole(source: &Source, settings: &Settings) -> Report {
    match whole_inner(source, settings) {
        Ok(report) => report,
        Err(error) => {
            let mut report = Report::new(Status::Failed);
            report.stderr = format!("{source}: error: {error:#}\n");
            report
        }
    }
}

fn whole_inner(source: &Source, settings: &Settings) -> Result<Report> {
    let Task::Fmt { check, diff, write } = settings.task else {
        anyhow::bail!("internal: not a whole-input task");
    };
    let original = match source {
        Source::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin().lock().read_to_end(&mut bytes).context("reading <stdin>")?;
            bytes
        }
        Source::File(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    };
    let format =
        source.format(settings.from).unwrap_or_else(|| Format::sniff(&original[..original.len().min(64 << 10)]));
    let formatted = match format_with_fingerprint(&original, format, &settings.options) {
        Ok(formatted) => formatted,
        Err(error) => {
            let mut report = Report::new(Status::Invalid);
            let locate = |at| dfmt_core::locate(&original, at);
            report.stderr = diagnostic::render(&source.to_string(), &error, &locate, settings.style);
            return Ok(report);
        }
    };
    let (formatted, fingerprint) = formatted;
    if formatted == original {
        return Ok(Report::new(Status::Ok));
    }
    let mut report = Report::new(Status::Changed);
    if check {
        if diff {
            let old = String::from_utf8_lossy(&original);
            let new = String::from_utf8_lossy(&formatted);
            let name = source.to_string();
            let text = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            let unified = text.unified_diff().context_radius(3).header(&name, &name).to_string();
            report.stdout.extend_from_slice(unified.as_bytes());
        } else {
            report.stdout.extend_from_slice(format!("{source}\n").as_bytes());
        }
    } else if write {
        let Source::File(path) = source else { anyhow::bail!("--write needs file paths, not standard input") };
        // No silent change: what we are about to write must read back to the data we formatted.
        let reread = Options { sort_keys: false, ..settings.options };
        let back = reread_fingerprint(&formatted, format, &reread)
            .context("internal: the formatted text does not read back; the file was left unchanged")?;
        anyhow::ensure!(back == fingerprint, "internal: formatting changed the data; the file was left unchanged");
        in_place::replace(path, &formatted)?;
    }
    Ok(report)
}

/// The fingerprint of what `text` holds, read as `format` (as [`format_with_fingerprint`] computes it).
fn reread_fingerprint(text: &[u8], format: Format, options: &Options) -> Result<Fingerprint, Error> {
    if format == Format::Toml {
        return toml::format(text, &options.limits, options.toml_indent()).map(|f| f.fingerprint);
    }
    dfmt_core::run(&mut SliceInput::new(text), format, format, options, Fingerprint::default())
}

/// Formats `original`, returning the text and the fingerprint of the data the writer received (for TOML, of
/// the data and the comments).
fn format_with_fingerprint(
    original: &[u8],
    format: Format,
    options: &Options,
) -> Result<(Vec<u8>, Fingerprint), Error> {
    if format == Format::Toml {
        if options.sort_keys {
            // The same refusal as `dfmt_core::format` gives.
            return dfmt_core::format(&mut SliceInput::new(original), format, options, Vec::new())
                .map(|t| (t, Fingerprint::default()));
        }
        let formatted = toml::format(original, &options.limits, options.toml_indent())?;
        return Ok((formatted.text, formatted.fingerprint));
    }
    let mut input = SliceInput::new(original);
    if format == Format::Yaml {
        let writer = yaml::Writer::new(Vec::new(), options.yaml_write_options());
        let Tee(writer, fingerprint) =
            dfmt_core::run(&mut input, format, format, options, Tee(writer, Fingerprint::default()))?;
        return Ok((writer.finish()?, fingerprint));
    }
    let writer = json::Writer::new(Vec::new(), options.write_options(format));
    let Tee(writer, fingerprint) =
        dfmt_core::run(&mut input, format, format, options, Tee(writer, Fingerprint::default()))?;
    Ok((writer.finish()?, fingerprint))
}
