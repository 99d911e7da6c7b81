//! Many inputs at once: processed in parallel across cores, printed in input order, summed up at the end.
//! Workers stay within a window of the printer, so buffered outputs are bounded by the number of cores.

use crate::args::MessageFormat;
use crate::diagnostic::Style;
use crate::in_place;
use crate::inputs::Source;
use crate::task::{self, Report, Settings, Status, Stop, Task};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

/// A progress bar appears only when a batch on a terminal runs longer than this.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);

/// Runs the task on every source and returns the worst status.
pub(crate) fn run(sources: &[Source], settings: &Settings, summary: bool) -> Result<Status> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(sources.len()).max(1);
    let next = AtomicUsize::new(0);
    // Workers run at most this many inputs ahead of the printer, so that a slow early file does not make the
    // outputs of all later ones pile up in memory.
    let window = Window { printed: Mutex::new(0), moved: Condvar::new(), ahead: 2 * workers };
    let (sender, receiver) = mpsc::channel::<(usize, Report)>();
    let mut tally = Tally::default();
    let printed = std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, window) = (&next, &window);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    window.wait_for(i);
                    if sender.send((i, process(source, settings))).is_err() {
                        break; // the printer stopped (standard output closed)
                    }
                }
            });
        }
        drop(sender);
        let result = print_in_order(sources.len(), &receiver, &mut tally, &window, settings.style);
        if result.is_err() {
            // Stop the workers early: no more work to hand out, and nobody waits for the printer.
            next.store(sources.len(), Ordering::Relaxed);
            window.advance(usize::MAX / 2);
        }
        drop(receiver);
        result
    });
    // After every rename, so that each folder is synced once however many of its files were rewritten: a folder
    // sync per file made a batch of small files a third slower (docs/benchmarks.md, "--write").
    for dir in &tally.renamed_in {
        if let Err(error) = in_place::sync_folder(dir) {
            eprintln!("dfmt: error: {error:#}");
            tally.worst = Status::Failed;
        }
    }
    printed?;
    if summary {
        eprintln!("dfmt: {}", tally.summary(settings.task));
    }
    Ok(tally.worst)
}

fn process(source: &Source, settings: &Settings) -> Report {
    if settings.needs_whole_input() {
        return task::whole(source, settings);
    }
    let mut report = Report::new(Status::Ok);
    if let (Task::Validate, Some(setup)) = (settings.task, settings.schema) {
        match crate::schema::validate(source, settings, setup) {
            crate::schema::Outcome::Checked(checked) => return checked,
            // No schema applies: the syntax is checked as without one, after the note on a skipped schema.
            crate::schema::Outcome::SyntaxOnly { note } => report.stderr = note.unwrap_or_default(),
        }
    }
    let mut out = Vec::new();
    match task::stream(source, settings, &mut out) {
        Ok(()) => {}
        Err(Stop::Invalid(diagnostic)) => {
            out.clear(); // half a document helps nobody in a batch
            report.status = Status::Invalid;
            report.diagnostics = diagnostic;
        }
        Err(Stop::Io(error)) => {
            report.status = Status::Failed;
            report.stderr.push_str(&format!("dfmt: error: {error:#}\n"));
        }
        Err(Stop::Output) => {
            report.status = Status::Failed;
            report.stderr.push_str(&format!("dfmt: error: writing the output of {source} failed\n"));
        }
    }
    report.stdout = out;
    report
}

/// How far the printer got, for workers that must not run too far ahead of it.
struct Window {
    printed: Mutex<usize>,
    moved: Condvar,
    ahead: usize,
}

impl Window {
    /// Blocks until input `i` is within the window.
    fn wait_for(&self, i: usize) {
        let mut printed = self.printed.lock().unwrap_or_else(PoisonError::into_inner);
        while i >= *printed + self.ahead {
            printed = self.moved.wait(printed).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Records that the inputs before `printed` are printed.
    fn advance(&self, printed: usize) {
        *self.printed.lock().unwrap_or_else(PoisonError::into_inner) = printed;
        self.moved.notify_all();
    }
}

fn print_in_order(
    count: usize,
    receiver: &mpsc::Receiver<(usize, Report)>,
    tally: &mut Tally,
    window: &Window,
    style: Style,
) -> Result<()> {
    let sarif = style.format == MessageFormat::Sarif;
    let mut results = Vec::new();
    let started = Instant::now();
    let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
        bar.set_style(style);
    }
    let on_terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut waiting: Vec<Option<Report>> = (0..count).map(|_| None).collect();
    let mut next = 0;
    let stdout = std::io::stdout();
    while next < count {
        if !shown && on_terminal && started.elapsed() > PROGRESS_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            shown = true;
        }
        let (i, report) = match receiver.recv_timeout(Duration::from_millis(200)) {
            Ok(received) => received,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("internal: a worker stopped early"),
        };
        waiting[i] = Some(report);
        while let Some(report) = waiting.get_mut(next).and_then(Option::take) {
            tally.add(&report);
            bar.suspend(|| -> Result<()> {
                let mut out = stdout.lock();
                out.write_all(&report.stdout)?;
                if sarif {
                    results.extend(report.diagnostics.lines().map(str::to_owned));
                } else if style.on_stdout() {
                    out.write_all(report.diagnostics.as_bytes())?;
                } else {
                    eprint!("{}", report.diagnostics);
                }
                out.flush()?;
                eprint!("{}", report.stderr);
                Ok(())
            })?;
            bar.inc(1);
            next += 1;
            window.advance(next);
        }
    }
    bar.finish_and_clear();
    if sarif {
        let mut out = stdout.lock();
        out.write_all(crate::diagnostic::sarif_log(&results).as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Tally {
    total: usize,
    changed: usize,
    invalid: usize,
    failed: usize,
    worst: Status,
    /// The folders in which `--write` renamed files, to sync once the batch is done.
    renamed_in: BTreeSet<PathBuf>,
}

impl Tally {
    fn add(&mut self, report: &Report) {
        self.total += 1;
        if let Some(dir) = &report.renamed_in {
            self.renamed_in.insert(dir.clone());
        }
        match report.status {
            Status::Ok => {}
            Status::Changed => self.changed += 1,
            Status::Invalid => self.invalid += 1,
            Status::Failed => self.failed += 1,
        }
        self.worst = self.worst.max(report.status);
    }

    fn summary(&self, task: Task) -> String {
        let files = if self.total == 1 { "file" } else { "files" };
        let mut parts = Vec::new();
        match task {
            Task::Fmt { check: true, .. } => parts.push(format!("{} would be reformatted", self.changed)),
            Task::Fmt { write: true, .. } => {
                parts.push(format!("{} reformatted", self.changed));
                parts.push(format!("{} unchanged", self.total - self.changed - self.invalid - self.failed));
            }
            Task::Validate => parts.push(format!("{} valid", self.total - self.invalid - self.failed)),
            Task::Fmt { .. } | Task::Convert { .. } => {}
        }
        if self.invalid > 0 || matches!(task, Task::Validate) {
            parts.push(format!("{} invalid", self.invalid));
        }
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        let verb = match task {
            Task::Fmt { check: true, .. } | Task::Validate => "checked",
            Task::Fmt { .. } => "formatted",
            Task::Convert { .. } => "converted",
        };
        if parts.is_empty() {
            format!("{} {files} {verb}", self.total)
        } else {
            format!("{} {files} {verb}: {}", self.total, parts.join(", "))
        }
    }
}
