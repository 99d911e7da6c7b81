//! `dfmt`: the command-line surface of the dfmt engine.
//!
//! It turns arguments into a [`task::Settings`], paths into [`inputs::Source`]s, runs the task on each input
//! (in parallel across cores for batches, streaming for a single input), prints results in input order, and
//! exits 0 (success), 1 (invalid input, or `--check` found changes) or 2 (usage or I/O error).

mod args;
mod batch;
mod diagnostic;
mod in_place;
mod inputs;
mod log;
mod region;
mod schema;
mod stdout;
mod task;

use anyhow::{Context, Result};
use args::{Cli, Command, InputArgs, LayoutArgs};
use clap::CommandFactory;
use dfmt_core::{Indent, Limits, Options};
// The musl build's `memcpy` and `memmove` (crates/mem): linked in by naming the crate.
#[cfg(target_env = "musl")]
use dfmt_mem as _;
use std::process::ExitCode;
use task::{Settings, Status, Task};

#[cfg(all(feature = "jemalloc", feature = "mimalloc"))]
compile_error!("enable at most one of the features `jemalloc` and `mimalloc`");

#[cfg(all(feature = "jemalloc", not(feature = "mimalloc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(all(feature = "mimalloc", not(feature = "jemalloc")))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::read();
    match run(cli) {
        Ok(status) => exit_code(status),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("dfmt: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn exit_code(status: Status) -> ExitCode {
    match status {
        Status::Ok => ExitCode::SUCCESS,
        Status::Changed | Status::Invalid => ExitCode::from(1),
        Status::Failed => ExitCode::from(2),
    }
}

/// A closed standard output (`dfmt fmt big.json | head`) is how pipelines say "enough", not an error.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

fn run(cli: Cli) -> Result<Status> {
    let mut schema_args = None;
    let (input, task, layout) = match cli.command {
        Command::Fmt(a) => (a.input, Task::Fmt { check: a.check, diff: a.diff, write: a.write }, Some(a.layout)),
        Command::Validate(a) => {
            schema_args = Some(a.schema);
            (a.input, Task::Validate, None)
        }
        Command::Convert(a) => (a.input, Task::Convert { to: a.to }, Some(a.layout)),
        Command::Serve(a) => return serve(a),
        Command::Completions(a) => {
            clap_complete::generate(a.shell, &mut Cli::command(), "dfmt", &mut std::io::stdout());
            return Ok(Status::Ok);
        }
        Command::Manpages(a) => {
            std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
            clap_mangen::generate_to(Cli::command(), &a.dir)
                .with_context(|| format!("writing man pages into {}", a.dir.display()))?;
            return Ok(Status::Ok);
        }
    };
    let mut settings = settings(&input, task, layout.as_ref());
    if let Some(args) = &schema_args {
        // One setup for the whole run, shared by the workers for as long as the process lives.
        settings.schema = schema::Setup::new(args, settings.options.limits)?.map(|s| &*Box::leak(Box::new(s)));
    }
    let (mut sources, walked) = inputs::collect(&input.paths)?;
    if matches!(task, Task::Fmt { write: true, .. }) {
        if sources.contains(&inputs::Source::Stdin) {
            anyhow::bail!("--write needs file paths; standard input cannot be rewritten in place");
        }
        sources = inputs::dedup(sources);
    }
    // One input streams straight to standard output (no worker threads), unless a SARIF log must wrap what it
    // reports, or a schema applies to it: then it goes the batch's way.
    if sources.len() == 1
        && !walked
        && !settings.needs_whole_input()
        && settings.style.format != args::MessageFormat::Sarif
    {
        if let (Task::Validate, Some(setup)) = (task, settings.schema) {
            match schema::validate(&sources[0], &settings, setup) {
                schema::Outcome::Checked(report) => {
                    if settings.style.on_stdout() {
                        print!("{}", report.diagnostics);
                    } else {
                        eprint!("{}", report.diagnostics);
                    }
                    eprint!("{}", report.stderr);
                    return Ok(report.status);
                }
                // No schema applies: the note on a skipped one, then the syntax alone.
                schema::Outcome::SyntaxOnly { note } => eprint!("{}", note.unwrap_or_default()),
            }
        }
        return Ok(stdout::stream_one(&sources[0], &settings));
    }
    let status = batch::run(&sources, &settings, walked || sources.len() > 1)?;
    // Rewriting files is what --write is for; only --check reports a change as a failure.
    Ok(if matches!(task, Task::Fmt { write: true, .. }) && status == Status::Changed { Status::Ok } else { status })
}

/// `dfmt serve`: logs to standard error (`RUST_LOG`, default `info`), a multi-threaded runtime whose blocking
/// pool holds the large conversions.
///
/// The runtime has two I/O threads per core by default, not tokio's one. On a machine whose cores other
/// processes also want (a load generator on the same host, other containers on a node), a thread that does more
/// than its fair share is preempted whenever one of theirs wakes; spread over twice the threads, the same work
/// is preempted less (docs/benchmarks.md, "Load": fewer involuntary context switches per request, and a higher
/// share of the hello-world's rate).
fn serve(args: args::ServeArgs) -> Result<Status> {
    use std::time::Duration;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let log = log::Batched::start();
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(log.clone()).with_ansi(color).init();
    let mut settings = dfmt_server::Settings {
        max_body_bytes: args.max_body_bytes,
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        inline_below: args.inline_below_bytes,
        header_read_timeout: Duration::from_millis(args.header_read_timeout_ms.max(1)),
        idle_timeout: Duration::from_millis(args.idle_timeout_ms.max(1)),
        write_timeout: Duration::from_millis(args.write_timeout_ms.max(1)),
        max_connections: args.max_connections.max(1),
        limits: Limits {
            max_depth: args.max_depth,
            max_alias_nodes: args.max_alias_nodes,
            max_alias_bytes: args.max_alias_bytes,
            max_output_bytes: args.max_output_bytes.unwrap_or(8 * args.max_body_bytes as u64),
            max_held_bytes: args.max_held_bytes.unwrap_or(8 * args.max_body_bytes as u64),
            hash_seed: dfmt_server::process_seed(),
            ..Limits::DEFAULT
        },
        max_bodies_in_flight: args.max_bodies_in_flight.unwrap_or(16 * args.max_body_bytes as u64),
        ..dfmt_server::Settings::default()
    };
    if let Some(n) = args.max_conversions {
        settings.max_conversions = n.max(1);
    }
    let schemas = match &args.schema_dir {
        Some(dir) => dfmt_server::Schemas::load(dir, settings.limits, false)?,
        None => dfmt_server::Schemas::default(),
    };
    if !schemas.is_empty() {
        tracing::info!(schemas = schemas.len(), "dfmt serve: schemas loaded");
    }
    let config = dfmt_server::Config {
        listen: args.listen,
        settings,
        config_file: args.config,
        web_root: args.web_root,
        shutdown_grace: Duration::from_millis(args.shutdown_grace_ms),
        schemas: std::sync::Arc::new(schemas),
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(args.workers.unwrap_or(2 * cores).max(1))
        // The conversion slots, and room for the rest of the blocking work (the page's files, checking their
        // paths) so that it never waits behind long conversions.
        .max_blocking_threads(settings.max_conversions.max(1) + 16)
        .thread_name("dfmt-serve")
        .build()?;
    let served = runtime.block_on(dfmt_server::serve(config));
    drop(runtime);
    log.flush_now();
    served?;
    Ok(Status::Ok)
}

fn settings(input: &InputArgs, task: Task, layout: Option<&LayoutArgs>) -> Settings {
    let limits = Limits {
        max_depth: input.max_depth,
        max_alias_nodes: input.max_alias_nodes,
        max_alias_bytes: input.max_alias_bytes,
        max_held_bytes: input.max_held_bytes,
        hash_seed: dfmt_server::process_seed(),
        ..Limits::DEFAULT
    };
    let mut options = Options {
        limits,
        yaml_merge_keys: input.yaml_merge_keys,
        yaml_drop_tags: input.yaml_drop_tags,
        ..Options::default()
    };
    if let Some(layout) = layout {
        options.indent = if layout.compact {
            Indent::Compact
        } else if layout.tab {
            Indent::Tab
        } else {
            layout.indent
        };
        options.sort_keys = layout.sort_keys;
        options.yaml_indent_sequences = layout.yaml_seq_indent;
    }
    Settings {
        task,
        from: input.from,
        options,
        style: diagnostic::Style::for_stderr(input.message_format),
        schema: None,
    }
}
