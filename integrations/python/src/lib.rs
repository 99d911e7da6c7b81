//! dfmt for Python: the native part of the `dfmt` package (`dfmt._dfmt`).
//!
//! A thin adapter over the core's job API: Python arguments become a [`Job`], the job's output becomes `str` or
//! `bytes` (the type that came in), its diagnostic becomes `dfmt.DecodeError`, and for `loads` its events become
//! Python objects ([`objects`]). The pure-Python part of the package (`python/dfmt/`) defines the exception
//! classes, `load` and the type stubs.
//!
//! The GIL is released while the core works on an input larger than [`DETACH_ABOVE`] bytes, so other Python
//! threads run meanwhile; the input is a `str` or `bytes`, which nothing can change while the core reads it
//! (`bytearray` and `memoryview`, which could, are copied first).

mod objects;
mod recorded;
mod schema;
mod str_view;
mod stream;
mod write;

use dfmt_core::{Action, Diagnostic, Format, Hint, Job, Limits, Options, Params, SliceInput};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString, PyType};
use std::path::PathBuf;

/// Inputs up to this size are worked on holding the GIL: releasing and taking it back costs more than they do.
pub const DETACH_ABOVE: usize = 16 * 1024;

/// The text a caller handed in, and whether the answer should be `str` (the input was one) or `bytes`.
pub(crate) struct Text<'py> {
    bytes: Held<'py>,
    was_str: bool,
}

/// Where a text's bytes are.
enum Held<'py> {
    /// In the caller's `bytes` (or a text taken earlier).
    Borrowed(&'py [u8]),
    /// In a `bytes` object made from the input: a `str`'s UTF-8, a `memoryview`'s contents.
    Copied(Bound<'py, PyBytes>),
    /// In a copy made here.
    Owned(Vec<u8>),
}

impl<'py> Text<'py> {
    /// `data` as bytes: `bytes` borrowed; a `str` as its UTF-8, borrowed too from Python 3.10 on (on 3.9 a copy,
    /// freed on return: [`str_view`]); `bytearray` and `memoryview` copied (they could change under a reader that
    /// runs without the GIL).
    pub(crate) fn of(data: &'py Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(text) = data.cast::<PyString>() {
            let bytes = match str_view::utf8(text)? {
                Some(bytes) => Held::Borrowed(bytes),
                None => Held::Copied(text.encode_utf8()?),
            };
            return Ok(Text { bytes, was_str: true });
        }
        if let Ok(bytes) = data.cast::<PyBytes>() {
            return Ok(Text { bytes: Held::Borrowed(bytes.as_bytes()), was_str: false });
        }
        if let Ok(array) = data.cast::<PyByteArray>() {
            return Ok(Text { bytes: Held::Owned(array.to_vec()), was_str: false });
        }
        if data.cast::<PyMemoryView>().is_ok() {
            let copy = data.py().get_type::<PyBytes>().call1((data,))?.cast_into::<PyBytes>()?;
            return Ok(Text { bytes: Held::Copied(copy), was_str: false });
        }
        let name = type_name(data);
        Err(PyTypeError::new_err(format!("data must be str, bytes, bytearray or memoryview, not {name}")))
    }

    /// Text already taken from a caller: `bytes`, which came in as a `str` when `was_str`.
    pub(crate) fn from_parts(bytes: &'py [u8], was_str: bool) -> Self {
        Text { bytes: Held::Borrowed(bytes), was_str }
    }

    /// The bytes, owned (a copy unless they were copied already).
    pub(crate) fn into_owned(self) -> (Vec<u8>, bool) {
        let bytes = match self.bytes {
            Held::Owned(bytes) => bytes,
            Held::Borrowed(bytes) => bytes.to_vec(),
            Held::Copied(bytes) => bytes.as_bytes().to_vec(),
        };
        (bytes, self.was_str)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.bytes {
            Held::Borrowed(bytes) => bytes,
            Held::Copied(bytes) => bytes.as_bytes(),
            Held::Owned(bytes) => bytes,
        }
    }

    /// `output` as the type the input had.
    fn answer(&self, py: Python<'py>, output: Vec<u8>) -> PyResult<Py<PyAny>> {
        if self.was_str {
            // Valid UTF-8 in gives valid UTF-8 out: the writers copy scalars as written or escape them.
            let text = String::from_utf8(output).map_err(|e| PyValueError::new_err(e.to_string()))?;
            Ok(PyString::new(py, &text).into_any().unbind())
        } else {
            Ok(PyBytes::new(py, &output).into_any().unbind())
        }
    }
}

/// The name of `object`'s type, for messages.
pub(crate) fn type_name(object: &Bound<'_, PyAny>) -> String {
    object.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// Python's `datetime` module, imported once.
pub(crate) fn datetime_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static DATETIME: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(DATETIME.get_or_try_init(py, || Ok::<_, PyErr>(py.import("datetime")?.unbind()))?.bind(py))
}

/// The format called `name`, or a `ValueError` listing the names.
fn parse_format(name: &str) -> PyResult<Format> {
    name.parse().map_err(|e: dfmt_core::ParseError| PyValueError::new_err(e.to_string()))
}

/// The format named `format`, else the one `path`'s extension names, else the one the text looks like.
pub(crate) fn format_of(format: Option<&str>, path: Option<&PathBuf>, text: &[u8]) -> PyResult<Format> {
    if let Some(name) = format {
        return parse_format(name);
    }
    if let Some(found) = path.and_then(|p| p.extension()).and_then(|e| e.to_str()).and_then(Format::from_extension) {
        return Ok(found);
    }
    Ok(Format::sniff(&text[..text.len().min(8 * 1024)]))
}

/// The layout options, read by the core's one parser of parameters (so the messages match the CLI's).
fn options(indent: i64, tab: bool, compact: bool, sort_keys: bool) -> PyResult<Options> {
    let mut params = Params { compact, sort_keys, ..Params::default() };
    let word = if tab { "tab".to_owned() } else { indent.to_string() };
    params.set("indent", &word).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(params.options(Options { limits: limits(), ..Options::default() }))
}

/// The core's default limits, with the key indexes keyed by a seed drawn once per process.
pub(crate) fn limits() -> Limits {
    use std::hash::{BuildHasher, RandomState};
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let hash_seed = *SEED.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    Limits { hash_seed, ..Limits::DEFAULT }
}

/// A hint in Python's words: the module's arguments.
fn hint_text(hint: Hint) -> &'static str {
    match hint {
        Hint::AllowComments => "comments are allowed in JSONC: pass format=\"jsonc\"",
        Hint::AllowTrailingCommas => "remove the comma, or pass format=\"jsonc\"",
        Hint::OneValuePerLine => "one value per line is NDJSON: pass format=\"ndjson\", or use loads_all",
        Hint::RaiseDepthLimit => "dfmt reads at most 1024 levels of nesting",
        Hint::DropTags => "remove the tag",
        Hint::RaiseAliasLimit => "dfmt expands at most 1,000,000 alias nodes, or 10 per input byte",
        Hint::RaiseAliasBytesLimit => "dfmt expands at most 64 MiB of aliases, or 10 bytes per input byte",
        other => other.text(),
    }
}

static DECODE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `dfmt.DecodeError` for `diagnostic` about `text`: `pos` counts characters for a `str`, bytes for `bytes`.
pub(crate) fn decode_error(py: Python<'_>, diagnostic: &Diagnostic, text: &Text<'_>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = DECODE_ERROR.import(py, "dfmt._errors", "DecodeError")?;
        let pos = position_in(text, diagnostic.span.start);
        let doc = text.was_str.then(|| String::from_utf8_lossy(text.bytes()).into_owned());
        let args = (
            diagnostic.message.as_str(),
            doc,
            pos,
            diagnostic.position.line,
            diagnostic.position.column,
            diagnostic.code.name(),
            diagnostic.path.as_deref(),
            diagnostic.hint.map(hint_text),
            diagnostic.kind(),
        );
        Ok(PyErr::from_value(class.call1(args)?))
    };
    build().unwrap_or_else(|e| e)
}

/// The offset `at` as Python counts it: characters into a `str`, bytes into `bytes`.
pub(crate) fn position_in(text: &Text<'_>, at: u64) -> usize {
    let offset = usize::try_from(at).unwrap_or(usize::MAX).min(text.bytes().len());
    if text.was_str {
        // An offset inside a character (it never is) counts the characters before it.
        String::from_utf8_lossy(&text.bytes()[..offset]).chars().count()
    } else {
        offset
    }
}

/// `obj` as JSON text, by the module's own writer (as `dumps(obj)`).
pub(crate) fn dumps_json(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let mut json = write::Json::new(py, None, true, false);
    json.value(obj, 0)?;
    String::from_utf8(json.finish()).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Runs `job` over `text`: without the GIL when the input is large.
fn run(py: Python<'_>, job: &Job, text: &Text<'_>) -> PyResult<Vec<u8>> {
    let bytes = text.bytes();
    let capacity = match job.action {
        Action::Validate => 0,
        _ => bytes.len().saturating_add(bytes.len() / 2).saturating_add(64),
    };
    let work = || job.run(&mut SliceInput::new(bytes), Vec::with_capacity(capacity));
    let result = if bytes.len() > DETACH_ABOVE { py.detach(work) } else { work() };
    match result {
        Ok(done) => Ok(done.output),
        Err(diagnostics) => Err(match diagnostics.first() {
            Some(first) => decode_error(py, first, text),
            None => PyValueError::new_err("the job failed without a diagnostic"),
        }),
    }
}

/// `format` and `convert`: `action` on `data` read as `from` (or as `path` or the text says), answered as the type
/// `data` came in.
fn rewrite<'py>(
    py: Python<'py>,
    data: &'py Bound<'py, PyAny>,
    action: Action,
    from: Option<&str>,
    path: Option<&PathBuf>,
    options: Options,
) -> PyResult<Py<PyAny>> {
    let text = Text::of(data)?;
    let job = Job { action, from: format_of(from, path, text.bytes())?, options };
    let output = run(py, &job, &text)?;
    text.answer(py, output)
}

/// Formats `data` in its own format and returns the text, of the same type as `data` (`str` or `bytes`).
///
/// The format is `format` (`"json"`, `"jsonc"`, `"ndjson"`, `"yaml"`, `"toml"`), else the one `path`'s extension
/// names, else the one the text looks like. Comments are kept (JSONC, YAML, TOML); numbers keep every digit.
/// `indent` is 0 to 16 spaces, `tab=True` indents with tabs, `compact=True` writes JSON on one line.
/// Invalid input raises `dfmt.DecodeError` with its line and column.
#[pyfunction]
#[pyo3(signature = (data, format=None, *, indent=2, tab=false, compact=false, sort_keys=false, path=None))]
#[allow(clippy::too_many_arguments)]
fn format<'py>(
    py: Python<'py>,
    data: &'py Bound<'py, PyAny>,
    format: Option<&str>,
    indent: i64,
    tab: bool,
    compact: bool,
    sort_keys: bool,
    path: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    rewrite(py, data, Action::Format, format, path.as_ref(), options(indent, tab, compact, sort_keys)?)
}

/// Converts `data` to the format `to` and returns the text, of the same type as `data` (`str` or `bytes`).
///
/// The input's format is `from_`, else the one `path`'s extension names, else the one the text looks like.
/// Layout options as for `format`. Invalid input, or data the target cannot hold (a YAML tag into JSON, `null`
/// into TOML), raises `dfmt.DecodeError` at the value.
#[pyfunction]
#[pyo3(signature = (data, *, to, from_=None, indent=2, tab=false, compact=false, sort_keys=false, path=None))]
#[allow(clippy::too_many_arguments)]
fn convert<'py>(
    py: Python<'py>,
    data: &'py Bound<'py, PyAny>,
    to: &str,
    from_: Option<&str>,
    indent: i64,
    tab: bool,
    compact: bool,
    sort_keys: bool,
    path: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    let action = Action::Convert(parse_format(to)?);
    rewrite(py, data, action, from_, path.as_ref(), options(indent, tab, compact, sort_keys)?)
}

/// Checks that `data` is valid in its format (chosen as for `format`); returns `None` or raises
/// `dfmt.DecodeError`.
///
/// With `schema` (a `dfmt.Schema`, or what `dfmt.Schema` takes: a dict, the schema's text, a path), also checks
/// every document of `data` against that JSON Schema and raises `dfmt.ValidationError` listing every violation
/// (`errors`), each with its line, column and key path. `schema_formats=True` checks `format` as an assertion.
#[pyfunction]
#[pyo3(signature = (data, format=None, *, path=None, schema=None, schema_formats=false))]
fn validate<'py>(
    py: Python<'py>,
    data: &'py Bound<'py, PyAny>,
    format: Option<&str>,
    path: Option<PathBuf>,
    schema: Option<&Bound<'py, PyAny>>,
    schema_formats: bool,
) -> PyResult<()> {
    let text = Text::of(data)?;
    let from = format_of(format, path.as_ref(), text.bytes())?;
    if let Some(schema) = schema {
        let compiled = schema::compile(py, schema, None, schema_formats)?;
        return schema::validate(py, &text, from, &compiled);
    }
    let job = Job { action: Action::Validate, from, options: Options { limits: limits(), ..Options::default() } };
    run(py, &job, &text).map(drop)
}

/// Writes `obj` (dicts, lists, tuples, str, int, float, bool, None; for YAML and TOML also `datetime`, `date` and
/// `time`) as `format` (`"json"`, `"yaml"`, `"toml"`, `"ndjson"` for a list, one value per line) and returns the
/// text. JSON equals `json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=sort_keys)` on plain data;
/// `compact=True` is `separators=(",", ":")`. Objects with no form in the target (NaN into JSON, None into TOML, a
/// key that is not a str, a cycle) raise `dfmt.EncodeError` naming where (`$.a[0]`).
#[pyfunction]
#[pyo3(signature = (obj, format="json", *, indent=None, sort_keys=false, compact=false))]
fn dumps<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    format: &str,
    indent: Option<i64>,
    sort_keys: bool,
    compact: bool,
) -> PyResult<Bound<'py, PyString>> {
    let to = parse_format(format)?;
    let indent = match indent {
        None => None,
        Some(n @ 0..=16) => Some(n as usize),
        Some(n) => return Err(PyValueError::new_err(format!("indent must be 0 to 16 or None, not {n}"))),
    };
    // YAML and TOML take their indentation as the core's writers do (0 means one space here, as before).
    let step = u8::try_from(indent.unwrap_or(2).max(1)).unwrap_or(2);
    let layout = Options { indent: dfmt_core::Indent::Spaces(step), ..Options::default() };
    let output = match to {
        Format::Json | Format::Jsonc => {
            let mut json = write::Json::new(py, indent, compact, sort_keys);
            json.value(obj, 0)?;
            json.finish()
        }
        Format::Ndjson => {
            let items = obj
                .cast::<pyo3::types::PyList>()
                .map_err(|_| PyTypeError::new_err("NDJSON is a list of values, one per line: pass a list"))?;
            let mut out = Vec::new();
            for item in items.iter() {
                let mut json = write::Json::new(py, None, true, sort_keys);
                json.value(&item, 0)?;
                out.extend_from_slice(&json.finish());
                out.push(b'\n');
            }
            out
        }
        Format::Yaml => {
            let writer = dfmt_core::yaml::Writer::new(Vec::new(), layout.yaml_write_options());
            let mut emit = write::Emit::new(py, writer, false, sort_keys);
            emit.document(obj)?;
            emit.into_sink().finish().map_err(|e| PyValueError::new_err(e.to_string()))?
        }
        Format::Toml => {
            let writer = dfmt_core::toml::Writer::new(Vec::new(), layout.toml_indent()).limited(&limits());
            let mut emit = write::Emit::new(py, writer, true, sort_keys);
            emit.document(obj)?;
            emit.into_sink().finish().map_err(|e| PyValueError::new_err(e.to_string()))?
        }
        other => return Err(PyValueError::new_err(format!("dumps does not write {}", other.display_name()))),
    };
    // Every str went in as UTF-8, and the writers add ASCII only.
    let text = String::from_utf8(output).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyString::new(py, &text))
}

#[pymodule]
mod _dfmt {
    #[pymodule_export]
    use super::{convert, dumps, format, validate};

    #[pymodule_export]
    use crate::objects::loads;

    #[pymodule_export]
    use crate::stream::{Documents, loads_all};

    #[pymodule_export]
    use crate::schema::PySchema;

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("DETACH_ABOVE", super::DETACH_ABOVE)
    }
}
