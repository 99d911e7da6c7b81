//! The command line, as clap reads it.

use clap::{Args, FromArgMatches, Parser, Subcommand};
use dfmt_core::{Format, Indent};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  dfmt fmt config.json                 print config.json formatted
  dfmt fmt --write src/ settings.jsonc rewrite files in place (folders are walked, .gitignore honoured)
  dfmt fmt --check --diff .            list files that would change, with a diff; exit 1 if any
  cat data.json | dfmt fmt --compact   minify standard input
  dfmt validate *.json                 check only; exit 1 if any file is invalid
  dfmt convert --to ndjson big.json    one line per element of the top-level array
  dfmt convert --to json k8s.yaml      one JSON text per YAML document (aliases and << merges resolved)
  dfmt convert --to yaml config.json   YAML that YAML 1.1 and 1.2 readers both read back the same
  dfmt fmt --write ci.yml              reformat YAML, keeping comments and document markers
  dfmt fmt --check Cargo.toml          TOML: layout only; every comment, key and value kept as written
  dfmt convert --to json pyproject.toml  TOML as JSON (dates as strings; 0x1F as 31)
  dfmt convert --to toml config.json   JSON or YAML as TOML ([a.b] sections, [[a]] arrays of tables)
  dfmt completions bash > /etc/bash_completion.d/dfmt

Exit codes: 0 success; 1 invalid input, or --check found changes; 2 usage or I/O error.";

/// The package's description, as clap's bare `about` attribute takes it.
const ABOUT: &str = env!("CARGO_PKG_DESCRIPTION");
/// `dfmt --version`: the version and the git commit it was built from (`build.rs`).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("DFMT_GIT_COMMIT"), ")");
const FMT_ABOUT: &str = "Format each input in its own format (to standard output, or in place with --write)";
const VALIDATE_ABOUT: &str = "Check that each input is valid; print a diagnostic for each one that is not";
const CONVERT_ABOUT: &str = "Convert inputs to another format, to standard output";
const SERVE_ABOUT: &str =
    "Run the HTTP service: POST /v1/format, /v1/convert, /v1/validate (see crates/server/openapi.yaml)";
const COMPLETIONS_ABOUT: &str = "Print a shell completion script";
const MANPAGES_ABOUT: &str = "Write the man pages into a folder";

// The command line. `Cli::read` reads it; `Cli::command()` (derived) builds the whole tree at once, for shell
// completions. (Not doc comments: clap's derive would take them for the long help.)
#[derive(Debug, Parser)]
#[command(name = "dfmt", version = VERSION, about = ABOUT, after_help = EXAMPLES, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

// The about texts are constants, not doc comments, so that `lazy_command` shares them (without the final period
// that clap's derive drops from a doc comment).
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    #[command(about = FMT_ABOUT, after_help = EXAMPLES)]
    Fmt(FmtArgs),
    #[command(about = VALIDATE_ABOUT, after_help = EXAMPLES)]
    Validate(ValidateArgs),
    #[command(about = CONVERT_ABOUT, after_help = EXAMPLES)]
    Convert(ConvertArgs),
    #[command(about = SERVE_ABOUT)]
    Serve(ServeArgs),
    #[command(about = COMPLETIONS_ABOUT)]
    Completions(CompletionsArgs),
    #[command(about = MANPAGES_ABOUT, hide = true)]
    Manpages(ManpagesArgs),
}

impl Cli {
    /// Reads the command line (printing help, the version or a usage error and exiting where clap does).
    ///
    /// Only the subcommand that was named gets its arguments built: building all of them, as `Cli::parse` does,
    /// was most of the instructions of a run on a small file (clap's builders move each `Arg` by value, about
    /// 340 KB of copies in all) and 180 KB of code to bring in from memory. The tree is the derived one
    /// (a test compares them).
    pub(crate) fn read() -> Cli {
        let matches = lazy_command().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}

/// `Cli::command()`, with each subcommand's arguments added when clap first needs them (`Command::defer`). Each
/// subcommand is set up as the derive does it: its about text now (for the list of subcommands), then its
/// arguments, then its own settings again (a flattened struct's doc comment would otherwise be its about text).
fn lazy_command() -> clap::Command {
    use clap::Command as C;
    C::new("dfmt")
        .version(VERSION)
        .about(ABOUT)
        .long_about(None)
        .after_help(EXAMPLES)
        .propagate_version(true)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .group(clap::ArgGroup::new("Cli").multiple(true))
        .subcommand(
            C::new("fmt")
                .about(FMT_ABOUT)
                .defer(|c| FmtArgs::augment_args(c).about(FMT_ABOUT).long_about(None).after_help(EXAMPLES)),
        )
        .subcommand(
            C::new("validate")
                .about(VALIDATE_ABOUT)
                .defer(|c| ValidateArgs::augment_args(c).about(VALIDATE_ABOUT).long_about(None).after_help(EXAMPLES)),
        )
        .subcommand(
            C::new("convert")
                .about(CONVERT_ABOUT)
                .defer(|c| ConvertArgs::augment_args(c).about(CONVERT_ABOUT).long_about(None).after_help(EXAMPLES)),
        )
        .subcommand(
            C::new("serve")
                .about(SERVE_ABOUT)
                .defer(|c| ServeArgs::augment_args(c).about(SERVE_ABOUT).long_about(None)),
        )
        .subcommand(
            C::new("completions")
                .about(COMPLETIONS_ABOUT)
                .defer(|c| CompletionsArgs::augment_args(c).about(COMPLETIONS_ABOUT).long_about(None)),
        )
        .subcommand(
            C::new("manpages")
                .about(MANPAGES_ABOUT)
                .hide(true)
                .defer(|c| ManpagesArgs::augment_args(c).about(MANPAGES_ABOUT).long_about(None)),
        )
}

/// `dfmt manpages DIR` (hidden: for packagers, scripts/dist).
#[derive(Debug, Args)]
pub(crate) struct ManpagesArgs {
    /// The folder to write `dfmt.1` and one page per subcommand into (made if missing).
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    pub(crate) shell: clap_complete::Shell,
}

/// Where inputs come from and how they are read.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Files or folders to read; `-` or nothing reads standard input. Folders are walked recursively,
    /// honouring .gitignore and .ignore, and their files are selected by extension.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Input format [default: by extension (.json .jsonc .ndjson .jsonl .yaml .yml .toml), else sniffed from the
    /// content].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) from: Option<Format>,
    /// Deepest nesting of objects and arrays accepted.
    #[arg(long, value_name = "N", default_value_t = dfmt_core::Limits::DEFAULT.max_depth)]
    pub(crate) max_depth: u32,
    /// YAML: most nodes that alias expansion (`*name`, `<<`) may produce, or 10 per input byte if more.
    #[arg(long, value_name = "N", default_value_t = dfmt_core::Limits::DEFAULT.max_alias_nodes)]
    pub(crate) max_alias_nodes: u64,
    /// YAML: most bytes alias expansion may produce (the text of each expanded node plus 16 bytes for its
    /// structure), or 10 per input byte if more.
    #[arg(long, value_name = "BYTES", default_value_t = dfmt_core::Limits::DEFAULT.max_alias_bytes)]
    pub(crate) max_alias_bytes: u64,
    /// Most bytes of a document held in memory where a job must hold it (--sort-keys, YAML anchors and merge
    /// keys, TOML tables).
    #[arg(long, value_name = "BYTES", default_value_t = dfmt_core::Limits::DEFAULT.max_held_bytes)]
    pub(crate) max_held_bytes: u64,
    /// YAML: apply `<<` merge keys when converting to another format.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub(crate) yaml_merge_keys: bool,
    /// YAML: read tagged nodes as untagged when converting (otherwise a tag the output cannot carry is an error).
    #[arg(long)]
    pub(crate) yaml_drop_tags: bool,
    /// How problems are printed: `human` (the position, the source line and a hint); `json` (one object per line
    /// on standard error: file, line, column, end_line, end_column, severity, code, kind, message, and path,
    /// related, hint and schema where there are); `github` (GitHub Actions annotations, on standard output);
    /// `sarif` (one SARIF 2.1.0 log, on standard output). Columns count characters.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = MessageFormat::Human)]
    pub(crate) message_format: MessageFormat,
}

/// How errors are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    /// For people.
    Human,
    /// For programs: JSON lines.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`), which annotate the files of a pull request.
    Github,
    /// A SARIF 2.1.0 log, for code-scanning tools.
    Sarif,
}

/// How output is laid out.
#[derive(Debug, Args)]
pub(crate) struct LayoutArgs {
    /// Spaces per indentation level (0 to 16), or `tab`.
    #[arg(long, value_name = "N", default_value = "2", value_parser = parse_indent)]
    pub(crate) indent: Indent,
    /// Indent with tabs.
    #[arg(long, conflicts_with = "indent")]
    pub(crate) tab: bool,
    /// No whitespace: one line per document (removes JSONC comments).
    #[arg(long, conflicts_with_all = ["indent", "tab"])]
    pub(crate) compact: bool,
    /// Sort object keys (by code point). Holds each document in memory.
    #[arg(long)]
    pub(crate) sort_keys: bool,
    /// YAML output: indent sequences under their key (`key:` / `  - a`); false writes `- a` level with the key.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub(crate) yaml_seq_indent: bool,
}

#[derive(Debug, Args)]
pub(crate) struct FmtArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    #[command(flatten)]
    pub(crate) layout: LayoutArgs,
    /// Change nothing: list the files whose formatting differs and exit 1 if any does.
    #[arg(long, conflicts_with = "write")]
    pub(crate) check: bool,
    /// With --check, print a unified diff for each file that would change.
    #[arg(long, requires = "check")]
    pub(crate) diff: bool,
    /// Rewrite files in place (atomically; an invalid file is left untouched).
    #[arg(long, short = 'w')]
    pub(crate) write: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    #[command(flatten)]
    pub(crate) schema: SchemaArgs,
}

/// JSON Schema: which schema, and how it is applied.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Check every input against this JSON Schema (a JSON, YAML or TOML file; drafts 4, 6, 7, 2019-09, 2020-12).
    /// Without it, a schema an input names for itself is used: a `$schema` key at its top, the
    /// `# yaml-language-server: $schema=…` comment (YAML) or `#:schema …` (TOML); a URL it names that
    /// --schema-map does not map to a folder is skipped with a note. Nothing is ever fetched.
    #[arg(long, value_name = "SCHEMA")]
    pub(crate) schema: Option<PathBuf>,
    /// Read references under the URL PREFIX from the local folder DIR (`https://example.com/schemas/=./schemas`);
    /// may be given several times.
    #[arg(long, value_name = "PREFIX=DIR", value_parser = parse_mapping)]
    pub(crate) schema_map: Vec<(String, PathBuf)>,
    /// Check `format` (date-time, email, ipv4, …) as an assertion, not only an annotation.
    #[arg(long)]
    pub(crate) schema_formats: bool,
    /// Ignore the schemas inputs name for themselves (only --schema applies).
    #[arg(long)]
    pub(crate) no_schema_discovery: bool,
    /// Report at most N violations per input (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) max_errors: usize,
}

#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) to: Format,
    #[command(flatten)]
    pub(crate) layout: LayoutArgs,
}

/// `dfmt serve`: every setting also comes from a `DFMT_*` environment variable.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "DFMT_LISTEN", value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// Largest request body, in bytes (larger is refused with 413 before it is read).
    #[arg(long, env = "DFMT_MAX_BODY_BYTES", value_name = "BYTES", default_value_t = 16 << 20)]
    pub(crate) max_body_bytes: usize,
    /// Longest a request may take, body upload included, in milliseconds.
    #[arg(long, env = "DFMT_REQUEST_TIMEOUT_MS", value_name = "MS", default_value_t = 30_000)]
    pub(crate) request_timeout_ms: u64,
    /// Conversions running at once (more are refused with 503 and Retry-After) [default: 4 per core].
    #[arg(long, env = "DFMT_MAX_CONVERSIONS", value_name = "N")]
    pub(crate) max_conversions: Option<usize>,
    /// I/O threads, which also convert the small bodies [default: 2 per core].
    #[arg(long, env = "DFMT_WORKERS", value_name = "N")]
    pub(crate) workers: Option<usize>,
    /// Bodies smaller than this are converted on the I/O threads; larger ones on the blocking pool.
    #[arg(long, env = "DFMT_INLINE_BELOW_BYTES", value_name = "BYTES", default_value_t = 64 << 10)]
    pub(crate) inline_below_bytes: usize,
    /// Deepest nesting accepted.
    #[arg(long, env = "DFMT_MAX_DEPTH", value_name = "N", default_value_t = dfmt_core::Limits::DEFAULT.max_depth)]
    pub(crate) max_depth: u32,
    /// YAML alias expansion budget (nodes; or 10 per input byte if more).
    #[arg(long, env = "DFMT_MAX_ALIAS_NODES", value_name = "N", default_value_t = dfmt_core::Limits::DEFAULT.max_alias_nodes)]
    pub(crate) max_alias_nodes: u64,
    /// YAML alias expansion budget (bytes; or 10 per input byte if more).
    #[arg(long, env = "DFMT_MAX_ALIAS_BYTES", value_name = "BYTES", default_value_t = dfmt_core::Limits::DEFAULT.max_alias_bytes)]
    pub(crate) max_alias_bytes: u64,
    /// Longest a client may take to send a request's headers, in milliseconds.
    #[arg(long, env = "DFMT_HEADER_READ_TIMEOUT_MS", value_name = "MS", default_value_t = 10_000)]
    pub(crate) header_read_timeout_ms: u64,
    /// Longest a connection may wait to read (between requests, or a stalled upload), in milliseconds.
    #[arg(long, env = "DFMT_IDLE_TIMEOUT_MS", value_name = "MS", default_value_t = 60_000)]
    pub(crate) idle_timeout_ms: u64,
    /// Longest a response may make no progress (a client that stopped reading), in milliseconds.
    #[arg(long, env = "DFMT_WRITE_TIMEOUT_MS", value_name = "MS", default_value_t = 30_000)]
    pub(crate) write_timeout_ms: u64,
    /// Most connections served at once (kept below the open-file limit); past it, 64 more are served for
    /// /healthz, /readyz and /metrics only, then new connections are closed at once.
    #[arg(long, env = "DFMT_MAX_CONNECTIONS", value_name = "N", default_value_t = 10_000)]
    pub(crate) max_connections: usize,
    /// Longest answer, in bytes [default: 8 × --max-body-bytes]; past it, 422 with kind `output_limit`.
    #[arg(long, env = "DFMT_MAX_OUTPUT_BYTES", value_name = "BYTES")]
    pub(crate) max_output_bytes: Option<u64>,
    /// Most bytes of a document one conversion may hold in memory (sorting keys, YAML anchors, TOML tables)
    /// [default: 8 × --max-body-bytes]; past it, 422 with kind `memory_limit`.
    #[arg(long, env = "DFMT_MAX_HELD_BYTES", value_name = "BYTES")]
    pub(crate) max_held_bytes: Option<u64>,
    /// Most bytes of request bodies read or held at once, over all requests [default: 16 × --max-body-bytes];
    /// past it, 503 with `Retry-After`.
    #[arg(long, env = "DFMT_MAX_BODIES_IN_FLIGHT", value_name = "BYTES")]
    pub(crate) max_bodies_in_flight: Option<u64>,
    /// A TOML file of settings (max_body_bytes, request_timeout_ms, max_conversions, inline_below_bytes,
    /// max_depth, max_alias_nodes, max_alias_bytes, header_read_timeout_ms, idle_timeout_ms, write_timeout_ms, max_connections,
    /// max_output_bytes, max_held_bytes, max_bodies_in_flight), applied over the flags at start and reloaded on
    /// SIGHUP.
    #[arg(long, env = "DFMT_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Folder of the web page's static files, served at / [default: a minimal page].
    #[arg(long, env = "DFMT_WEB_ROOT", value_name = "DIR")]
    pub(crate) web_root: Option<PathBuf>,
    /// A folder of JSON Schemas (.json, .yaml, .yml, .toml), compiled at start: `POST /v1/validate?schema=NAME`
    /// checks against the one whose file is NAME plus the extension. References may read files of the folder
    /// only.
    #[arg(long, env = "DFMT_SCHEMA_DIR", value_name = "DIR")]
    pub(crate) schema_dir: Option<PathBuf>,
    /// After SIGTERM or Ctrl-C, how long requests in flight may take to finish, in milliseconds.
    #[arg(long, env = "DFMT_SHUTDOWN_GRACE_MS", value_name = "MS", default_value_t = 10_000)]
    pub(crate) shutdown_grace_ms: u64,
}

/// `PREFIX=DIR`: a URL prefix and the folder it is read from.
fn parse_mapping(value: &str) -> Result<(String, PathBuf), String> {
    let (prefix, dir) = value.split_once('=').ok_or_else(|| format!("expected PREFIX=DIR, found {value:?}"))?;
    if prefix.is_empty() || dir.is_empty() {
        return Err(format!("expected PREFIX=DIR with neither empty, found {value:?}"));
    }
    if !prefix.contains("://") {
        return Err(format!("the prefix {prefix:?} is not a URL (scheme://…)"));
    }
    Ok((prefix.to_owned(), PathBuf::from(dir)))
}

/// A format name, read by the core's one parser.
fn parse_format(name: &str) -> Result<Format, dfmt_core::ParseError> {
    name.parse()
}

/// An indentation (0 to 16, or `tab`), read by the core's one parser.
fn parse_indent(value: &str) -> Result<Indent, dfmt_core::ParseError> {
    value.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The lazily built command line is the derived one: same subcommands, arguments, help and settings.
    #[test]
    fn lazy_command_is_the_derived_one() {
        let mut derived = Cli::command();
        derived.build();
        derived.clone().debug_assert();
        let mut lazy = lazy_command();
        lazy.build();
        let (lazy, derived) = (format!("{lazy:#?}"), format!("{derived:#?}"));
        let diff = similar::TextDiff::from_lines(&derived, &lazy);
        assert!(lazy == derived, "{}", diff.unified_diff().context_radius(6).header("derived", "lazy"));
    }

    #[test]
    fn reads_the_named_subcommand_only() {
        let matches = lazy_command().try_get_matches_from(["dfmt", "convert", "--to", "json", "a.yaml"]).unwrap();
        let cli = Cli::from_arg_matches(&matches).unwrap();
        let Command::Convert(args) = cli.command else { panic!("{cli:?}") };
        assert_eq!(args.to, Format::Json);
        assert_eq!(args.input.paths, [PathBuf::from("a.yaml")]);
        let error = lazy_command().try_get_matches_from(["dfmt", "convert", "--to"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::InvalidValue);
    }
}
