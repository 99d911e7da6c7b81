//! JSON Schema for Python: `dfmt.Schema` (a compiled schema) and `validate(..., schema=...)`, which raises
//! `dfmt.ValidationError` listing every violation.

use crate::{DETACH_ABOVE, Text, format_of, limits, type_name};
use dfmt_core::{Format, Options};
use dfmt_schema::{Settings, Sources};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString, PyType};
use std::path::PathBuf;
use std::sync::Arc;

/// A compiled JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12), to validate many documents against without
/// compiling it again.
///
/// ``schema`` is a ``dict`` (or ``bool``), the schema's text (``str`` or ``bytes`` in JSON, YAML or TOML; the
/// format from ``format``, else sniffed), or a path (``pathlib.Path``), whose relative references resolve to
/// the files beside it. Nothing is fetched over a network: a reference to a URL is an error. ``formats=True``
/// checks ``format`` (``date-time``, ``email``, …) as an assertion. An unusable schema raises
/// ``dfmt.SchemaError``.
#[pyclass(module = "dfmt", name = "Schema", frozen)]
pub(crate) struct PySchema {
    inner: Arc<dfmt_schema::Schema>,
}

#[pymethods]
impl PySchema {
    #[new]
    #[pyo3(signature = (schema, *, format=None, formats=false))]
    fn new(py: Python<'_>, schema: &Bound<'_, PyAny>, format: Option<&str>, formats: bool) -> PyResult<Self> {
        compile(py, schema, format, formats).map(|inner| PySchema { inner })
    }

    fn __repr__(&self) -> &'static str {
        "<dfmt.Schema>"
    }
}

static SCHEMA_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static VALIDATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static VIOLATION: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn schema_error(py: Python<'_>, message: String) -> PyErr {
    match SCHEMA_ERROR.import(py, "dfmt._errors", "SchemaError") {
        Ok(class) => PyErr::from_type(class.clone(), message),
        Err(e) => e,
    }
}

/// The schema `schema` stands for: a `dfmt.Schema` as it is, else compiled.
pub(crate) fn compile(
    py: Python<'_>,
    schema: &Bound<'_, PyAny>,
    format: Option<&str>,
    formats: bool,
) -> PyResult<Arc<dfmt_schema::Schema>> {
    if let Ok(compiled) = schema.cast::<PySchema>() {
        return Ok(compiled.get().inner.clone());
    }
    let settings = Settings { formats, limits: limits(), draft: None };
    let sources = Sources::default();
    let compiled = if schema.hasattr("__fspath__")? && !schema.is_instance_of::<PyString>() {
        let path: PathBuf = py.import("os")?.call_method1("fspath", (schema,))?.extract()?;
        dfmt_schema::Schema::from_file(&path, &sources, &settings)
    } else if schema.is_instance_of::<PyDict>()
        || schema.is_instance_of::<PyBool>()
        || schema.is_instance_of::<PyList>()
    {
        // Objects: written as JSON by the module's own writer, then read as any schema text.
        let text = crate::dumps_json(py, schema)?;
        dfmt_schema::Schema::from_text(text.as_bytes(), Format::Json, None, &sources, &settings)
    } else if schema.is_instance_of::<PyString>() || schema.is_instance_of::<PyBytes>() {
        let text = Text::of(schema)?;
        let from = format_of(format, None, text.bytes())?;
        dfmt_schema::Schema::from_text(text.bytes(), from, None, &sources, &settings)
    } else {
        let name = type_name(schema);
        return Err(PyTypeError::new_err(format!(
            "schema must be a dfmt.Schema, a dict, a bool, str or bytes (its text), or a path, not {name}"
        )));
    };
    compiled.map(Arc::new).map_err(|e| schema_error(py, e.to_string()))
}

/// Validates `text` (read as `from`) against `schema`: `None`, or `dfmt.DecodeError` for invalid text, or
/// `dfmt.ValidationError` with every violation.
pub(crate) fn validate(py: Python<'_>, text: &Text<'_>, from: Format, schema: &dfmt_schema::Schema) -> PyResult<()> {
    let bytes = text.bytes();
    let options = Options { limits: limits(), ..Options::default() };
    let work = || schema.check(bytes, from, &options, &|| false);
    let checked = if bytes.len() > DETACH_ABOVE { py.detach(work) } else { work() };
    let report = match checked {
        Ok(report) => report,
        Err(diagnostics) => {
            return Err(match diagnostics.first() {
                Some(first) => crate::decode_error(py, first, text),
                None => PyValueError::new_err("validation failed without a diagnostic"),
            });
        }
    };
    if report.violations.is_empty() {
        return Ok(());
    }
    let violation_class = VIOLATION.import(py, "dfmt._errors", "SchemaViolation")?;
    let mut violations = Vec::with_capacity(report.violations.len());
    for v in &report.violations {
        let d = &v.diagnostic;
        let pos = crate::position_in(text, d.span.start);
        violations.push(violation_class.call1((
            d.message.as_str(),
            pos,
            d.position.line,
            d.position.column,
            d.path.as_deref(),
            v.keyword.as_str(),
            v.schema_path.as_str(),
            v.instance_path.as_str(),
            v.document,
        ))?);
    }
    let doc = text.was_str.then(|| String::from_utf8_lossy(bytes).into_owned());
    let class = VALIDATION_ERROR.import(py, "dfmt._errors", "ValidationError")?;
    Err(PyErr::from_value(class.call1((PyList::new(py, violations)?, doc))?))
}
