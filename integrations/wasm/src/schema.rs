//! JSON Schema in the browser (the `schema` feature): [`check_schema`] validates a document against a schema
//! the user pasted or opened. Nothing is fetched: a schema that refers to another document is an error.

use crate::{Failure, parse_format, to_js};
use dfmt_core::{Format, Limits, Options};
use dfmt_schema::{FileAccess, Schema, Settings, Sources};
use wasm_bindgen::prelude::*;

/// One violation, as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub message: String,
    pub line: u64,
    pub column: u64,
    pub end_line: u64,
    pub end_column: u64,
    pub path: Option<String>,
    pub keyword: String,
    pub schema_path: String,
    pub instance_path: String,
    pub document: usize,
}

/// Validates `input` (in `from`) against `schema` (in `schema_from`, or sniffed when empty): every violation, or
/// why the input or the schema could not be read (a failure about the schema has kind `schema_error`).
pub fn check(
    input: &[u8],
    from: Format,
    schema: &[u8],
    schema_from: Option<Format>,
    formats: bool,
    limits: Limits,
) -> Result<Vec<Shown>, Box<Failure>> {
    let schema_from = schema_from.unwrap_or_else(|| Format::sniff(&schema[..schema.len().min(8 << 10)]));
    let sources = Sources { mappings: Vec::new(), files: FileAccess::None };
    let settings = Settings { formats, limits, draft: None };
    let compiled = Schema::from_text(schema, schema_from, None, &sources, &settings).map_err(|e| {
        let (line, column) = match &e {
            dfmt_schema::SchemaError::Syntax { diagnostic, .. } => {
                (Some(diagnostic.position.line), Some(diagnostic.position.column))
            }
            _ => (None, None),
        };
        Box::new(Failure {
            message: format!("the schema: {e}"),
            line,
            column,
            kind: "schema_error",
            code: "schema_error",
            path: None,
            hint: None,
        })
    })?;
    let options = Options { limits, ..Options::default() };
    let report = compiled
        .check(input, from, &options, &|| false)
        .map_err(|mut diagnostics| Box::new(Failure::from(diagnostics.swap_remove(0))))?;
    Ok(report
        .violations
        .into_iter()
        .map(|v| {
            let d = v.diagnostic;
            let end = v.end_position;
            Shown {
                message: d.message,
                line: d.position.line,
                column: d.position.column,
                end_line: end.line,
                end_column: end.column,
                path: d.path,
                keyword: v.keyword,
                schema_path: v.schema_path,
                instance_path: v.instance_path,
                document: v.document,
            }
        })
        .collect())
}

/// Validates UTF-8 `input` (in `from`) against the UTF-8 `schema` (in `schema_from`: `json`, `yaml`, `toml`, or
/// `""` to sniff). Returns an array of violations `{ message, line, column, end_line, end_column, path, keyword,
/// schema_path, instance_path, document }`, empty when the input matches; throws the failure object for input
/// that is not valid, or a schema that cannot be used (kind `schema_error`).
#[wasm_bindgen]
pub fn check_schema(
    input: &[u8],
    from: &str,
    schema: &[u8],
    schema_from: &str,
    formats: bool,
) -> Result<JsValue, JsValue> {
    let from = parse_format(from).map_err(|f| to_js(&f))?;
    let schema_from = match schema_from {
        "" => None,
        name => Some(parse_format(name).map_err(|f| to_js(&f))?),
    };
    let limits = Limits { hash_seed: crate::page_seed(), ..Limits::DEFAULT };
    let shown = check(input, from, schema, schema_from, formats, limits).map_err(|f| to_js(&f))?;
    let array = js_sys::Array::new();
    for v in shown {
        let object = js_sys::Object::new();
        let number = |n: u64| JsValue::from_f64(n as f64);
        let fields = [
            ("message", JsValue::from_str(&v.message)),
            ("line", number(v.line)),
            ("column", number(v.column)),
            ("end_line", number(v.end_line)),
            ("end_column", number(v.end_column)),
            ("path", v.path.as_deref().map_or(JsValue::NULL, JsValue::from_str)),
            ("keyword", JsValue::from_str(&v.keyword)),
            ("schema_path", JsValue::from_str(&v.schema_path)),
            ("instance_path", JsValue::from_str(&v.instance_path)),
            ("document", number(v.document as u64)),
        ];
        for (name, value) in fields {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &value);
        }
        array.push(&object);
    }
    Ok(array.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_and_failures() {
        let schema = b"type: object\nproperties:\n  port: {type: integer}\n";
        let found = check(b"port: x\n", Format::Yaml, schema, None, false, Limits::DEFAULT).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column, found[0].keyword.as_str()), (1, 7, "type"));
        assert!(
            check(b"port: 1\n", Format::Yaml, schema, Some(Format::Yaml), false, Limits::DEFAULT).unwrap().is_empty()
        );
        let bad = check(b"{}", Format::Json, b"{\"$ref\": \"other.json\"}", None, false, Limits::DEFAULT).unwrap_err();
        assert_eq!(bad.kind, "schema_error");
        let syntax = check(b"{}", Format::Json, b"a: [", Some(Format::Yaml), false, Limits::DEFAULT).unwrap_err();
        assert_eq!((syntax.kind, syntax.line), ("schema_error", Some(1)));
        let input = check(b"{", Format::Json, b"{}", None, false, Limits::DEFAULT).unwrap_err();
        assert_eq!(input.kind, "syntax");
    }
}
