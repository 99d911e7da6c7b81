//! `dumps`: Python objects written as JSON, YAML or TOML.
//!
//! JSON is written here, straight from the objects, in `json.dumps(obj, ensure_ascii=False)`'s layouts (one line
//! with `", "` and `": "`, or `indent=N`), byte for byte on plain data: the core's JSON writer has neither layout,
//! and strings go through the core's one JSON escaper ([`dfmt_core::json::escape_into`]). YAML and TOML are
//! written by the core's writers, fed events made from the objects ([`Emit`]).
//!
//! What a target cannot hold raises `dfmt.EncodeError` naming where (`$.a[0]`): NaN and infinities into JSON,
//! `None` into TOML, a key that is not a `str`, a type with no form (a `set`, a `datetime` into JSON), a cycle,
//! nesting deeper than the core's depth limit.

use crate::{limits, type_name};
use dfmt_core::{Event, EventKind, Props, Scalar, ScalarKind, ScalarStyle, Sink, Span};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use std::borrow::Cow;

static ENCODE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Where in the object the writer is: keys and indexes from the top.
#[derive(Default)]
struct Path(Vec<Step>);

enum Step {
    Key(String),
    Index(usize),
}

impl Path {
    /// `$.servers[0].port`; a key that is not a plain word is quoted (`$["a b"]`).
    fn render(&self) -> String {
        let mut out = String::from("$");
        for step in &self.0 {
            match step {
                Step::Index(i) => out.push_str(&format!("[{i}]")),
                Step::Key(k) if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') => {
                    out.push('.');
                    out.push_str(k);
                }
                Step::Key(k) => {
                    let mut quoted = Vec::new();
                    dfmt_core::json::escape_into(&mut quoted, k.as_bytes());
                    out.push('[');
                    out.push_str(&String::from_utf8_lossy(&quoted));
                    out.push(']');
                }
            }
        }
        out
    }
}

/// The walk's shared state: the path, the containers open on it (a cycle returns to one), and the first Python
/// error met.
struct Walk<'py> {
    py: Python<'py>,
    path: Path,
    open: Vec<*const pyo3::ffi::PyObject>,
    max_depth: usize,
    sort_keys: bool,
}

impl<'py> Walk<'py> {
    fn new(py: Python<'py>, sort_keys: bool) -> Self {
        let max_depth = usize::try_from(limits().max_depth).unwrap_or(usize::MAX);
        Walk { py, path: Path::default(), open: Vec::new(), max_depth, sort_keys }
    }

    /// `dfmt.EncodeError(msg, path)`.
    fn error(&self, message: impl Into<String>) -> PyErr {
        let build = || -> PyResult<PyErr> {
            let class = ENCODE_ERROR.import(self.py, "dfmt._errors", "EncodeError")?;
            Ok(PyErr::from_value(class.call1((message.into(), self.path.render()))?))
        };
        build().unwrap_or_else(|e| e)
    }

    /// Enters container `object`: refuses a cycle and nesting past the limit.
    fn enter(&mut self, object: &Bound<'py, PyAny>) -> PyResult<()> {
        let pointer = object.as_ptr().cast_const();
        if self.open.contains(&pointer) {
            return Err(self.error("circular reference: a container holds itself"));
        }
        if self.open.len() >= self.max_depth {
            return Err(self.error(format!("nesting deeper than {} levels", self.max_depth)));
        }
        self.open.push(pointer);
        Ok(())
    }

    fn leave(&mut self) {
        self.open.pop();
    }

    /// A dict's entries with `str` keys, sorted when asked.
    fn entries(&self, dict: &Bound<'py, PyDict>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
        let mut entries = Vec::with_capacity(dict.len());
        for (key, value) in dict.iter() {
            let Ok(text) = key.cast::<PyString>() else {
                let name = type_name(&key);
                return Err(self.error(format!("a key must be a str, not {name} ({})", short_repr(&key))));
            };
            entries.push((self.text(text)?.into_owned(), value));
        }
        if self.sort_keys {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(entries)
    }

    fn text<'a>(&self, text: &'a Bound<'py, PyString>) -> PyResult<Cow<'a, str>> {
        text.to_cow().map_err(|_| self.error("a str holding a lone surrogate has no UTF-8 form"))
    }

    fn no_form(&self, object: &Bound<'py, PyAny>, target: &str) -> PyErr {
        self.error(format!("{} has no form in {target}", type_name(object)))
    }
}

/// At most 40 characters of `repr(object)`, for messages.
fn short_repr(object: &Bound<'_, PyAny>) -> String {
    let text = object.repr().map_or_else(|_| "?".to_owned(), |r| r.to_string());
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// An `int`'s decimal digits, exact at any size (`int.__repr__`, as `json.dumps` uses, also for subclasses).
fn int_text(object: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(n) = object.extract::<i64>() {
        return Ok(n.to_string());
    }
    object.py().get_type::<PyInt>().getattr("__repr__")?.call1((object,))?.extract()
}

/// A float as Python's `repr` spells it (`float.__repr__`, which `json.dumps` uses, also for subclasses): the
/// shortest digits that read back the same, and of two as short, the nearer, ties to even (Rust's shortest
/// formatting breaks such ties the other way: 562949953421312.25 is `.2` in Python, `.3` in Rust).
fn float_text(float: &Bound<'_, PyFloat>) -> PyResult<String> {
    let py = float.py();
    let exact = if float.is_exact_instance_of::<PyFloat>() { float.clone() } else { PyFloat::new(py, float.value()) };
    Ok(exact.repr()?.to_cow()?.into_owned())
}

/// JSON as `json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=sort_keys)` writes it; `compact` drops
/// the spaces after `,` and `:` (`separators=(",", ":")`).
pub(crate) struct Json<'py> {
    walk: Walk<'py>,
    out: Vec<u8>,
    indent: Option<usize>,
    compact: bool,
}

impl<'py> Json<'py> {
    pub(crate) fn new(py: Python<'py>, indent: Option<usize>, compact: bool, sort_keys: bool) -> Self {
        Json { walk: Walk::new(py, sort_keys), out: Vec::new(), indent, compact }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.out
    }

    fn newline(&mut self, depth: usize) {
        if let Some(step) = self.indent {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', step * depth));
        }
    }

    fn separator(&mut self) {
        match (self.indent, self.compact) {
            (None, false) => self.out.extend_from_slice(b", "),
            _ => self.out.push(b','),
        }
    }

    pub(crate) fn value(&mut self, object: &Bound<'py, PyAny>, depth: usize) -> PyResult<()> {
        if let Ok(text) = object.cast::<PyString>() {
            let text = self.walk.text(text)?;
            dfmt_core::json::escape_into(&mut self.out, text.as_bytes());
        } else if object.is_none() {
            self.out.extend_from_slice(b"null");
        } else if let Ok(flag) = object.cast::<PyBool>() {
            self.out.extend_from_slice(if flag.is_true() { b"true" } else { b"false" });
        } else if object.cast::<PyInt>().is_ok() {
            self.out.extend_from_slice(int_text(object)?.as_bytes());
        } else if let Ok(float) = object.cast::<PyFloat>() {
            if !float.value().is_finite() {
                return Err(self.walk.error(format!("{} has no form in JSON", float_text(float)?)));
            }
            self.out.extend_from_slice(float_text(float)?.as_bytes());
        } else if let Ok(dict) = object.cast::<PyDict>() {
            let entries = self.walk.entries(dict)?;
            self.walk.enter(object)?;
            self.out.push(b'{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    self.separator();
                }
                self.newline(depth + 1);
                dfmt_core::json::escape_into(&mut self.out, key.as_bytes());
                self.out.extend_from_slice(if self.compact { b":" } else { b": " });
                self.walk.path.0.push(Step::Key(key.clone()));
                self.value(value, depth + 1)?;
                self.walk.path.0.pop();
            }
            if !entries.is_empty() {
                self.newline(depth);
            }
            self.out.push(b'}');
            self.walk.leave();
        } else if object.cast::<PyList>().is_ok() || object.cast::<PyTuple>().is_ok() {
            self.walk.enter(object)?;
            self.out.push(b'[');
            let mut empty = true;
            for (i, item) in object.try_iter()?.enumerate() {
                let item = item?;
                if i > 0 {
                    self.separator();
                }
                empty = false;
                self.newline(depth + 1);
                self.walk.path.0.push(Step::Index(i));
                self.value(&item, depth + 1)?;
                self.walk.path.0.pop();
            }
            if !empty {
                self.newline(depth);
            }
            self.out.push(b']');
            self.walk.leave();
        } else {
            return Err(self.walk.no_form(object, "JSON"));
        }
        Ok(())
    }
}

/// Events made from Python objects, pushed into a core writer (YAML or TOML).
pub(crate) struct Emit<'py, S> {
    walk: Walk<'py>,
    sink: S,
    toml: bool,
}

const AT: Span = Span::at(0);

impl<'py, S: Sink> Emit<'py, S> {
    pub(crate) fn new(py: Python<'py>, sink: S, toml: bool, sort_keys: bool) -> Self {
        Emit { walk: Walk::new(py, sort_keys), sink, toml }
    }

    /// The sink, once the whole document went in.
    pub(crate) fn into_sink(self) -> S {
        self.sink
    }

    fn push(&mut self, kind: EventKind<'_>) -> PyResult<()> {
        // The writer's refusal (a table after TOML values it cannot place, an output limit), at the path.
        self.sink.event(Event::new(kind, AT)).map_err(|error| self.walk.error(error.to_string()))
    }

    fn scalar(&mut self, text: &str, kind: ScalarKind) -> PyResult<()> {
        let style = if kind == ScalarKind::String { ScalarStyle::Decoded } else { ScalarStyle::Plain };
        self.push(EventKind::Scalar(Scalar { text: text.as_bytes(), kind, style, props: Props::NONE }))
    }

    /// The whole stream: one document holding `object`.
    pub(crate) fn document(&mut self, object: &Bound<'py, PyAny>) -> PyResult<()> {
        if self.toml && object.cast::<PyDict>().is_err() {
            return Err(self.walk.error(format!("a TOML document is a table (a dict), not {}", type_name(object))));
        }
        self.push(EventKind::StreamStart)?;
        self.push(EventKind::DocumentStart { explicit: false })?;
        self.value(object)?;
        self.push(EventKind::DocumentEnd { explicit: false })?;
        self.push(EventKind::StreamEnd)
    }

    fn value(&mut self, object: &Bound<'py, PyAny>) -> PyResult<()> {
        let target = if self.toml { "TOML" } else { "YAML" };
        if let Ok(text) = object.cast::<PyString>() {
            let text = self.walk.text(text)?.into_owned();
            self.scalar(&text, ScalarKind::String)
        } else if object.is_none() {
            if self.toml {
                return Err(self.walk.error("None has no form in TOML"));
            }
            self.scalar("null", ScalarKind::Null)
        } else if let Ok(flag) = object.cast::<PyBool>() {
            self.scalar(if flag.is_true() { "true" } else { "false" }, ScalarKind::Bool)
        } else if object.cast::<PyInt>().is_ok() {
            self.scalar(&int_text(object)?, ScalarKind::Integer)
        } else if let Ok(float) = object.cast::<PyFloat>() {
            // `inf`, `-inf` and `nan` as TOML spells them; the YAML writer respells them `.inf`.
            self.scalar(&float_text(float)?, ScalarKind::Float)
        } else if let Ok(dict) = object.cast::<PyDict>() {
            let entries = self.walk.entries(dict)?;
            self.walk.enter(object)?;
            self.push(EventKind::MappingStart(Props::NONE))?;
            for (key, value) in &entries {
                self.walk.path.0.push(Step::Key(key.clone()));
                self.scalar(key, ScalarKind::String)?;
                self.value(value)?;
                self.walk.path.0.pop();
            }
            self.push(EventKind::MappingEnd)?;
            self.walk.leave();
            Ok(())
        } else if object.cast::<PyList>().is_ok() || object.cast::<PyTuple>().is_ok() {
            self.walk.enter(object)?;
            self.push(EventKind::SequenceStart(Props::NONE))?;
            for (i, item) in object.try_iter()?.enumerate() {
                self.walk.path.0.push(Step::Index(i));
                self.value(&item?)?;
                self.walk.path.0.pop();
            }
            self.push(EventKind::SequenceEnd)?;
            self.walk.leave();
            Ok(())
        } else if let Some(text) = self.date_time(object)? {
            self.scalar(&text, ScalarKind::DateTime)
        } else {
            Err(self.walk.no_form(object, target))
        }
    }

    /// A `datetime`, `date` or `time` as RFC 3339 (`isoformat`); `None` for anything else. A time with a zone
    /// has no form in TOML.
    fn date_time(&self, object: &Bound<'py, PyAny>) -> PyResult<Option<String>> {
        let module = crate::datetime_module(self.walk.py)?;
        // A `datetime` is a `date` too.
        let is_time = object.is_instance(&module.getattr("time")?)?;
        if !(is_time || object.is_instance(&module.getattr("date")?)?) {
            return Ok(None);
        }
        if is_time && !object.getattr("tzinfo")?.is_none() {
            return Err(self.walk.error("a time with a time zone has no form in TOML or YAML"));
        }
        Ok(Some(object.call_method0("isoformat")?.extract()?))
    }
}
