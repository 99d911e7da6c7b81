//! `loads`: the core's events turned into plain Python objects.
//!
//! The reader pushes events into [`Build`]: each value made waits on a stack until its container ends, which then
//! becomes a `list` made at its final size or a `dict` filled in order. `loads` holds the GIL throughout, as
//! `json.loads` does; a large JSON or YAML text is read on a thread of its own meanwhile, its events handed over
//! in chunks ([`crate::recorded`]), a smaller one in the caller's thread as objects are made.
//!
//! Values: `null` → `None`; booleans; integers exact at any size (`int`); floats as Python reads them
//! (`float`, or `parse_float` called with the literal as `json.loads` does); strings decoded; TOML dates and
//! times as `datetime.datetime`, `datetime.date` and `datetime.time`, as `tomllib` gives them. YAML is read as
//! data by JSON's rules (aliases expanded, merge keys applied, keys as strings), the view `convert` uses.

use crate::recorded::{self, Failed};
use crate::{Text, decode_error, format_of, limits};
use dfmt_core::{
    Action, Error, ErrorCode, Event, EventKind, Format, Job, Options, Scalar, ScalarKind, Sink, SliceInput,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyNone, PyString};
use std::path::PathBuf;

/// An open container: where its children start in [`Build::values`], and whether it is a mapping.
#[derive(Clone, Copy)]
struct Open {
    start: usize,
    mapping: bool,
}

/// The sink that builds Python objects: one per document.
///
/// The children of the open containers wait on one stack, [`Build::values`] (a mapping's as key, value, key,
/// value); when a container ends, its children leave the stack into a `list` made at its final size, or a `dict`,
/// which then waits on the stack in turn.
pub(crate) struct Build<'py> {
    py: Python<'py>,
    values: Vec<Bound<'py, PyAny>>,
    open: Vec<Open>,
    pub(crate) documents: Vec<Bound<'py, PyAny>>,
    parse_float: Option<Bound<'py, PyAny>>,
    /// A Python exception raised while building (a `parse_float` that raised, memory): the read stops with
    /// [`ErrorCode::Stopped`] and `loads` raises this instead.
    failure: Option<PyErr>,
    scratch: Vec<u8>,
    keys: Keys<'py>,
}

/// Mapping keys made once per text: a key seen before reuses its `str` (no decoding again, and the hash the
/// object keeps is reused by every dict it goes into), as `json.loads` does with its memo. Direct-mapped: a slot
/// holds the last key that hashed to it.
struct Keys<'py> {
    slots: Vec<Slot<'py>>,
    /// A power of two, at most [`Keys::SLOTS`].
    size: usize,
    state: foldhash::fast::FixedState,
}

/// A key's bytes and its `str`.
type Slot<'py> = Option<(Box<[u8]>, Bound<'py, PyString>)>;

impl<'py> Keys<'py> {
    /// The most slots: enough for the keys of most documents' schemas.
    const SLOTS: usize = 1024;
    /// Longer keys are rarely repeated; they are made each time.
    const LONGEST: usize = 64;

    /// A cache for a document of about `events` events: a small one has few slots to clear.
    fn new(events: usize) -> Self {
        let size = (events / 8).next_power_of_two().clamp(16, Self::SLOTS);
        Keys { slots: Vec::new(), size, state: foldhash::fast::FixedState::default() }
    }

    fn get(&mut self, py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyString>> {
        use std::hash::BuildHasher;
        if text.len() > Self::LONGEST {
            return PyString::from_bytes(py, text);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(self.size, || None);
        }
        let slot = &mut self.slots[self.state.hash_one(text) as usize & (self.size - 1)];
        Ok(match slot {
            Some((bytes, key)) if **bytes == *text => key.clone(),
            _ => {
                let key = PyString::from_bytes(py, text)?;
                *slot = Some((text.into(), key.clone()));
                key
            }
        })
    }
}

impl<'py> Build<'py> {
    /// A builder for about `events` events (the key cache is sized by it).
    pub(crate) fn new(py: Python<'py>, parse_float: Option<Bound<'py, PyAny>>, events: usize) -> Self {
        let parse_float = parse_float.filter(|f| !f.is_none());
        Build {
            py,
            values: Vec::new(),
            open: Vec::new(),
            documents: Vec::new(),
            parse_float,
            failure: None,
            scratch: Vec::new(),
            keys: Keys::new(events),
        }
    }

    /// True when the next value is a mapping's key.
    #[inline]
    fn at_key(&self) -> bool {
        self.open.last().is_some_and(|open| open.mapping && (self.values.len() - open.start).is_multiple_of(2))
    }

    /// Puts a finished value where it belongs: on the stack, or as a document of its own.
    #[inline]
    fn place(&mut self, value: Bound<'py, PyAny>) {
        if self.open.is_empty() {
            self.documents.push(value);
        } else {
            self.values.push(value);
        }
    }

    fn start(&mut self, mapping: bool) -> PyResult<()> {
        if self.at_key() {
            // Keys are scalars after the data view's rules; a container here would be unhashable anyway.
            return Err(PyValueError::new_err("a mapping key that is a collection has no Python form"));
        }
        self.open.push(Open { start: self.values.len(), mapping });
        Ok(())
    }

    fn end(&mut self) -> PyResult<()> {
        let Some(open) = self.open.pop() else { return Ok(()) };
        let children = self.values.drain(open.start..);
        let value = if open.mapping {
            let dict = PyDict::new(self.py);
            let mut children = children;
            while let (Some(key), Some(value)) = (children.next(), children.next()) {
                dict.set_item(key, value)?;
            }
            dict.into_any()
        } else {
            PyList::new(self.py, children)?.into_any()
        };
        self.place(value);
        Ok(())
    }

    pub(crate) fn handle(&mut self, event: Event<'_>) -> PyResult<()> {
        match event.kind {
            EventKind::MappingStart(_) => self.start(true),
            EventKind::SequenceStart(_) => self.start(false),
            EventKind::MappingEnd | EventKind::SequenceEnd => self.end(),
            EventKind::Scalar(scalar) => {
                let value = if scalar.kind == ScalarKind::String && self.at_key() {
                    let text = scalar.decode_into(&mut self.scratch);
                    self.keys.get(self.py, text)?.into_any()
                } else {
                    self.scalar(&scalar)?
                };
                self.place(value);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn scalar(&mut self, scalar: &Scalar<'_>) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let text = scalar.decode_into(&mut self.scratch);
        Ok(match scalar.kind {
            ScalarKind::Null => PyNone::get(py).to_owned().into_any(),
            ScalarKind::Bool => PyBool::new(py, matches!(text.first(), Some(b't' | b'T'))).to_owned().into_any(),
            ScalarKind::Integer => integer(py, text)?,
            ScalarKind::Float => match &self.parse_float {
                Some(parse) => parse.call1((utf8(text)?,))?,
                None => PyFloat::new(py, float(text)?).into_any(),
            },
            // Python checks the UTF-8 as it decodes it (the readers checked it too).
            ScalarKind::String => PyString::from_bytes(py, text)?.into_any(),
            ScalarKind::DateTime => date_time(py, text)?,
        })
    }
}

impl Sink for Build<'_> {
    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.handle(event).map_err(|failure| {
            self.failure = Some(failure);
            Error::new(ErrorCode::Stopped, event.span)
        })
    }
}

fn utf8(text: &[u8]) -> PyResult<&str> {
    std::str::from_utf8(text).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// An integer literal of any of the formats (`-12`, `0x1F`, `0o17`, `0b101`, `1_000`), exact at any size.
fn integer<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    // Most integers are short decimals: no copy, no Python call.
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if !digits.is_empty() && digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit) {
        let n = digits.iter().fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
        return Ok(PyInt::new(py, if negative { -n } else { n }).into_any());
    }
    integer_slow(py, text)
}

/// [`integer`] for the rest: signs, radix prefixes, underscores, and any length.
#[cold]
#[inline(never)]
fn integer_slow<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let digits: String = utf8(text)?.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match digits.as_bytes().first() {
        Some(b'-') => (true, &digits[1..]),
        Some(b'+') => (false, &digits[1..]),
        _ => (false, &digits[..]),
    };
    let (radix, body) = match body.get(..2) {
        Some("0x" | "0X") => (16, &body[2..]),
        Some("0o" | "0O") => (8, &body[2..]),
        Some("0b" | "0B") => (2, &body[2..]),
        _ => (10, body),
    };
    if let Ok(n) = i64::from_str_radix(body, radix) {
        return Ok(PyInt::new(py, if negative { -n } else { n }).into_any());
    }
    // Past 64 bits: Python's own int() parses any length exactly.
    let value = py.get_type::<PyInt>().call1((body, radix))?;
    if negative { value.neg() } else { Ok(value) }
}

/// A float literal (JSON's, YAML's `.inf`/`.nan`, TOML's `inf`/`nan` and `1_000.5`) as Python's `float()` reads it.
fn float(text: &[u8]) -> PyResult<f64> {
    // JSON's floats, and most others, as they are, correctly rounded as Python reads them.
    match fast_float2::parse(text) {
        Ok(x) => Ok(x),
        Err(_) => float_slow(text),
    }
}

/// [`float`] for the rest: underscores, `.inf`, `.nan`, and errors.
#[cold]
#[inline(never)]
fn float_slow(text: &[u8]) -> PyResult<f64> {
    let text = utf8(text)?;
    let plain: std::borrow::Cow<'_, str> = if text.contains('_') { text.replace('_', "").into() } else { text.into() };
    let unsigned = plain.trim_start_matches(['+', '-']);
    let negative = plain.starts_with('-');
    let special = match unsigned.trim_start_matches('.').to_ascii_lowercase().as_str() {
        "inf" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(value) = special {
        return Ok(if negative { -value } else { value });
    }
    plain.parse().map_err(|_| PyValueError::new_err(format!("not a number: {plain}")))
}

/// A TOML date, time or date-time (RFC 3339, `T`, `t` or a space between date and time) as `tomllib` reads it:
/// fractions of a second cut to microseconds, an offset as a fixed `timezone`.
#[inline(never)]
fn date_time<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let module = crate::datetime_module(py)?;
    let text = utf8(text)?;
    let bad = || PyValueError::new_err(format!("not a TOML date or time: {text}"));
    let number = |s: Option<&str>| -> PyResult<u32> { s.and_then(|s| s.parse().ok()).ok_or_else(bad) };
    let date = text.get(4..5) == Some("-");
    let (day_part, time_part) = if date {
        match text.get(10..11) {
            Some("T" | "t" | " ") => (Some(&text[..10]), Some(&text[11..])),
            _ => (Some(text), None),
        }
    } else {
        (None, Some(text))
    };
    let ymd = match day_part {
        Some(day) => Some((number(day.get(0..4))?, number(day.get(5..7))?, number(day.get(8..10))?)),
        None => None,
    };
    let Some(time) = time_part else {
        let (y, m, d) = ymd.ok_or_else(bad)?;
        return module.getattr("date")?.call1((y, m, d));
    };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => (&time[..at], Some(&time[at..])),
        None => (time, None),
    };
    let (hms, fraction) = clock.split_once('.').map_or((clock, None), |(a, b)| (a, Some(b)));
    let hour = number(hms.get(0..2))?;
    let minute = number(hms.get(3..5))?;
    let second = if hms.len() > 5 { number(hms.get(6..8))? } else { 0 };
    let micro = match fraction {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let mut six: String = f.chars().take(6).collect();
            while six.len() < 6 {
                six.push('0');
            }
            number(Some(&six))?
        }
        Some(_) => return Err(bad()),
        None => 0,
    };
    let tz = match zone {
        None => None,
        Some("Z" | "z") => Some(module.getattr("timezone")?.getattr("utc")?),
        Some(offset) => {
            let sign: i32 = if offset.starts_with('-') { -1 } else { 1 };
            let hours = number(offset.get(1..3))? as i32;
            let minutes = number(offset.get(4..6))? as i32;
            let delta = module.getattr("timedelta")?.call1((0, sign * (hours * 3600 + minutes * 60)))?;
            Some(module.getattr("timezone")?.call1((delta,))?)
        }
    };
    match ymd {
        Some((y, m, d)) => module.getattr("datetime")?.call1((y, m, d, hour, minute, second, micro, tz)),
        None => module.getattr("time")?.call1((hour, minute, second, micro, tz)),
    }
}

/// `parse_float` checked before any work: a callable, or `None`.
pub(crate) fn callable_or_none(parse_float: &Option<Bound<'_, PyAny>>) -> PyResult<()> {
    match parse_float {
        Some(f) if !f.is_none() && !f.is_callable() => {
            let name = crate::type_name(f);
            Err(pyo3::exceptions::PyTypeError::new_err(format!("parse_float must be callable, not {name}")))
        }
        _ => Ok(()),
    }
}

/// The job whose events are `from`'s data: YAML resolved by JSON's rules; TOML as itself (dates, `inf` and `nan`
/// kept); NDJSON one document per line.
pub(crate) fn data_job(from: Format) -> Job {
    let to = match from {
        Format::Toml | Format::Ndjson => from,
        _ => Format::Json,
    };
    Job { action: Action::Convert(to), from, options: Options { limits: limits(), ..Options::default() } }
}

/// Reads `data` into one Python object per document.
fn documents<'py>(
    py: Python<'py>,
    data: &'py Bound<'py, PyAny>,
    format: Option<&str>,
    path: Option<&PathBuf>,
    parse_float: Option<Bound<'py, PyAny>>,
) -> PyResult<(Vec<Bound<'py, PyAny>>, Format)> {
    callable_or_none(&parse_float)?;
    let text = Text::of(data)?;
    let from = format_of(format, path, text.bytes())?;
    let job = data_job(from);
    // About one event per 8 bytes of JSON or YAML.
    let mut build = Build::new(py, parse_float, text.bytes().len() / 8);
    let _paused = (text.bytes().len() > crate::DETACH_ABOVE).then(|| CollectorPaused::new(py)).transpose()?;
    // TOML is read whole before its first event (a table may be continued anywhere): nothing to overlap.
    let read = if text.bytes().len() > PIPELINE_ABOVE && from != Format::Toml {
        recorded::read_pipelined(&job, text.bytes(), &mut build)
    } else {
        job.events(&mut SliceInput::new(text.bytes()), |event: Event<'_>| build.event(event)).map(drop).map_err(
            |error| match build.failure.take() {
                Some(failure) => Failed::Python(failure),
                None => Failed::Read(error),
            },
        )
    };
    match read {
        Ok(()) => Ok((build.documents, from)),
        Err(Failed::Python(failure)) => Err(failure),
        Err(Failed::Read(error)) => Err(decode_error(py, &job.diagnose_in(&error, text.bytes()), &text)),
    }
}

/// JSON and YAML texts longer than this are read on a thread of their own while their objects are made
/// ([`recorded::read_pipelined`]): 13–20 % faster on the JSON bench data, 15–30 % on YAML. Starting the thread
/// and handing over cost more than the overlap saves on short texts: at 32 KiB, the 65 KB github_events.json was
/// read 1.7× slower.
pub const PIPELINE_ABOVE: usize = 128 * 1024;

/// Python's cyclic garbage collector, paused while a large text becomes objects (as long as the guard lives):
/// the objects made are all reachable from the result, so the collections that their number would start find
/// nothing to free, and on many small containers they took a sixth of the time. The collector is resumed only
/// if it ran before, so a program that paused it itself keeps it paused.
pub(crate) struct CollectorPaused<'py> {
    /// `gc.enable`, to call when done; `None` when the collector was paused already.
    enable: Option<Bound<'py, PyAny>>,
}

/// The `gc` module's switches, looked up once (the limited API of Python 3.9 has no C functions for them).
struct Switches {
    isenabled: Py<PyAny>,
    disable: Py<PyAny>,
    enable: Py<PyAny>,
}

impl<'py> CollectorPaused<'py> {
    pub(crate) fn new(py: Python<'py>) -> PyResult<Self> {
        static SWITCHES: PyOnceLock<Switches> = PyOnceLock::new();
        let switches = SWITCHES.get_or_try_init(py, || {
            let gc = py.import("gc")?;
            Ok::<_, PyErr>(Switches {
                isenabled: gc.getattr("isenabled")?.unbind(),
                disable: gc.getattr("disable")?.unbind(),
                enable: gc.getattr("enable")?.unbind(),
            })
        })?;
        if !switches.isenabled.bind(py).call0()?.is_truthy()? {
            return Ok(CollectorPaused { enable: None });
        }
        switches.disable.bind(py).call0()?;
        Ok(CollectorPaused { enable: Some(switches.enable.bind(py).clone()) })
    }
}

impl Drop for CollectorPaused<'_> {
    fn drop(&mut self) {
        if let Some(enable) = &self.enable {
            // Enabling cannot fail; were it to, the collector would stay paused, which loses no data.
            let _ = enable.call0();
        }
    }
}

/// Reads `data` (`str` or `bytes`) as `format` (default `"json"`) into plain Python objects: `dict` (key order
/// kept), `list`, `str`, `int` (exact at any size), `float`, `bool`, `None`, and for TOML `datetime`, `date` and
/// `time`. `parse_float` (e.g. `decimal.Decimal`) is called with each float's literal, as in `json.loads`.
/// NDJSON gives a list of its lines' values; a YAML stream of several documents is an error here (use
/// `loads_all`). Invalid input raises `dfmt.DecodeError`.
#[pyfunction]
#[pyo3(signature = (data, format="json", *, parse_float=None, path=None))]
pub(crate) fn loads<'py>(
    py: Python<'py>,
    data: &'py Bound<'py, PyAny>,
    format: Option<&str>,
    parse_float: Option<Bound<'py, PyAny>>,
    path: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let (mut documents, from) = documents(py, data, format, path.as_ref(), parse_float)?;
    if from == Format::Ndjson {
        return Ok(PyList::new(py, documents)?.into_any());
    }
    match documents.len() {
        0 => Ok(PyNone::get(py).to_owned().into_any()),
        1 => Ok(documents.swap_remove(0)),
        n => Err(PyValueError::new_err(format!("the input holds {n} documents: read them with dfmt.loads_all"))),
    }
}
