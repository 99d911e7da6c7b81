//! The log of `dfmt serve`: lines collected in memory and written to standard error in batches.
//!
//! Every request logs one line. Writing each with its own system call, or handing each to a writer thread
//! (which then wakes once per line), cost 11–18 % of small-request throughput in `bench/load` on 2 cores: the
//! time went to context switches. Here a line is appended to a shared buffer under a short lock; the buffer is
//! written when it passes [`BATCH`] bytes, by a flusher thread at least every [`INTERVAL`], and at exit.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// Buffered bytes that trigger a write from the logging thread itself.
const BATCH: usize = 32 << 10;
/// The longest a line waits in the buffer.
const INTERVAL: Duration = Duration::from_millis(200);

/// A handle to the shared buffer. tracing-subscriber asks for a writer per line and gets a reference: cloning
/// the handle per line was one more atomic that both I/O threads wrote on every request.
#[derive(Clone, Debug)]
pub(crate) struct Batched(Arc<Buffers>);

/// The buffer lines go to, and the one being written out. A flush swaps them, so that no buffer is allocated or
/// freed while serving: a fresh 64 KiB buffer per flush made glibc trim the freed one from its heap
/// (`madvise`) and fault pages back in for the next, about 2 % of the server's time at 80k lines a second.
#[derive(Debug)]
struct Buffers {
    lines: Mutex<Vec<u8>>,
    /// Also held for the whole write, which keeps two flushes in order.
    out: Mutex<Vec<u8>>,
}

impl Batched {
    /// A buffer and the thread that flushes it every [`INTERVAL`].
    pub(crate) fn start() -> Batched {
        let batched = Batched(Arc::new(Buffers {
            lines: Mutex::new(Vec::with_capacity(2 * BATCH)),
            out: Mutex::new(Vec::with_capacity(2 * BATCH)),
        }));
        let flusher = batched.clone();
        let _ = std::thread::Builder::new().name("dfmt-log".into()).spawn(move || {
            loop {
                std::thread::sleep(INTERVAL);
                flusher.flush_now();
            }
        });
        batched
    }

    /// Writes out what is buffered.
    pub(crate) fn flush_now(&self) {
        let Ok(mut out) = self.0.out.lock() else { return };
        match self.0.lines.lock() {
            Ok(mut lines) if !lines.is_empty() => std::mem::swap(&mut *lines, &mut *out),
            _ => return,
        }
        let _ = std::io::stderr().lock().write_all(&out);
        out.clear();
    }
}

impl<'a> MakeWriter<'a> for Batched {
    type Writer = &'a Batched;

    fn make_writer(&'a self) -> &'a Batched {
        self
    }
}

impl Write for &Batched {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut buf = self.0.lines.lock().map_err(|_| std::io::Error::other("log buffer poisoned"))?;
            buf.extend_from_slice(bytes);
            buf.len() >= BATCH
        };
        if full {
            self.flush_now();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log's timestamps, as tracing-subscriber's default timer writes them (`2025-01-02T03:04:05.678901Z`:
/// UTC, microseconds), with the date and time of day formatted once a second per thread instead of on every
/// line (seven padded integers through `core::fmt` each time).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timestamp;

impl FormatTime for Timestamp {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        thread_local! {
            /// The second formatted last, and its text up to the fraction (`2025-01-02T03:04:05.`).
            static SECOND: RefCell<(u64, String)> = const { RefCell::new((0, String::new())) };
        }
        // A clock before 1970 shows as 1970 (the default timer would print the earlier date).
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
        let mut micros = *b"000000Z";
        let mut n = now.subsec_micros();
        for digit in micros[..6].iter_mut().rev() {
            *digit = b'0' + (n % 10) as u8;
            n /= 10;
        }
        let micros = std::str::from_utf8(&micros).map_err(|_| std::fmt::Error)?;
        SECOND.with_borrow_mut(|(second, text)| {
            if *second != now.as_secs() || text.is_empty() {
                *second = now.as_secs();
                text.clear();
                write_second(text, now.as_secs())?;
            }
            w.write_str(text)?;
            w.write_str(micros)
        })
    }
}

/// `secs` after the epoch as `YYYY-MM-DDTHH:MM:SS.` (UTC).
fn write_second(out: &mut String, secs: u64) -> std::fmt::Result {
    let (days, time) = (secs / 86_400, secs % 86_400);
    // Days to a civil date (Howard Hinnant's `civil_from_days`), over 400-year eras that start on 1 March.
    let z = days as i64 + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (time / 3_600, time % 3_600 / 60, time % 60);
    write!(out, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.")
}

/// tracing-subscriber's default (full) format, without colours and outside any span written directly: the
/// same text, without the styling wrappers the default formatter pushes through `core::fmt` even when they
/// print nothing (`nu_ansi_term` in a profile of one line per request). Anything else goes to the default.
#[derive(Debug)]
pub(crate) struct Line(Format<Full, Timestamp>);

impl Line {
    pub(crate) fn new() -> Line {
        Line(tracing_subscriber::fmt::format().with_timer(Timestamp))
    }
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        if writer.has_ansi_escapes() || ctx.event_scope().is_some() {
            return self.0.format_event(ctx, writer, event);
        }
        if Timestamp.format_time(&mut writer).is_err() {
            writer.write_str("<unknown time>")?;
        }
        let meta = event.metadata();
        let level = match *meta.level() {
            Level::TRACE => "TRACE",
            Level::DEBUG => "DEBUG",
            Level::INFO => " INFO",
            Level::WARN => " WARN",
            Level::ERROR => "ERROR",
        };
        for part in [" ", level, " ", meta.target(), ": "] {
            writer.write_str(part)?;
        }
        thread_local! {
            static FIELDS: RefCell<String> = const { RefCell::new(String::new()) };
        }
        let done = FIELDS.with_borrow_mut(|text| {
            text.clear();
            let mut fields = Fields { out: text, sanitize: writer.sanitizes_ansi_escapes(), first: true, ok: true };
            event.record(&mut fields);
            fields.ok && writer.write_str(text).is_ok()
        });
        if !done {
            ctx.format_fields(writer.by_ref(), event)?;
        }
        writeln!(writer)
    }
}

/// An event's fields as tracing-subscriber's default field formatter writes them without colours: the message
/// (terminal control characters escaped), then `name=value` pairs, one space between any two; values by their
/// `Debug`. Integers, booleans and strings of plain ASCII are written directly rather than through `core::fmt`
/// and the styling wrappers the default formatter puts around every name even when they print nothing. An
/// error with a source (printed by the default formatter with its list of sources) sets `ok` to false: the
/// caller then formats the fields the default way.
struct Fields<'a> {
    out: &'a mut String,
    /// Whether the message and errors have terminal control characters escaped (the default formatter's choice).
    sanitize: bool,
    first: bool,
    ok: bool,
}

impl Fields<'_> {
    /// Starts a field: the space before it, and `name=` unless it is the message.
    fn start(&mut self, field: &Field) {
        if !self.first {
            self.out.push(' ');
        }
        self.first = false;
        if field.name() != "message" {
            let name = field.name();
            self.out.push_str(name.strip_prefix("r#").unwrap_or(name));
            self.out.push('=');
        }
    }

    fn integer(&mut self, field: &Field, negative: bool, mut n: u64) {
        self.start(field);
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if negative {
            self.out.push('-');
        }
        // Digits are ASCII.
        self.out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
    }

    /// Escapes the terminal control characters in what was written from `from` on, when sanitizing.
    fn sanitize_from(&mut self, from: usize) {
        if self.sanitize && !self.out.as_bytes()[from..].iter().all(|b| (b' '..=b'~').contains(b)) {
            let text = self.out.split_off(from);
            push_escaped(self.out, &text);
        }
    }
}

impl Visit for Fields<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.integer(field, false, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.integer(field, value < 0, value.unsigned_abs());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.start(field);
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.start(field);
        if field.name() == "message" {
            let from = self.out.len();
            self.out.push_str(value);
            self.sanitize_from(from);
        } else if value.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
            // `Debug` of a string with nothing to escape: the string in quotes.
            self.out.push('"');
            self.out.push_str(value);
            self.out.push('"');
        } else {
            let _ = write!(self.out, "{value:?}");
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if value.source().is_some() {
            self.ok = false;
            return;
        }
        self.start(field);
        let from = self.out.len();
        let _ = write!(self.out, "{value}");
        self.sanitize_from(from);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.start(field);
        let from = self.out.len();
        let _ = write!(self.out, "{value:?}");
        if field.name() == "message" {
            self.sanitize_from(from);
        }
    }
}

/// Appends `text` with the terminal control characters escaped as tracing-subscriber escapes them in a message:
/// ESC, BEL, BS, FF and DEL as `\x..`, the C1 controls (U+0080 to U+009F) as `\u{..}`.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("\\x1b"),
            '\x07' => out.push_str("\\x07"),
            '\x08' => out.push_str("\\x08"),
            '\x0c' => out.push_str("\\x0c"),
            '\x7f' => out.push_str("\\x7f"),
            '\u{80}'..='\u{9f}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_as_the_default_timer_writes_them() {
        let second = |secs| {
            let mut out = String::new();
            write_second(&mut out, secs).unwrap();
            out
        };
        assert_eq!(second(0), "1970-01-01T00:00:00.");
        assert_eq!(second(951_782_400), "2000-02-29T00:00:00.");
        assert_eq!(second(951_868_799), "2000-02-29T23:59:59.");
        assert_eq!(second(1_700_000_000), "2023-11-14T22:13:20.");
        assert_eq!(second(4_107_542_400), "2100-03-01T00:00:00.");
        assert_eq!(second(253_402_300_799), "9999-12-31T23:59:59.");
    }

    #[test]
    fn same_shape_as_the_default_timer() {
        let format = |timer: &dyn FormatTime| {
            let mut out = String::new();
            timer.format_time(&mut Writer::new(&mut out)).unwrap();
            out
        };
        let (ours, theirs) = (format(&Timestamp), format(&tracing_subscriber::fmt::time::SystemTime));
        assert_eq!(ours.len(), theirs.len(), "{ours} vs {theirs}");
        // The same up to the minute, unless the two calls straddled one.
        assert!(ours[..16] == theirs[..16] || ours[14..16] != theirs[14..16], "{ours} vs {theirs}");
    }

    #[test]
    fn lines_as_the_default_format_writes_them() {
        let lines = |line: bool| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let writer = buffer.clone();
            let make = move || SharedVec(writer.clone());
            let builder = tracing_subscriber::fmt().with_writer(make).with_ansi(false).with_timer(Timestamp);
            let emit = || {
                let path = "/v1/format";
                tracing::info!(method = %"POST", path, status = 200u16, latency_us = 52u64, "request");
                tracing::warn!(error = %"x\ny", "a \"quoted\" message");
                let (text, odd, io) =
                    ("plain text", "tab\there \"q\" \\ \u{1b}[31m é \u{85}", std::io::Error::other("gone"));
                tracing::info!(
                    n = -42i64,
                    big = u64::MAX,
                    yes = true,
                    r#type = 1.5f64,
                    wide = 7u128,
                    text,
                    odd,
                    "fields"
                );
                tracing::info!(debug = ?Some("a\u{1b}"), shown = %odd, error = &io as &dyn std::error::Error);
                tracing::info!(message = odd, later = 1u8);
                tracing::warn!("ring \u{7} {} bell", "\u{9b}x");
                let nested = Outer(std::io::Error::other("inner \u{1b}"));
                tracing::error!(error = &nested as &dyn std::error::Error, "with a source");
                tracing::info!("");
                tracing::info_span!("reload", n = 1).in_scope(|| tracing::error!("inside a span"));
            };
            match line {
                true => tracing::subscriber::with_default(builder.event_format(Line::new()).finish(), emit),
                false => tracing::subscriber::with_default(builder.finish(), emit),
            }
            let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
            // Without the timestamps (27 bytes), which differ by the microsecond.
            text.lines().map(|l| l.get(27..).unwrap_or(l).to_owned()).collect::<Vec<_>>()
        };
        let (ours, theirs) = (lines(true), lines(false));
        assert_eq!(ours, theirs);
        assert_eq!(
            ours[0],
            "  INFO dfmt::log::tests: request method=POST path=\"/v1/format\" status=200 latency_us=52"
        );
    }

    /// An error with a source, which the default formatter lists after it.
    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("outer \u{1b}")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    struct SharedVec(Arc<Mutex<Vec<u8>>>);

    impl Write for SharedVec {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
